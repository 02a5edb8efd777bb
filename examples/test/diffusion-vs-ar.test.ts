import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rng } from '@grokkit/core';
import { cli, main, parse, UsageError } from '../diffusion-vs-ar/main.js';
import { makeTask, sequences } from '../diffusion-vs-ar/tasks.js';

const tiny = ['--dim', '16', '--depth', '1', '--heads', '2', '--eval-size', '16', '--progress', 'false'];

describe('examples/diffusion-vs-ar end to end (tiny)', () => {
  it('trains both arms on every task and returns the summary JSON', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dva-'));
    const o = parse(['--steps', '4', '--eval-every', '2', '--batch', '8', '--entities', '12', '--n-train', '40', '--test-size', '16', '--out', out, ...tiny]);
    const summary = await main(o);
    const parsed = JSON.parse(JSON.stringify(summary)) as typeof summary; // what the CLI prints
    expect(parsed.runs.map((r) => `${r.task}/${r.arm}`)).toEqual([
      'composition/ar', 'composition/diffusion', 'comparison/ar', 'comparison/diffusion', 'path/ar', 'path/diffusion',
    ]);
    for (const r of parsed.runs) {
      expect(r.steps).toBe(4);
      for (const v of [r.train, r.id]) expect(v >= 0 && v <= 1).toBe(true);
      if (r.task === 'path') {
        expect(r.ood).toBeNull();
        expect(r.nTrain).toBe(40);
        expect(r.idPerPosition).toHaveLength(4);
        // the default shape: arms of 3 steps, the decoy leaving any path node, so planning distances 1–3
        expect(r.idByDistance.map((d) => d.distance)).toEqual([1, 2, 3]);
        expect(r.idByDistance.reduce((a, d) => a + d.n, 0)).toBe(16);
      } else {
        expect(r.ood! >= 0 && r.ood! <= 1).toBe(true);
        expect(r.nTrain).toBeNull();
        expect(r.idPerPosition).toHaveLength(1);
        expect(r.idByDistance).toEqual([]);
      }
      expect(r.params).toBeGreaterThan(0);
      const log = readFileSync(join(out, `${r.task}-${r.arm}-seed0`, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(log.map((l) => l.step)).toEqual([0, 2, 4]);
      expect(Object.keys(log[0]).sort()).toEqual(r.task === 'path' ? ['idAcc', 'idChoice', 'step', 'trainAcc', 'wallSeconds'] : ['idAcc', 'oodAcc', 'step', 'trainAcc', 'wallSeconds']);
    }
    // same size: the diffusion encoder adds only the mask token (embedding row + head column) and one position
    const comp = parsed.runs.filter((r) => r.task === 'composition');
    expect(Math.abs(comp[0]!.params - comp[1]!.params)).toBe(3 * 16);
    expect(parsed.summary.path!.ar!.ood).toBeNull();
    expect(parsed.summary.comparison!.diffusion!.id.n).toBe(1);
    expect(parsed.dataEfficiency.path!.diffusion!.map((p) => p.nTrain)).toEqual([40]);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('## Path-finding: accuracy per planning distance');
    expect(md).not.toContain('accuracy against training graphs'); // one training-set size: no curve
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
  });

  it('path: graph shape flags, a stream of fresh graphs and the data-efficiency curve from one command', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dva-path-'));
    const o = parse([
      '--task', 'path', '--branches', '3', '--arm-length', '2', '--nodes', '9', '--branch-at', 'anywhere', '--n-train', '10,20,stream',
      '--steps', '3', '--eval-every', '3', '--batch', '4', '--test-size', '30', '--out', out, ...tiny,
    ]);
    const s = await main(o);
    expect(s.runs.map((r) => `${r.arm}@${r.nTrain}`)).toEqual(['ar@10', 'diffusion@10', 'ar@20', 'diffusion@20', 'ar@stream', 'diffusion@stream']);
    for (const r of s.runs) {
      expect(r.idPerPosition).toHaveLength(3);
      expect(r.idByDistance.every((d) => d.distance === 1 || d.distance === 2)).toBe(true);
      expect(r.idByDistance.reduce((a, d) => a + d.n, 0)).toBe(30);
      expect(existsSync(join(out, `path-${r.arm}-seed0-n${r.nTrain}`, 'log.jsonl'))).toBe(true);
    }
    expect(s.dataEfficiency.path!.ar!.map((p) => p.nTrain)).toEqual([10, 20, 'stream']);
    expect(s.summary.path!.ar!.id.mean).toBe(s.runs[4]!.id); // the summary is that of the last size
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('## Path-finding: accuracy against training graphs');
    expect(md).toContain('3 arms of 2 steps, 9 labels, branching at any path node');
  });

  it('both arms learn the planning-free shape (arm length 1: the answer is start and goal, copied from the prompt)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dva-copy-'));
    const o = parse([
      '--task', 'path', '--arm-length', '1', '--nodes', '6', '--n-train', 'stream', '--steps', '150', '--eval-every', '150', '--batch', '32',
      '--lr', '1e-2', '--test-size', '64', '--out', out, ...tiny,
    ]);
    const s = await main(o);
    for (const r of s.runs) expect(r.id, `${r.arm}: ID ${r.id}`).toBeGreaterThan(0.9);
  });

  it('refuses a folder that holds a previous run unless --overwrite', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dva-again-'));
    const args = ['--task', 'path', '--arm', 'ar', '--steps', '1', '--eval-every', '1', '--batch', '2', '--test-size', '4', '--out', out, ...tiny];
    await main(parse(args));
    await expect(main(parse(args))).rejects.toThrow(/^--out: expected a folder without a previous run, .*replace it with --overwrite/);
    const again = await main(parse([...args, '--overwrite']));
    expect(again.runs).toHaveLength(1);
  });

  it('builds [prompt | answer] sequences from the datasets', () => {
    const t = makeTask('path', 0, { nTrain: 5, testSize: 3, path: { armLength: 3, nodes: 32, branchAt: 'start' } });
    expect([t.promptLen, t.answerLen, t.vocabSize]).toEqual([16, 4, 34]);
    expect(t.ood).toBeNull();
    expect(Array.from(t.id.distance!)).toEqual([3, 3, 3]);
    const s = sequences(t, t.train, [1]);
    expect(Array.from(s.slice(0, 16))).toEqual(Array.from(t.train.prompt.slice(16, 32)));
    expect(Array.from(s.slice(16))).toEqual(Array.from(t.train.answer.slice(4, 8)));
    expect(s[16]).toBe(s[13]); // the path starts at the query's start node
    // a stream: fresh rows every call, none of them a test graph; `train` is a fixed sample to measure on
    const stream = makeTask('path', 0, { nTrain: 'stream', testSize: 50, path: { armLength: 2, nodes: 5, branchAt: 'start' } });
    const g = rng(1);
    const [a, b] = [stream.fresh!(200, g), stream.fresh!(200, g)];
    expect([a.n, a.prompt.length, a.answer.length]).toEqual([200, 200 * 12, 200 * 3]);
    expect(Array.from(a.distance!).every((d) => d === 2)).toBe(true);
    expect(Array.from(a.prompt)).not.toEqual(Array.from(b.prompt));
    const key = (s: typeof a, i: number) => Array.from(s.prompt.subarray(i * 12, (i + 1) * 12)).join(',');
    const test = new Set(Array.from({ length: 50 }, (_, i) => key(stream.id, i)));
    for (const s of [a, b]) for (let i = 0; i < 200; i++) expect(test.has(key(s, i))).toBe(false);
    expect(stream.train.n).toBeGreaterThan(0);
  });

  it('rejects impossible shapes and bad flags with one line naming the flag', () => {
    const bad: [string[], RegExp][] = [
      [['--nodes', '4'], /^--nodes: expected at least branches·arm-length \+ 1 = 2·3 \+ 1 = 7 .*got 4$/],
      [['--branches', '3', '--arm-length', '4', '--nodes', '12'], /^--nodes: expected at least .* = 13 .*got 12$/],
      [['--arm-length', '0'], /^--arm-length: expected an integer ≥ 1, got '0'$/],
      [['--branches', '1'], /^--branches: expected an integer ≥ 2, got '1'$/],
      [['--n-train', '0'], /^--n-train: expected positive integers or 'stream'.*got '0'$/],
      [['--n-train', '100,lots'], /^--n-train: .* got 'lots'$/],
      [['--branch-at', 'middle'], /^--branch-at: expected start or anywhere, got 'middle'$/],
      [['--token-reweighting', '0,1'], /^--token-reweighting: expected ALPHA,GAMMA/],
      [['--dim', '10', '--heads', '4'], /^--heads: expected a divisor of --dim 10, got 4/],
      [['--bogus'], /--bogus/],
    ];
    for (const [args, msg] of bad) {
      expect(() => parse(args)).toThrow(UsageError);
      expect(() => parse(args)).toThrow(msg);
    }
    const help = cli.help();
    for (const flag of ['--branches', '--arm-length', '--nodes', '--n-train', '--overwrite']) expect(help).toContain(flag);
  });

  it('the CLI exits with status 2 and a one-line message on an impossible shape', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const r = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'examples/diffusion-vs-ar/main.ts', '--task', 'path', '--nodes', '4'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['diffusion-vs-ar: --nodes: expected at least branches·arm-length + 1 = 2·3 + 1 = 7 (every graph uses that many labels), got 4']);
    expect(r.stdout).toBe('');
  });
});
