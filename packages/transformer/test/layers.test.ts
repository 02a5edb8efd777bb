import { describe, expect, it } from 'vitest';
import { erf, matmul, randn, rng, tensor } from '@grokkit/core';
import { LearnedPositions, MLP, Rotary, SinusoidalPositions, sinusoidalTable } from '../src/index.js';
import { gradcheckModule, input64, maxAbsDiff } from './helpers.js';

describe('MLP', () => {
  const phi = (v: number) => 0.5 * (1 + erfJs(v / Math.SQRT2));
  function erfJs(v: number): number {
    return erf(tensor([v], { dtype: 'float64' })).item();
  }
  const acts = { gelu: (v: number) => v * phi(v), relu: (v: number) => Math.max(0, v), silu: (v: number) => v / (1 + Math.exp(-v)) };

  for (const [name, f] of Object.entries(acts) as [keyof typeof acts, (v: number) => number][]) {
    it(`${name}: fc2(act(fc1 x)) with hidden = ratio·dim, and gradcheck`, () => {
      const m = new MLP(4, { ratio: 2.5, activation: name, rng: rng(7), dtype: 'float64' });
      expect(m.hidden).toBe(10);
      expect(m.fc1.weight.shape).toEqual([10, 4]);
      const x = input64([2, 3, 4], rng(8));
      const h = matmul(x.detach(), m.fc1.weight.detach().T).add(m.fc1.bias!.detach());
      const a = tensor(Array.from(h.dataSync(), f), { shape: h.shape as number[], dtype: 'float64' });
      const want = matmul(a, m.fc2.weight.detach().T).add(m.fc2.bias!.detach());
      expect(maxAbsDiff(m.forward(x), want)).toBeLessThan(1e-12);
      gradcheckModule(m, ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'], [x], (xx) => m.forward(xx));
    });
  }

  it('an explicit hidden width overrides the ratio', () => {
    expect(new MLP(8, { hidden: 3 }).fc2.weight.shape).toEqual([8, 3]);
  });
});

describe('Rotary', () => {
  it('rotates each (i, i + d/2) pair by p·θ_i', () => {
    const rot = new Rotary(4, 8, { dtype: 'float64', base: 100 });
    const x = tensor([[[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]], { dtype: 'float64' });
    const y = rot.forward(x).toArray() as number[][][];
    for (let p = 0; p < 3; p++) {
      const th = [p, p / 10]; // θ_i = 100^(−2i/4)
      const [x0, x1, x2, x3] = [1, 2, 3, 4];
      const want = [
        x0 * Math.cos(th[0]!) - x2 * Math.sin(th[0]!),
        x1 * Math.cos(th[1]!) - x3 * Math.sin(th[1]!),
        x2 * Math.cos(th[0]!) + x0 * Math.sin(th[0]!),
        x3 * Math.cos(th[1]!) + x1 * Math.sin(th[1]!),
      ];
      y[0]![p]!.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
    }
  });

  it('preserves norms, and q·k depends only on the position difference', () => {
    const rot = new Rotary(8, 16, { dtype: 'float64' });
    const q = randn([1, 1, 8], { rng: rng(9), dtype: 'float64' });
    const k = randn([1, 1, 8], { rng: rng(10), dtype: 'float64' });
    const dot = (m: number, n: number) => rot.forward(q, m).mul(rot.forward(k, n)).sum().item();
    expect(dot(3, 1)).toBeCloseTo(dot(9, 7), 10);
    expect(dot(5, 5)).toBeCloseTo(q.mul(k).sum().item(), 10);
    expect(rot.forward(q, 6).square().sum().item()).toBeCloseTo(q.square().sum().item(), 10);
  });

  it('gradcheck', () => {
    const rot = new Rotary(6, 5, { dtype: 'float64' });
    const x = input64([2, 4, 6], rng(11));
    gradcheckModule(rot, [], [x], (xx) => rot.forward(xx, 1));
  });
});

describe('position embeddings', () => {
  it('sinusoidal table: sin at even, cos at odd dims, frequencies base^(−2i/d)', () => {
    const t = sinusoidalTable(3, 6);
    expect(Array.from(t.slice(0, 6))).toEqual([0, 1, 0, 1, 0, 1]);
    expect(t[6 + 0]).toBeCloseTo(Math.sin(1), 12);
    expect(t[6 + 1]).toBeCloseTo(Math.cos(1), 12);
    expect(t[12 + 2]).toBeCloseTo(Math.sin(2 / 10000 ** (2 / 6)), 12);
    expect(t[12 + 5]).toBeCloseTo(Math.cos(2 / 10000 ** (4 / 6)), 12);
    const sp = new SinusoidalPositions(3, 6, { dtype: 'float64' });
    const x = randn([2, 3, 6], { rng: rng(12), dtype: 'float64' });
    expect(maxAbsDiff(sp.forward(x).sub(x), tensor(t, { shape: [3, 6], dtype: 'float64' }).expand([2, 3, 6]))).toBeLessThan(1e-15);
    expect(sp.numParameters()).toBe(0);
  });

  it('learned positions add the first T rows of the table', () => {
    const lp = new LearnedPositions(5, 4, { rng: rng(13) });
    const x = randn([2, 3, 4], { rng: rng(14) });
    expect(maxAbsDiff(lp.forward(x).sub(x), lp.weight.slice(0, 0, 3).expand([2, 3, 4]))).toBeLessThan(1e-6);
  });
});
