import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usageError } from './usage-error.js';
import * as g from '@grokkit/core';
import { gradcheck } from '@grokkit/core/testing';
import { DelayedPenalty, frobeniusPenalty } from '../grokbench/compression.js';
import { cli, componentList, main, parse } from '../grokbench/main.js';
import { COMPONENT_IDS, DEFAULT_METHODS, recipeOf, transformOf } from '../grokbench/methods.js';
import { formatSpeedup, formatSteps, medianSteps, summarise } from '../grokbench/summary.js';
import { curves } from '../grokbench/report.js';
import type { BenchRun } from '../grokbench/run.js';

describe('delayed compression', () => {
  it('the penalty Σ‖W‖²_F over weights: value, and its gradient by gradcheck', () => {
    const w = g.randn([3, 4], { dtype: 'float64', rng: g.rng(1) }).requiresGrad_();
    const n = g.randn([4], { dtype: 'float64', rng: g.rng(2) }).requiresGrad_();
    const b = g.randn([4], { dtype: 'float64', rng: g.rng(3) }).requiresGrad_();
    const params = { 'fc.weight': w, 'norm.weight': n, 'fc.bias': b };
    const want = [w, n].reduce((s, t) => s + [...t.dataSync()].reduce((a, x) => a + x * x, 0), 0);
    expect(frobeniusPenalty(params).item()).toBeCloseTo(want, 12);
    expect(gradcheck((x, y, z) => frobeniusPenalty({ 'fc.weight': x, 'norm.weight': y, 'fc.bias': z }), [w, n, b])).toBeLessThan(1e-6);
    // biases are not penalised: their gradient is zero
    const grads = g.grad(frobeniusPenalty(params), [w, b]);
    expect([...grads[1]!.dataSync()]).toEqual([0, 0, 0, 0]);
    expect([...grads[0]!.dataSync()]).toEqual([...w.dataSync()].map((x) => 2 * x));
    expect(() => frobeniusPenalty({ 'fc.bias': b })).toThrow(/no parameter selected \(have: fc.bias\)/);
  });

  it('switches on at the first training accuracy ≥ threshold and stays on; its state survives a checkpoint', async () => {
    const params = { 'a.weight': g.ones([2, 2]) };
    const d = new DelayedPenalty({ coefficient: 0.01, threshold: 0.99 });
    d.observe(0.98, 10);
    expect(d.term(params)).toBeNull();
    d.observe(0.995, 20);
    d.observe(0.5, 30);
    expect(d.onAt).toBe(20);
    expect(d.term(params)!.item()).toBeCloseTo(0.04, 6);
    const bytes = await g.saveCheckpoint({ params, extra: { compression: d.state() } });
    const e = new DelayedPenalty({ coefficient: 0.01, threshold: 0.99 });
    e.setState(g.loadCheckpoint(bytes).extra.compression);
    expect(e.onAt).toBe(20);
    expect(() => e.setState({ onAt: -1 })).toThrow(/expected a saved state \{onAt: null or a step ≥ 0\}, got \{"onAt":-1\}/);
    expect(() => new DelayedPenalty({ coefficient: 0, threshold: 0.99 })).toThrow(/coefficient > 0, got 0/);
  });
});

describe('methods', () => {
  it('components take their papers’ settings and combine', () => {
    expect(recipeOf('baseline')).toMatchObject({ lr: 1e-3, weightDecay: 0, muon: null, output: 'softmax', compression: null, filters: [] });
    expect(recipeOf('grokfast-ema').weightDecay).toBe(0.005);
    expect(recipeOf('grokfast-ma').weightDecay).toBe(0.01);
    expect(recipeOf('orthograd').output).toBe('stablemax');
    const combo = recipeOf('grokfast-ema:lamb=5+muon:mlr=0.01+compression');
    expect(combo).toMatchObject({ weightDecay: 0.005, muon: { lr: 0.01, momentum: 0.95, weightDecay: 0 }, compression: { coefficient: 0.01, threshold: 0.99 } });
    expect(combo.filters).toHaveLength(1);
    expect(recipeOf('grokfast-ema+compression:wd=0').weightDecay).toBe(0);
    expect(recipeOf('egd:lr=0.003').lr).toBe(0.003);
    for (const m of [...DEFAULT_METHODS, ...COMPONENT_IDS]) expect(() => transformOf(recipeOf(m))).not.toThrow();
  });

  it('normclip:embed=0 bounds the rows of the Linear weights after Adam and leaves the embeddings and vectors alone', () => {
    const r = recipeOf('normclip:maxnorm=0.5:embed=0');
    expect(r).toMatchObject({ rowNormClip: { maxNorm: 0.5, embeddings: false }, weightDecay: 0, lr: 1e-3, optimizer: 'adam' });
    const params: g.Params = {
      'tokens.weight': g.full([3, 4], 1),
      'blocks.0.mlp.fc1.weight': g.full([2, 4], 0.3), // rows of norm 0.6: clipped to 0.5
      'blocks.0.attn.q.weight': g.full([2, 4], 0.1), // norm 0.2: only Adam's step
      'head.weight': g.full([3, 4], 1),
      'blocks.0.mlp.fc1.bias': g.full([2], 1),
    };
    const opt = new g.Optimizer(params, transformOf(r));
    // the warmup's learning rate is lr·t/10: 0 at the first update, 1e-4 at the second
    for (let t = 0; t < 2; t++) opt.update(g.mapParams(params, (p) => g.full(p.shape, -1)));
    const rowNorms = (t: g.Tensor) => {
      const [R, C] = t.shape as [number, number];
      const d = t.dataSync();
      return Array.from({ length: R }, (_, i) => Math.hypot(...d.slice(i * C, (i + 1) * C)));
    };
    // so Adam moved each coordinate by 1e-4 against the gradient's sign in all
    for (const n of rowNorms(params['blocks.0.mlp.fc1.weight']!)) expect(n).toBeCloseTo(0.5, 6);
    for (const n of rowNorms(params['head.weight']!)) expect(n).toBeCloseTo(0.5, 6);
    for (const n of rowNorms(params['blocks.0.attn.q.weight']!)) expect(n).toBeCloseTo(2 * (0.1 + 1e-4), 6);
    for (const n of rowNorms(params['tokens.weight']!)) expect(n).toBeCloseTo(2 * (1 + 1e-4), 5);
    expect(Array.from(params['blocks.0.mlp.fc1.bias']!.dataSync())[0]).toBeCloseTo(1 + 1e-4, 6);
    expect(() => recipeOf('normclip:maxnorm=0')).toThrow('normclip: expected maxnorm > 0, got 0');
    expect(recipeOf('normclip').rowNormClip).toEqual({ maxNorm: 2, embeddings: true });
    expect(() => recipeOf('normclip:embed=2')).toThrow('normclip: expected embed=1 (every matrix) or 0 (not the embeddings), got 2');
    expect(recipeOf('lion+normclip')).toMatchObject({ optimizer: 'lion', lr: 1e-3, weightDecay: 0 });
    expect(recipeOf('lion:lr=3e-4').lr).toBe(3e-4);
  });

  it('errors say what was expected', () => {
    expect(() => recipeOf('grokfast')).toThrow(/unknown component 'grokfast'; expected one of baseline, grokfast-ema/);
    expect(() => recipeOf('grokfast-ema:beta=2')).toThrow(/'grokfast-ema' has no setting 'beta'; it has alpha, lamb, wd, lr/);
    expect(() => recipeOf('muon:mlr=abc')).toThrow(/expected key=number after 'muon:', got 'mlr=abc'/);
    expect(() => recipeOf('egd+egd')).toThrow(/component 'egd' appears twice/);
    expect(() => recipeOf('egd:wd=0.1+baseline:wd=0.2')).toThrow(/wd is set twice \(0.1 and 0.2\)/);
  });
});

describe('summary', () => {
  const run = (method: string, seed: number, stepsTo95: number | null, steps = 1000): BenchRun =>
    ({ method, task: 'mul', seed, stepsTo95, steps, finalValAcc: 0.5, finalTrainAcc: 1, wallSeconds: 10, msPerStep: 10, compressionOnAt: null, history: [] }) as BenchRun;

  it('medians count "not reached" as slower than any reached; speed-ups are lower bounds when the baseline never got there', () => {
    expect(medianSteps([500, null, 700])).toBe(700);
    expect(medianSteps([null, 500, null])).toBeNull();
    expect(medianSteps([400, 600])).toBe(500);
    const cells = summarise([run('baseline', 0, null), run('baseline', 1, null), run('baseline', 2, 900), run('fast', 0, 200), run('fast', 1, 250), run('fast', 2, null)], ['baseline', 'fast'], ['mul']);
    expect(formatSteps(cells[0]!)).toBe('> 1000 (900–> 1000)');
    expect(formatSteps(cells[1]!)).toBe('250 (200–> 1000)');
    expect(cells[1]!.speedup).toEqual({ value: 4, lowerBound: true });
    expect(formatSpeedup(cells[1]!)).toBe('≥ ×4.0');
    const done = summarise([run('baseline', 0, 800), run('fast', 0, 200)], ['baseline', 'fast'], ['mul']);
    expect(formatSpeedup(done[1]!)).toBe('×4.0');
  });

  it("charts colour runs by method, or by seed where a chart holds one method's runs", () => {
    const colours = (runs: BenchRun[]) => curves(runs, ['baseline', 'fast'], 'valAcc').map((s) => s.color);
    const [b0, b1, b2] = colours([run('baseline', 0, null), run('baseline', 1, null), run('baseline', 2, null)]);
    expect(new Set([b0, b1, b2]).size).toBe(3);
    // the seed, not the position in the list, picks the colour: seed 1's line matches across charts
    expect(colours([run('baseline', 2, null), run('baseline', 1, null)])).toEqual([b2, b1]);
    const [m0, m1, f0, f1] = colours([run('baseline', 0, null), run('baseline', 1, null), run('fast', 0, 200), run('fast', 1, 250)]);
    expect(m0).toBe(m1);
    expect(f0).toBe(f1);
    expect(m0).not.toBe(f0);
  });
});

describe('examples/grokbench end to end (tiny x+y mod 7)', () => {
  it('trains every kind of method, switches compression on at memorisation, reports, and reuses saved runs', async () => {
    const out = mkdtempSync(join(tmpdir(), 'grokbench-'));
    const methods = ['baseline:lr=0.01', 'grokfast-ema:lr=0.01+compression:coef=0.05:threshold=0.9', 'muon:mlr=0.05:lr=0.01', 'egd:lr=0.01', 'orthograd:lr=0.01'];
    const argv = ['--methods', methods.join(','), '--tasks', 'add', '--seeds', '0', '--p', '7', '--steps', '70', '--dim', '16', '--depth', '1', '--batch', '21', '--workers', '0', '--out', out];
    const summary = await main(parse(argv));
    expect(summary.results.map((r) => r.method)).toEqual(methods);
    const runs = readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).run as BenchRun);
    expect(runs).toHaveLength(5);
    for (const r of runs) {
      expect(r.history.map((h) => h.step)).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
      // every method learns the training set (chance is 1/7)
      expect(r.finalTrainAcc).toBeGreaterThan(0.6);
      expect(r.history.at(-1)!.lowHigh).toBeGreaterThan(0);
    }
    const base = runs.find((r) => r.method === methods[0])!;
    const comp = runs.find((r) => r.method === methods[1])!;
    // the switch fires at the first evaluation with training accuracy ≥ 0.9, and then the weights shrink while the baseline's grow
    const on = comp.history.find((h) => h.trainAcc >= 0.9)!.step;
    expect(comp.compressionOnAt).toBe(on);
    expect(comp.history.at(-1)!.weightNorm!).toBeLessThan(0.8 * comp.history.find((h) => h.step === on)!.weightNorm!);
    expect(base.history.at(-1)!.weightNorm!).toBeGreaterThan(base.history.find((h) => h.step === on)!.weightNorm!);
    expect(base.compressionOnAt).toBeNull();
    for (const r of summary.results) {
      expect(r.task).toBe('add');
      expect(r.stepsTo95.values).toHaveLength(1);
      expect(r.finalValAcc.mean).toBeGreaterThanOrEqual(0);
    }
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| muon:mlr=0\.05:lr=0\.01 +\| x\+y +\| > 70 /);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
    expect(existsSync(join(out, 'add-egd_lr=0.01-seed0', 'log.jsonl'))).toBe(true);
    // a second invocation reuses every saved run and reports the same numbers
    const again = await main(parse(argv));
    expect(again).toEqual(summary);
    expect(readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
    // and answers a request with a smaller cap from the same runs
    const shorter = argv.map((a) => (a === '70' ? '40' : a));
    expect((await main(parse(shorter))).results).toEqual(summary.results);
    expect(readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('a run asked to go further continues from its checkpoint, to the same curve as a run straight through; other settings start over', async () => {
    const method = 'grokfast-ema:lr=0.01+compression:coef=0.05:threshold=0.5';
    const argv = (out: string, steps: number, ...more: string[]) =>
      ['--methods', method, '--tasks', 'add', '--seeds', '0', '--p', '7', '--steps', String(steps), '--dim', '16', '--depth', '1', '--batch', '21', '--workers', '0', '--out', out, ...more];
    const runsIn = (out: string) => readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).run as BenchRun);
    const [a, b] = [mkdtempSync(join(tmpdir(), 'grokbench-')), mkdtempSync(join(tmpdir(), 'grokbench-'))];
    await main(parse(argv(a, 40)));
    const extended = await main(parse(argv(a, 90)));
    const straight = await main(parse(argv(b, 90)));
    const [first, second] = runsIn(a);
    const [whole] = runsIn(b);
    expect(first!.steps).toBe(40);
    // compression was on before the first cap, so its state, the filter's, Adam's and the spectrum's crossed the checkpoint
    expect(first!.compressionOnAt).not.toBeNull();
    expect(second!.steps).toBe(90);
    expect(second!.history.map((h) => h.step)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(second!.history).toEqual(whole!.history);
    expect(second!.compressionOnAt).toBe(whole!.compressionOnAt);
    expect(extended.results).toEqual(straight.results.map((r) => ({ ...r, wallSeconds: extended.results[0]!.wallSeconds })));
    const folder = join(a, `add-${method.replace(/[^a-z0-9.=+-]+/gi, '_')}-seed0`);
    expect(existsSync(join(folder, 'checkpoint.safetensors'))).toBe(true);
    expect(readFileSync(join(folder, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(10);
    // the same folder under another evaluation schedule is a new run from step 0, not a continuation
    await main(parse(argv(a, 60, '--eval-every', '20')));
    const other = runsIn(a).at(-1)!;
    expect(other.history.map((h) => h.step)).toEqual([0, 20, 40, 60]);
    expect(readFileSync(join(folder, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it('rejects bad arguments with one line naming the flag; --help and --list print', () => {
    const error = (argv: string[]) => usageError(parse, argv);
    expect(error(['--bogus'])).toBe("expected one of the options in --help, got '--bogus'");
    expect(error(['--tasks', 'mul,pow'])).toMatch(/^--tasks: expected a comma-separated list of mul, add, sub or div, got 'mul,pow'/);
    expect(error(['--methods', 'grokfast'])).toMatch(/^--methods: method 'grokfast': unknown component 'grokfast'; expected one of baseline, /);
    expect(error(['--steps', '0'])).toBe("--steps: expected an integer ≥ 1, got '0'");
    expect(error(['--dim', '30'])).toBe("--dim: expected a multiple of the model's 4 heads, got 30");
    expect(parse([]).methods).toEqual(DEFAULT_METHODS);
    expect(parse([]).seeds).toEqual([0, 1, 2]);
    expect(cli.parse(['--list']).list).toBe(true);
    for (const flag of ['--methods', '--tasks', '--seeds', '--steps', '--workers', '--out', '--list', '--help']) expect(cli.help()).toContain(flag);
    expect(cli.help()).toMatch(/--steps N +step cap per run; .* \(default: 3000\)/);
    for (const id of COMPONENT_IDS) expect(componentList()).toContain(id);
  });

  it('as a command: a bad flag is one line on stderr with exit code 2; --list prints the components', () => {
    const examples = fileURLToPath(new URL('..', import.meta.url));
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(examples, 'grokbench', 'main.ts'), ...args], { cwd: examples, encoding: 'utf8' });
    const bad = run(['--seeds', '0,x']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("grokbench: --seeds: expected a comma-separated list of integers ≥ 0, got '0,x' ('x' is not a finite number)\n");
    const listed = run(['--list']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toBe(componentList());
  });
});
