import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, implicitReasoning, parse } from '../implicit-reasoning/main.js';
import { DEFAULTS, TASK_DEFAULTS, configFor, makeData, runName } from '../implicit-reasoning/run.js';
import { stepStats } from '../implicit-reasoning/summary.js';

const out = mkdtempSync(join(tmpdir(), 'implicit-reasoning-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// a knowledge base small enough to memorise in a few hundred steps
const TINY = ['--entities', '16', '--phi', '3', '--ood-fraction', '0.3', '--steps', '300', '--eval-every', '50',
  '--dim', '32', '--depth', '2', '--heads', '2', '--batch', '64', '--lr', '3e-3', '--weight-decay', '0.3', '--seeds', '0', '--workers', '0'];

describe('implicit-reasoning example', () => {
  it('memorises both tasks, composes nothing yet, and reports every run (tiny, both filters)', async () => {
    const o = { ...parse([...TINY, '--filter', 'none,ema', '--out', out]), progress: false };
    const res = JSON.parse(JSON.stringify(await implicitReasoning(o))) as Awaited<ReturnType<typeof implicitReasoning>>; // what the CLI prints
    expect(res.errors).toEqual([]);
    expect(res.runs.map((r) => `${r.task}/${r.filter}`)).toEqual(['composition/none', 'composition/ema', 'comparison/none', 'comparison/ema']);
    for (const r of res.runs) {
      expect(r.steps).toBe(300);
      // the inferred facts in train are memorised: from chance to ≥ 90%
      expect(r.train).toBeGreaterThanOrEqual(0.9);
      expect(r.stepsToTrain95).not.toBeNull();
      const log = readFileSync(join(out, runName(r, r.seed), 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(log.map((l) => l.step)).toEqual([0, 50, 100, 150, 200, 250, 300]);
      expect(log[0].train).toBeLessThan(0.2);
    }
    // composition: train memorised long before held-out inferred facts follow (the gap grokking would close)
    const comp = res.runs.filter((r) => r.task === 'composition');
    for (const r of comp) {
      expect(r.train - r.id).toBeGreaterThan(0.5);
      expect(r.ood).toBeLessThan(0.3);
      expect(r.stepsToId90).toBeNull();
    }
    // the EMA arm really filters: same data, init and batches, a different trajectory
    expect(comp[0]!.train === comp[1]!.train && comp[0]!.id === comp[1]!.id && comp[0]!.ood === comp[1]!.ood).toBe(false);
    // the summary has the documented shape: task → filter → {train, id, ood, stepsToId90}
    const s = res.summary.composition!.ema!;
    expect(s.phi).toBe(3);
    expect(s.train.mean).toBe(comp[1]!.train);
    expect(s.stepsToId90).toEqual({ median: null, min: null, max: null, reached: 0, runs: 1 });
    expect(res.byPhi.comparison!.none!['3']!.runs).toBe(1);
    expect(res.wallSeconds).toBeGreaterThan(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md.match(/!\[[^\]]*\]\(report-curves-[^)]*\.svg\)/g)?.length).toBe(4); // one chart per run
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'runs.json'), 'utf8')).runs[0].history.length).toBe(7);

    // the folder now holds an experiment: refused without --resume or --overwrite
    await expect(implicitReasoning(o)).rejects.toThrow(/previous run.*--resume.*--overwrite/);
    // --resume trains nothing again: the finished runs come back from their checkpoints, identical
    const t0 = performance.now();
    const again = JSON.parse(JSON.stringify(await implicitReasoning({ ...o, resume: true }))) as typeof res;
    expect(again.runs.map((r) => [r.train, r.id, r.ood, r.steps])).toEqual(res.runs.map((r) => [r.train, r.id, r.ood, r.steps]));
    expect(performance.now() - t0).toBeLessThan(res.wallSeconds * 1000);
  }, 600_000); // ≈20 s of CPU; 295 s on the 2-core machine at load average 15–40

  it('keeps test facts out of train, and builds OOD facts from atomic facts seen only alone', () => {
    const d = makeData(configFor('composition', 'none', { entities: 30, phi: 4, oodFraction: 0.2 }), 1);
    const rows = (s: { inputs: { dataSync(): ArrayLike<number> } }) => {
      const x = Array.from(s.inputs.dataSync());
      return new Set(Array.from({ length: x.length / 3 }, (_, i) => x.slice(3 * i, 3 * i + 3).join(',')));
    };
    const train = rows(d.train);
    for (const t of [...rows(d.testId), ...rows(d.testOod)]) expect(train.has(t)).toBe(false);
    expect(d.description.nTrainInferred).toBe(Math.round(4 * (d.description.nAtomic - d.description.nAtomicOod)));
  });

  it('takes the median over seeds with unreached runs counted as later than any', () => {
    expect(stepStats([300, null, 100])).toEqual({ median: 300, min: 100, max: 300, reached: 2, runs: 3 });
    expect(stepStats([300, null, null])).toMatchObject({ median: null, reached: 1 });
    expect(stepStats([200, 100])).toMatchObject({ median: 150 });
  });

  it('parses the command line and rejects bad values by flag', () => {
    const o = parse(['--task', 'comparison', '--phi', '3.6,9', '--filter', 'none,ema', '--seeds', '10,11', '--workers', '1', '--weight-decay', '0.1'])!;
    expect(o).toMatchObject({ tasks: ['comparison'], phis: [3.6, 9], filters: ['none', 'ema'], seeds: [10, 11], workers: 1 });
    expect(o.over.steps).toBeUndefined();
    expect(configFor('comparison', 'none', o.over)).toMatchObject({ steps: TASK_DEFAULTS.comparison.steps, weightDecay: 0.1, lr: DEFAULTS.lr });
    expect(parse([])).toMatchObject({ tasks: ['composition', 'comparison'], phis: [DEFAULTS.phi], filters: ['none'], seeds: [0, 1, 2], workers: undefined });
    // without --weight-decay each task keeps its own (comparison needs a larger one to generalise OOD)
    const plain = parse([]).over;
    expect(plain.weightDecay).toBeUndefined();
    expect(configFor('composition', 'none', plain).weightDecay).toBe(TASK_DEFAULTS.composition.weightDecay);
    expect(configFor('comparison', 'none', plain).weightDecay).toBe(TASK_DEFAULTS.comparison.weightDecay);
    expect(TASK_DEFAULTS.comparison.weightDecay).not.toBe(TASK_DEFAULTS.composition.weightDecay);
    expect(cli.help()).toContain(`--steps N`);
    expect(() => parse(['--task', 'path'])).toThrow(/^--task: expected a comma-separated list of composition or comparison, got 'path'/);
    expect(() => parse(['--filter', 'ma'])).toThrow(/^--filter: /);
    expect(() => parse(['--phi', '0'])).toThrow(/^--phi: expected .*> 0, got '0'/);
    expect(() => parse(['--steps', '1.5'])).toThrow(/^--steps: expected an integer/);
    expect(() => parse(['--heads', '3'])).toThrow(new RegExp(`^--heads: expected a divisor of --dim ${DEFAULTS.dim}, got 3`));
    expect(() => parse(['--bogus'])).toThrow(/--bogus/);
  });
});
