import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterAblation, parseCli } from '../cluster-ablation/main.js';
import { removedSubclasses } from '../cluster-ablation/run.js';

const out = mkdtempSync(join(tmpdir(), 'cluster-ablation-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const inUnit = (x: number | null) => x === null || (x >= 0 && x <= 1);

describe('cluster-ablation example', () => {
  it('runs end to end on a tiny config and reports per-f accuracies in [0, 1]', async () => {
    const s = await clusterAblation({
      fs: [0, 0.2], seeds: [0], workers: 0, steps: 20, evalEvery: 10, size: 48, testPerSubclass: 5,
      width: 16, sigma: 0.2, out, progress: false,
    });
    expect(s.results.map((r) => r.f)).toEqual([0, 0.2]);
    expect(s.removed).toEqual([1, 3, 5, 7]);
    for (const r of s.results) {
      expect(r.failed).toBe(0);
      for (const k of ['testAcc', 'removedAcc', 'keptAcc', 'trainAcc'] as const) {
        expect(r[k].mean).not.toBeNull();
        expect(inUnit(r[k].mean)).toBe(true);
        expect(r[k]).toHaveProperty('std');
      }
      expect(r).toHaveProperty('alpha0');
      expect(r).toHaveProperty('alpha1');
    }
    // f = 0 removes the subclasses from training; f = 0.2 keeps a few of each
    expect(s.results[0]!.perRemoved).toBe(0);
    expect(s.results[1]!.perRemoved).toBeGreaterThan(0);
    // the summary survives a JSON round trip (the CLI prints it as its last line)
    expect(JSON.parse(JSON.stringify(s)).results).toHaveLength(2);
    for (const f of ['report.html', 'report.md', 'runs.json']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
  });

  it('removes the same subclasses for every f and seed', () => {
    expect(removedSubclasses('equidistant')).toEqual([1, 3, 5, 7]);
    expect(removedSubclasses('equivariant')).toEqual([9, 19, 29, 39]);
  });

  it('parses the command line', () => {
    const o = parseCli(['--preset', 'equivariant', '--f', '0,0.5', '--seeds', '2', '--workers', '5', '--sigma', '0.3', '--data-seed', '4']);
    expect(o).toMatchObject({ preset: 'equivariant', fs: [0, 0.5], seeds: [2], workers: 5, sigma: 0.3, dataSeed: 4 });
    expect(parseCli([])).toMatchObject({ fs: [0, 0.01, 0.2, 1], seeds: [0, 1, 2], dataSeed: 'seed', out: undefined, resume: false });
  });
});
