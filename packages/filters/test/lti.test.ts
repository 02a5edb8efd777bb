import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { butterworth, grokfastEma, grokfastMa, isStable, lti, poles, spectralRadius } from '../src/index.js';
import { expectClose, runBits, runSeq } from './helpers.js';

describe('lti: difference equations', () => {
  it('FIR first difference from rest', () => {
    // y = g[n] − g[n−1] = 1, 3, 5, 7
    expect(runSeq(lti({ b: [1, -1] }), [[1], [4], [9], [16]])).toEqual([[2], [7], [14], [23]]);
  });

  it('first-order IIR normalised by a₀, zero and first-gradient starts', () => {
    // 2y[n] = g[n] + y[n−1]: y = 1, 1.5, 1.75, 1.875 from rest
    const seq = [[2], [2], [2], [2]];
    expect(runSeq(lti({ b: [1], a: [2, -1], lamb: 2 }), seq)).toEqual([[4], [5], [5.5], [5.75]]);
    // started in steady state for a constant input: y = DC gain · 2 = 2 throughout
    expect(runSeq(lti({ b: [1], a: [2, -1], lamb: 2, init: 'first' }), seq)).toEqual([[6], [6], [6], [6]]);
  });

  it('second-order feedback with a zero coefficient', () => {
    // y[n] = g[n] + 0.25 y[n−2]: impulse then a unit at n = 4
    expect(runSeq(lti({ b: [1], a: [1, 0, -0.25] }), [[1], [0], [0], [0], [1]])).toEqual([[2], [0], [0.25], [0], [2.0625]]);
  });

  it("init 'first' fills past inputs with g[0] and past outputs with DC gain · g[0]", () => {
    // b = [1, 1], a = [1, −0.5]: DC gain 2/0.5 = 4; y0 = 4, y1 = 2 + 1 + 0.5·4 = 5
    expect(runSeq(lti({ b: [1, 1], a: [1, -0.5], init: 'first' }), [[1], [2]])).toEqual([[5], [7]]);
  });
});

describe('lti reproduces the Grokfast filters', () => {
  it('EMA: b = [1−α], a = [1, −α], init first is bit-identical to grokfastEma (float32)', () => {
    const r = g.rng(11);
    const seq = Array.from({ length: 40 }, () => Float32Array.from({ length: 5 }, () => r.normal()));
    for (const [alpha, lamb] of [[0.98, 2], [0.9, 0.5], [0.8, 5]] as const) {
      const viaLti = runBits(lti({ b: [1 - alpha], a: [1, -alpha], lamb, init: 'first' }), seq);
      const direct = runBits(grokfastEma({ alpha, lamb }), seq);
      expect(viaLti).toEqual(direct);
    }
  });

  it('EMA from rest (init zero) differs: it is the zero-started EMA', () => {
    const got = runSeq(lti({ b: [0.5], a: [1, -0.5], lamb: 1 }), [[4], [4]]);
    expect(got).toEqual([[6], [7]]); // y = 2, 3
  });

  const r = g.rng(12);
  const w = 4;
  const xs = Array.from({ length: 30 }, () => [r.normal(), r.normal()]);

  it("MA 'sum' (no warmup) equals the FIR of w ones from rest, at every step", () => {
    const ma = runSeq(grokfastMa({ windowSize: w, lamb: 3, filterType: 'sum', warmup: false }), xs);
    const fir = runSeq(lti({ b: [1, 1, 1, 1], lamb: 3 }), xs);
    expectClose(fir, ma, 1e-12);
  });

  it("MA 'mean' equals the FIR of w taps 1/w once the queue is full (with or without warmup), not before", () => {
    const fir = runSeq(lti({ b: [1 / w, 1 / w, 1 / w, 1 / w], lamb: 5 }), xs);
    for (const warmup of [false, true]) {
      const ma = runSeq(grokfastMa({ windowSize: w, lamb: 5, warmup }), xs);
      expectClose(fir.slice(w - 1), ma.slice(w - 1), 1e-12);
      // before: the MA averages over fewer entries (or adds nothing), the FIR divides by w
      expect(Math.abs(fir[0]![0]! - ma[0]![0]!)).toBeGreaterThan(1e-3);
    }
  });
});

describe('stability', () => {
  it('Schur–Cohn agrees with the pole moduli', () => {
    expect(isStable([1, -0.98])).toBe(true);
    expect(isStable([1, -1])).toBe(false);
    expect(isStable([1, -2.5, 1])).toBe(false); // roots 2 and 0.5
    expect(isStable([1, 0, 0.81])).toBe(true); // ±0.9i
    expect(isStable([1, 0, 1])).toBe(false); // ±i
    const p = poles([1, -2.5, 1]).map((z) => Math.hypot(z[0], z[1])).sort();
    expect(p[0]).toBeCloseTo(0.5, 10);
    expect(p[1]).toBeCloseTo(2, 10);
    expect(spectralRadius([1, 0, 0.81])).toBeCloseTo(0.9, 10);
    expect(spectralRadius([1])).toBe(0);
  });

  it('rejects unstable and degenerate filters with the facts', () => {
    expect(() => lti({ b: [1], a: [1, -1] })).toThrow(/unstable IIR filter: expected every pole strictly inside the unit circle, but a = \[1,-1\] has a pole of modulus 1\.000000/);
    expect(() => lti({ b: [1], a: [1, -2.5, 1] })).toThrow(/pole of modulus 2\.000000/);
    expect(() => lti({ b: [1], a: [0, 1] })).toThrow(/expected a\[0\] ≠ 0 \(it divides the output\), got a = \[0,1\]/);
    expect(() => lti({ b: [] })).toThrow(/expected b to be a non-empty array of numbers, got \[\]/);
    expect(() => lti({ b: [1, NaN] })).toThrow(/expected b\[1\] to be a finite number, got NaN/);
    expect(() => lti({ b: [1], lamb: Infinity })).toThrow(/expected lamb to be a finite number, got Infinity/);
    expect(() => lti({ b: [1], init: 'ones' as 'zero' })).toThrow(/expected init 'zero' or 'first', got "ones"/);
  });

  it('refuses float32 state when rounding the coefficients moves a pole outside', () => {
    // a pole at 1 − 1e-9: stable in float64, but fround(1 − 1e-9) = 1 puts it on the circle
    const q = 1 - 1e-9;
    const f = lti({ b: [1e-9], a: [1, -q] });
    expect(() => f.init({ p: g.zeros([2]) })).toThrow(/stable in float64 but not once rounded to float32/);
    expect(() => f.init({ p: g.zeros([2], { dtype: 'float64' }) })).not.toThrow();
  });

  it('Butterworth designs run through lti', () => {
    const { b, a } = butterworth({ order: 3, cutoff: 0.1 });
    const got = runSeq(lti({ b, a, lamb: 1 }), Array.from({ length: 400 }, () => [1]));
    expect(got[399]![0]).toBeCloseTo(2, 10); // DC gain 1: g + y → 2
  });
});
