import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { fft, hann, rfft } from '../src/index.js';

function dft(re: number[], im: number[]): [number[], number[]] {
  const n = re.length;
  const or: number[] = [];
  const oi: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      sr += re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
      si += re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
    }
    or.push(sr);
    oi.push(si);
  }
  return [or, oi];
}

describe('fft', () => {
  it('complex FFT equals the direct DFT', () => {
    const r = g.rng(1);
    for (const n of [1, 2, 4, 8, 64]) {
      const re = Array.from({ length: n }, () => r.normal());
      const im = Array.from({ length: n }, () => r.normal());
      const [wr, wi] = dft(re, im);
      const xr = Float64Array.from(re);
      const xi = Float64Array.from(im);
      fft(xr, xi);
      for (let k = 0; k < n; k++) {
        expect(xr[k]).toBeCloseTo(wr[k]!, 10);
        expect(xi[k]).toBeCloseTo(wi[k]!, 10);
      }
    }
  });

  it('real FFT equals the first N/2+1 DFT bins', () => {
    const r = g.rng(2);
    for (const n of [2, 4, 16, 256]) {
      const x = Array.from({ length: n }, () => r.normal());
      const [wr, wi] = dft(x, x.map(() => 0));
      const { re, im } = rfft(x);
      expect(re.length).toBe(n / 2 + 1);
      for (let k = 0; k <= n / 2; k++) {
        expect(re[k]).toBeCloseTo(wr[k]!, 10);
        expect(im[k]).toBeCloseTo(wi[k]!, 10);
      }
    }
  });

  it('known transforms: impulse → flat, cosine → two half-height lines', () => {
    const imp = rfft([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(imp.re)).toEqual([1, 1, 1, 1, 1]);
    const c = rfft(Array.from({ length: 16 }, (_, t) => Math.cos((2 * Math.PI * 3 * t) / 16)));
    c.re.forEach((v, k) => expect(v).toBeCloseTo(k === 3 ? 8 : 0, 12));
    c.im.forEach((v) => expect(v).toBeCloseTo(0, 12));
  });

  it('periodic Hann window and errors', () => {
    const w = hann(4);
    [0, 0.5, 1, 0.5].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 15));
    expect(() => rfft([1, 2, 3])).toThrow(/expected a power-of-two length ≥ 2, got 3/);
    expect(() => fft(new Float64Array(6), new Float64Array(6))).toThrow(/expected a power-of-two length, got 6/);
  });
});
