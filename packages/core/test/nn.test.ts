import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';

describe('nn', () => {
  it('parameters have stable dotted names', () => {
    const m = new g.Sequential(new g.Linear(2, 3, { rng: g.rng(0) }), new g.LayerNorm(3), new g.Linear(3, 1, { bias: false, rng: g.rng(0) }));
    expect(Object.keys(m.namedParameters())).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.2.weight']);
    expect(m.numParameters()).toBe(6 + 3 + 3 + 3 + 3);
  });

  it('Linear computes x Wᵀ + b with PyTorch init bounds', () => {
    const l = new g.Linear(4, 2, { rng: g.rng(1) });
    const w = l.weight.toArray() as number[][];
    for (const row of w) for (const v of row) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
    const x = g.tensor([[1, 2, 3, 4]]);
    const want = w.map((row, j) => row.reduce((s, v, i) => s + v * (i + 1), 0) + l.bias!.dataSync()[j]!);
    const got = l.forward(x).dataSync();
    expect(got[0]).toBeCloseTo(want[0]!, 5);
    expect(got[1]).toBeCloseTo(want[1]!, 5);
    expect(() => l.forward(g.ones([1, 3]))).toThrow(/Linear: expected input of shape \[\.\.\., 4\], got \[1, 3\]/);
  });

  it('Embedding looks up rows', () => {
    const e = new g.Embedding(5, 2, { rng: g.rng(2) });
    const out = e.forward(g.tensor([[4, 0]], { dtype: 'int32' }));
    const w = e.weight.toArray() as number[][];
    expect(out.toArray()).toEqual([[w[4], w[0]]]);
  });

  it('the same seed gives the same model and the same losses', () => {
    const losses = () => {
      const r = g.rng(11);
      const m = new g.Sequential(new g.Linear(2, 8, { rng: r }), new g.Activation('tanh'), new g.Linear(8, 1, { rng: r }));
      const opt = new g.Optimizer(m.namedParameters(), g.adam({ lr: 0.05 }));
      const x = g.randn([20, 2], { rng: r });
      const y = x.sum(1, true).sin();
      return Array.from({ length: 10 }, () =>
        g.tidy(() => {
          const l = g.mseLoss(m.forward(x), y);
          l.backward();
          opt.update();
          opt.zeroGrad();
          return l.item();
        }),
      );
    };
    const a = losses();
    expect(losses()).toEqual(a);
    expect(a[9]!).toBeLessThan(a[0]!);
  });

  it('loadStateDict validates before copying', () => {
    const a = new g.Linear(2, 2, { rng: g.rng(0) });
    const b = new g.Linear(2, 2, { rng: g.rng(1) });
    b.loadStateDict(a.namedParameters());
    expect(b.weight.toArray()).toEqual(a.weight.toArray());
    expect(() => b.loadStateDict({ weight: a.weight })).toThrow(/missing: bias/);
  });

  it('gradients accumulate across backward calls', () => {
    const x = g.tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([6, 6]);
  });
});
