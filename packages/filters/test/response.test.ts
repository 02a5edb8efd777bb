import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { butterworth, frequencyResponse, grokfastEma, grokfastMa, isStable, lti, transferAt } from '../src/index.js';

describe('butterworth', () => {
  it('first order has the closed form of the bilinear transform', () => {
    for (const wc of [0.05, 0.3, 0.7]) {
      const K = Math.tan((Math.PI * wc) / 2);
      const { b, a } = butterworth({ order: 1, cutoff: wc });
      expect(b[0]).toBeCloseTo(K / (1 + K), 14);
      expect(b[1]).toBeCloseTo(K / (1 + K), 14);
      expect(a[0]).toBe(1);
      expect(a[1]).toBeCloseTo((K - 1) / (K + 1), 14);
    }
  });

  it('second order has the closed form; cutoff ½ gives b ∝ [1, 2, 1], a = [1, 0, (2−√2)/(2+√2)]', () => {
    const K = Math.tan((Math.PI * 0.1) / 2);
    const d = K * K + Math.SQRT2 * K + 1;
    const { b, a } = butterworth({ order: 2, cutoff: 0.1 });
    [K * K / d, (2 * K * K) / d, (K * K) / d].forEach((v, i) => expect(b[i]).toBeCloseTo(v, 14));
    [1, (2 * (K * K - 1)) / d, (K * K - Math.SQRT2 * K + 1) / d].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 14));
    const half = butterworth({ order: 2, cutoff: 0.5 });
    [1, 2, 1].forEach((v, i) => expect(half.b[i]).toBeCloseTo(v / (2 + Math.SQRT2), 14));
    expect(half.a[1]).toBeCloseTo(0, 14);
    expect(half.a[2]).toBeCloseTo((2 - Math.SQRT2) / (2 + Math.SQRT2), 14);
  });

  it('DC gain 1, gain 1/√2 at the cutoff, monotone decreasing, zero at Nyquist, stable', () => {
    for (const order of [1, 2, 3, 4, 6, 8]) {
      for (const cutoff of [0.02, 0.1, 0.5, 0.9]) {
        if (order === 8 && cutoff === 0.02) continue; // direct-form coefficients lose ~1e-6 here (see docs)
        const digits = order <= 4 ? 9 : 6;
        const { b, a } = butterworth({ order, cutoff });
        expect(isStable(a)).toBe(true);
        const mag = (w: number) => Math.hypot(...transferAt(b, a, w));
        expect(mag(0)).toBeCloseTo(1, 10);
        expect(mag(Math.PI * cutoff)).toBeCloseTo(Math.SQRT1_2, digits);
        expect(mag(Math.PI)).toBeLessThan(1e-6);
        let prev = Infinity;
        for (let i = 0; i <= 512; i++) {
          const m = mag((Math.PI * i) / 512);
          expect(m).toBeLessThanOrEqual(prev + 1e-9); // maximally flat at DC: allow rounding noise
          prev = m;
        }
        // the Butterworth magnitude law, mapped by ω → tan(ω/2)
        const w = Math.PI * cutoff * 0.7;
        const ratio = Math.tan(w / 2) / Math.tan((Math.PI * cutoff) / 2);
        expect(mag(w)).toBeCloseTo(1 / Math.sqrt(1 + ratio ** (2 * order)), digits);
      }
    }
  });

  it('rejects bad designs', () => {
    expect(() => butterworth({ order: 0, cutoff: 0.1 })).toThrow(/expected order to be a positive integer, got 0/);
    expect(() => butterworth({ order: 2.5, cutoff: 0.1 })).toThrow(/got 2\.5/);
    expect(() => butterworth({ order: 2, cutoff: 1 })).toThrow(/expected 0 < cutoff < 1 \(a fraction of Nyquist\), got 1/);
    expect(() => butterworth({ order: 2, cutoff: 0 })).toThrow(/got 0/);
  });
});

describe('frequencyResponse', () => {
  it('EMA matches H(ω) = λ(1−α)/(1 − α e^{−iω}), gain 1 + λ at ω = 0', () => {
    const [alpha, lamb] = [0.98, 2];
    const r = frequencyResponse({ kind: 'ema', alpha, lamb }, 65);
    expect(r.omega[0]).toBe(0);
    expect(r.omega[64]).toBeCloseTo(Math.PI, 15);
    expect(r.magnitude[0]).toBeCloseTo(1 + lamb, 12);
    expect(r.phase[0]).toBe(0);
    for (let i = 0; i < 65; i++) {
      const w = r.omega[i]!;
      const dr = 1 - alpha * Math.cos(w);
      const di = alpha * Math.sin(w);
      const d = dr * dr + di * di;
      const hr = (lamb * (1 - alpha) * dr) / d;
      const hi = (-lamb * (1 - alpha) * di) / d;
      expect(r.magnitude[i]).toBeCloseTo(Math.hypot(1 + hr, hi), 12);
      expect(r.phase[i]).toBeCloseTo(Math.atan2(hi, 1 + hr), 12);
      expect(r.filterMagnitude[i]).toBeCloseTo(Math.hypot(hr, hi), 12);
    }
    // at Nyquist: 1 + λ(1−α)/(1+α)
    expect(r.magnitude[64]).toBeCloseTo(1 + (lamb * (1 - alpha)) / (1 + alpha), 12);
  });

  it('MA: 1 + λ at DC, exactly 1 at multiples of 2π/w (the moving average has zeros there)', () => {
    const r = frequencyResponse({ kind: 'ma', windowSize: 4, lamb: 5, filterType: 'mean' }, 5); // ω = 0, π/4, π/2, 3π/4, π
    expect(r.magnitude[0]).toBeCloseTo(6, 12);
    expect(r.magnitude[2]).toBeCloseTo(1, 12);
    expect(r.magnitude[4]).toBeCloseTo(1, 12);
    // Dirichlet kernel at π/4: |Σ e^{−iωk}|/w = |sin(wω/2)/(w sin(ω/2))|
    const h = Math.sin(Math.PI / 2) / (4 * Math.sin(Math.PI / 8));
    const phase = (-3 * Math.PI) / 8; // −(w−1)ω/2
    expect(r.filterMagnitude[1]).toBeCloseTo(5 * h, 12);
    expect(r.magnitude[1]).toBeCloseTo(Math.hypot(1 + 5 * h * Math.cos(phase), 5 * h * Math.sin(phase)), 12);
    const sum = frequencyResponse({ kind: 'ma', windowSize: 4, lamb: 5, filterType: 'sum' }, 5);
    expect(sum.magnitude[0]).toBeCloseTo(21, 12);
  });

  it('accepts filters carrying their spec, raw {b, a, lamb}, and lti specs alike', () => {
    const a = frequencyResponse(grokfastEma({ alpha: 0.9, lamb: 3 }), 17);
    const b = frequencyResponse({ b: [0.1], a: [1, -0.9], lamb: 3 }, 17);
    const c = frequencyResponse(lti({ b: [0.2], a: [2, -1.8], lamb: 3 }), 17);
    for (let i = 0; i < 17; i++) {
      expect(b.magnitude[i]).toBeCloseTo(a.magnitude[i]!, 12);
      expect(c.magnitude[i]).toBeCloseTo(a.magnitude[i]!, 12);
      expect(c.phase[i]).toBeCloseTo(a.phase[i]!, 12);
    }
    expect(frequencyResponse(grokfastMa({ windowSize: 10, lamb: 2 }), 3).magnitude[0]).toBeCloseTo(3, 12);
    const bw = frequencyResponse(lti({ ...butterworth({ order: 4, cutoff: 0.25 }), lamb: 2 }), 5); // ω = π/4 is the cutoff
    expect(bw.magnitude[0]).toBeCloseTo(3, 10);
    expect(bw.filterMagnitude[1]).toBeCloseTo(2 * Math.SQRT1_2, 10);
    expect(() => frequencyResponse({ kind: 'ema', alpha: 0.9, lamb: 1 }, 1)).toThrow(/expected n ≥ 2 frequencies, got 1/);
  });

  it('a sinusoidal gradient is amplified by |1 + H(ω)|: ≈ 1 + λ when slow, ≈ 1 when fast (measured in steady state)', () => {
    const [alpha, lamb] = [0.98, 2];
    const N = 4096;
    const wLo = (2 * Math.PI) / N; // one period over the measurement window
    const wHi = (2 * Math.PI * 1000) / N; // ≈ 1.53 rad/step
    const t = grokfastEma({ alpha, lamb });
    const p = g.zeros([2], { dtype: 'float64' });
    let state = t.init({ p });
    const settle = 600; // α^600 ≈ 5e-6
    const out: number[][] = [];
    for (let n = 0; n < settle + N; n++) {
      const r = g.tidy(() => {
        const res = t.update({ p: g.tensor([Math.sin(wLo * n), Math.sin(wHi * n)], { dtype: 'float64' }) }, state, { p });
        return { v: Array.from(res.grads.p!.dataSync()), s: res.state };
      });
      for (const x of g.tensorsIn(state)) if (!g.tensorsIn(r.s).has(x)) x.dispose();
      state = r.s;
      if (n >= settle) out.push(r.v);
    }
    // amplitude by projecting onto sin and cos over whole periods
    const amp = (j: number, w: number) => {
      let s = 0;
      let c = 0;
      out.forEach((v, i) => {
        s += v[j]! * Math.sin(w * (i + settle));
        c += v[j]! * Math.cos(w * (i + settle));
      });
      return (2 / N) * Math.hypot(s, c);
    };
    const resp = (w: number) => {
      const [hr, hi] = transferAt([lamb * (1 - alpha)], [1, -alpha], w);
      return Math.hypot(1 + hr, hi);
    };
    const lo = amp(0, wLo);
    const hi = amp(1, wHi);
    expect(lo).toBeCloseTo(resp(wLo), 4);
    expect(hi).toBeCloseTo(resp(wHi), 4);
    expect(Math.abs(lo - (1 + lamb)) / (1 + lamb)).toBeLessThan(0.01);
    expect(Math.abs(hi - 1)).toBeLessThan(0.03);
  });
});
