import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, parse } from '../grokfast/main.js';
import { runArm, DEFAULTS, transformFor } from '../grokfast/experiment.js';
import { curve, stepsToThreshold, type LineChartOptions } from '@grokkit/eval';

/** The chart specs a report page hands to its script. */
const specsIn = (html: string): LineChartOptions[] => JSON.parse(/<script type="application\/json" id="gk-charts">(.*?)<\/script>/s.exec(html)![1]!);
/** The cells of the Markdown table row that starts with `first`. */
const row = (md: string, first: string) => md.split('\n').find((l) => l.startsWith(`| ${first} `))!.split('|').map((c) => c.trim()).filter(Boolean);

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

  it('reports each run on one chart (train and val accuracy, loss, 95% markers) under a setup that states every hyperparameter', async () => {
    const out = mkdtempSync(join(tmpdir(), 'grokfast-'));
    await main(parse(['--p', '7', '--steps', '8', '--eval-every', '4', '--dim', '16', '--depth', '1', '--batch', '8', '--out', out, '--progress', 'false']));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const logs = ['none', 'ema', 'ma'].map((f) => readFileSync(join(out, `${f}-seed0`, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
    const specs = specsIn(html);
    const perRun = specs.filter((c) => c.title);
    expect(perRun.map((c) => c.title)).toEqual(['baseline', 'Grokfast-EMA', 'Grokfast-MA']);
    perRun.forEach((c, i) => {
      expect(c.series.map((s) => s.name)).toEqual(['train acc', 'val acc', 'train loss', 'val loss']);
      expect(c.series[1]!.points.map((p) => p.x)).toEqual([0, 4, 8]);
      expect(c.series.filter((s) => s.axis === 'right').map((s) => s.name)).toEqual(['train loss', 'val loss']);
      const expected = (['trainAcc', 'valAcc'] as const).map((k) => stepsToThreshold(curve(logs[i]!, k), 0.95)).filter((x) => x !== null);
      expect(c.markers!.map((m) => m.x)).toEqual(expected);
    });
    const compare = specs.find((c) => !c.title)!;
    expect(compare.series.map((s) => s.name)).toEqual(['baseline', 'Grokfast-EMA', 'Grokfast-MA']);
    expect(compare.xLabel).toBe('step');
    expect(compare.logX).toBeFalsy();
    expect(row(md, 'arm')).toEqual(['arm', 'weight decay', 'λ', 'α', 'window', 'MA warmup']);
    expect(row(md, 'baseline')).toEqual(['baseline', '0', '—', '—', '—', '—']);
    expect(row(md, 'Grokfast-EMA')).toEqual(['Grokfast-EMA', '0.005', '2', '0.98', '—', '—']);
    expect(row(md, 'Grokfast-MA')).toEqual(['Grokfast-MA', '0.01', '5', '—', '100', 'yes']);
    expect(md).toMatch(/Shared: optimizer Adam, lr 0\.001, betas 0\.9 \/ 0\.98, lr warmup steps 10, batch 8/);
    expect(md).toMatch(/- Command: `.+`/);
    expect(md).toMatch(/- Packages: .*@grokkit\/filters \d/);
    expect(md).toContain(`- Runtime: Node ${process.version}`);
    expect(md).toMatch(/- Machine: .+, \d+ cores/);
    expect(md).toContain('Mean speed-up over the baseline');
  });

  it('says why there is no speed-up when no baseline arm ran', async () => {
    const out = mkdtempSync(join(tmpdir(), 'grokfast-'));
    await main(parse(['--filter', 'ema', '--p', '7', '--steps', '4', '--eval-every', '4', '--dim', '16', '--depth', '1', '--batch', '8', '--out', out, '--progress', 'false']));
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('No baseline arm was run (--filter ema), so there is no speed-up to report.');
    expect(md).not.toContain('Mean speed-up');
    expect(md).not.toContain('speed-up |');
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
