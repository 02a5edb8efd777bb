import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { orthogonalGrad } from '../src/index.js';

function apply(w: number[], grad: number[], shape = [w.length]): number[] {
  const p = g.tensor(w, { dtype: 'float64', shape });
  const t = orthogonalGrad();
  const r = t.update({ p: g.tensor(grad, { dtype: 'float64', shape }) }, t.init({ p }), { p });
  return Array.from(r.grads.p!.dataSync());
}

describe('orthogonalGrad', () => {
  it('hand example: w = [1, 0], g = [1, 1] → [0, √2]', () => {
    const got = apply([1, 0], [1, 1]);
    expect(got[0]).toBe(0);
    expect(got[1]).toBeCloseTo(Math.SQRT2, 15);
  });

  it('w = [3, 4], g = [1, 2]: g⊥ = g − (11/25)·w = [−0.32, 0.24], rescaled to ‖g‖ = √5', () => {
    const got = apply([3, 4], [1, 2]);
    const s = Math.sqrt(5) / 0.4; // ‖g⊥‖ = 0.4
    expect(got[0]).toBeCloseTo(-0.32 * s, 13);
    expect(got[1]).toBeCloseTo(0.24 * s, 13);
  });

  it('random 2-D parameter: orthogonal to w, same norm as g', () => {
    const r = g.rng(4);
    const w = Array.from({ length: 12 }, () => r.normal());
    const gr = Array.from({ length: 12 }, () => r.normal());
    const out = apply(w, gr, [3, 4]);
    const dot = out.reduce((s, v, i) => s + v * w[i]!, 0);
    expect(Math.abs(dot)).toBeLessThan(1e-12);
    const norm = (v: number[]) => Math.hypot(...v);
    expect(norm(out)).toBeCloseTo(norm(gr), 12);
  });

  it('zero weights leave g unchanged; g parallel to w gives zero', () => {
    expect(apply([0, 0], [1, -2])).toEqual([1, -2]);
    expect(apply([1, 2], [2, 4])).toEqual([0, 0]);
  });

  it('checks the parameter tree and eps', () => {
    const p = g.zeros([2]);
    const t = orthogonalGrad();
    expect(() => t.update({ q: g.zeros([2]) }, null, { p })).toThrow(/orthogonalGrad: parameter names differ \(missing: p; unexpected: q\)/);
    expect(() => orthogonalGrad({ eps: -1 })).toThrow(/expected a finite eps ≥ 0, got -1/);
  });
});
