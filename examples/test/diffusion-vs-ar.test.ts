import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, parse } from '../diffusion-vs-ar/main.js';
import { makeTask, sequences } from '../diffusion-vs-ar/tasks.js';

describe('examples/diffusion-vs-ar end to end (tiny)', () => {
  it('trains both arms on every task and returns the summary JSON', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dva-'));
    const o = parse([
      '--steps', '4', '--eval-every', '2', '--batch', '8', '--dim', '16', '--depth', '1', '--heads', '2',
      '--entities', '12', '--n-train', '40', '--test-size', '16', '--eval-size', '16', '--out', out, '--progress', 'false',
    ]);
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
        expect(r.idPerPosition).toHaveLength(4);
      } else {
        expect(r.ood! >= 0 && r.ood! <= 1).toBe(true);
        expect(r.idPerPosition).toHaveLength(1);
      }
      expect(r.params).toBeGreaterThan(0);
      const log = readFileSync(join(out, `${r.task}-${r.arm}-seed0`, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(log.map((l) => l.step)).toEqual([0, 2, 4]);
      expect(Object.keys(log[0]).sort()).toEqual(r.task === 'path' ? ['idAcc', 'step', 'trainAcc', 'wallSeconds'] : ['idAcc', 'oodAcc', 'step', 'trainAcc', 'wallSeconds']);
    }
    // same size: the diffusion encoder adds only the mask token (embedding row + head column) and one position
    const comp = parsed.runs.filter((r) => r.task === 'composition');
    expect(Math.abs(comp[0]!.params - comp[1]!.params)).toBe(3 * 16);
    expect(parsed.summary.path!.ar!.ood).toBeNull();
    expect(parsed.summary.comparison!.diffusion!.id.n).toBe(1);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
    expect(existsSync(join(out, 'report.md'))).toBe(true);
  });

  it('builds [prompt | answer] sequences from the datasets', () => {
    const t = makeTask('path', 0, { nTrain: 5, testSize: 3 });
    expect([t.promptLen, t.answerLen, t.vocabSize]).toEqual([16, 4, 34]);
    expect(t.ood).toBeNull();
    const s = sequences(t, t.train, [1]);
    expect(Array.from(s.slice(0, 16))).toEqual(Array.from(t.train.prompt.slice(16, 32)));
    expect(Array.from(s.slice(16))).toEqual(Array.from(t.train.answer.slice(4, 8)));
    expect(s[16]).toBe(s[13]); // the path starts at the query's start node
  });

  it('rejects bad arguments', () => {
    expect(() => parse(['--bogus'])).toThrow();
  });
});
