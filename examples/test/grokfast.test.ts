import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, parse } from '../grokfast/main.js';
import { runArm, DEFAULTS, transformFor } from '../grokfast/experiment.js';

describe('examples/grokfast end to end (tiny p)', () => {
  it('runs every arm, writes logs and a report, and returns the summary', async () => {
    const out = mkdtempSync(join(tmpdir(), 'grokfast-'));
    const o = parse(['--p', '7', '--steps', '12', '--eval-every', '4', '--dim', '16', '--depth', '1', '--batch', '8', '--out', out, '--progress', 'false']);
    const summary = await main(o);
    expect(summary.runs.map((r) => r.filter)).toEqual(['none', 'ema', 'ma']);
    for (const r of summary.runs) {
      expect(r.steps).toBe(12);
      expect(r.finalValAcc).toBeGreaterThanOrEqual(0);
      expect(r.finalValAcc).toBeLessThanOrEqual(1);
      expect(r.stepsTo95 === null || r.stepsTo95 <= 12).toBe(true);
      const log = readFileSync(join(out, `${r.filter}-seed0`, 'log.jsonl'), 'utf8').trim().split('\n');
      expect(log.map((l) => JSON.parse(l).step)).toEqual([0, 4, 8, 12]);
    }
    expect(Object.keys(summary.speedups)).toEqual(['ema', 'ma']);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
    expect(existsSync(join(out, 'report.md'))).toBe(true);
  });

  it('learns a small modular task (training accuracy far above chance)', async () => {
    const r = await runArm({ ...DEFAULTS, filter: 'ema', seed: 0, p: 11, op: 'add', steps: 300, evalEvery: 50, dim: 32, depth: 1, batchSize: 64, until: 2, lr: 3e-3, progress: false });
    expect(r.history[1]!.trainAcc!).toBeLessThan(0.3); // chance is 1/11
    expect(r.finalTrainAcc).toBeGreaterThan(0.5);
  });

  it('rejects bad arguments', () => {
    expect(() => transformFor({ filter: 'ema', lr: 1e-3, alpha: 1.5, windowSize: 100 })).toThrow(/alpha/);
  });
});
