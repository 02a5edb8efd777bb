import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { lossWeight, maskProbability, maskTokens, sampleTimes } from '../src/index.js';

describe('masking (forward process)', () => {
  const b = 100;
  const len = 40;
  const x0 = g.randint(0, 10, [b, len], { rng: g.rng(0) });

  it('masks each token with probability t (empirical rate within 3 standard errors)', () => {
    for (const t of [0.1, 0.5, 0.9]) {
      const { xt, masked } = maskTokens(x0, t, { maskId: 10, rng: g.rng(1) });
      const rate = g.mean(masked).item();
      const se = Math.sqrt((t * (1 - t)) / (b * len));
      expect(Math.abs(rate - maskProbability(t))).toBeLessThan(3 * se);
      // x_t is x0 where visible and the mask id where masked
      const xs = xt.dataSync(), ms = masked.dataSync(), x = x0.dataSync();
      for (let i = 0; i < xs.length; i++) expect(xs[i]).toBe(ms[i] ? 10 : x[i]);
    }
    expect(lossWeight(0.25)).toBe(4);
  });

  it('uses a per-row time and never masks prompt positions', () => {
    const times = Array.from({ length: b }, (_, i) => (i % 2 === 0 ? 0.2 : 0.8));
    const { masked } = maskTokens(x0, times, { maskId: 10, promptLength: 10, rng: g.rng(2) });
    const m = masked.toArray() as boolean[][];
    let even = 0, odd = 0;
    m.forEach((row, i) => {
      expect(row.slice(0, 10).every((v) => !v)).toBe(true);
      const c = row.slice(10).filter(Boolean).length;
      if (i % 2 === 0) even += c;
      else odd += c;
    });
    expect(even / (50 * 30)).toBeCloseTo(0.2, 1);
    expect(odd / (50 * 30)).toBeCloseTo(0.8, 1);
    const only = maskTokens(x0, 1, { maskId: 10, maskable: g.tensor(Array.from({ length: len }, (_, j) => j % 3 === 0)) });
    const om = only.masked.toArray() as boolean[][];
    expect(om.every((row) => row.every((v, j) => v === (j % 3 === 0)))).toBe(true);
  });

  it('samples t ~ U(ε, 1), stratified over a batch', () => {
    const t = Array.from(sampleTimes(10000, { rng: g.rng(4), eps: 0.01 }).dataSync());
    expect(Math.min(...t)).toBeGreaterThanOrEqual(0.01);
    expect(Math.max(...t)).toBeLessThan(1);
    expect(t.reduce((a, x) => a + x, 0) / t.length).toBeCloseTo(0.505, 1);
    const s = Array.from(sampleTimes(8, { rng: g.rng(5), eps: 0.01, stratified: true }).dataSync()).sort();
    // one draw in each eighth of (ε, 1)
    s.forEach((v, i) => expect(Math.floor(((v - 0.01) / 0.99) * 8 + 1e-6)).toBe(i));
  });

  it('rejects bad inputs with messages that say what was expected', () => {
    expect(() => maskTokens(x0, 1.5, { maskId: 10 })).toThrow(/times in \[0, 1\]/);
    expect(() => maskTokens(x0, 0.5, { maskId: 3 })).toThrow(/already holds the mask token 3/);
    expect(() => maskTokens(x0, 0.5, { maskId: 10, promptLength: 41 })).toThrow(/promptLength/);
    expect(() => sampleTimes(4, { eps: 0 })).toThrow(/eps/);
  });
});
