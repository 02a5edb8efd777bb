import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { gradcheck } from '../src/testing.js';
import { close, leaf } from './helpers.js';

const { tensor } = g;

describe('composites: gradient checks (float64)', () => {
  const cases: Record<string, () => unknown> = {
    softmax: () => gradcheck((x) => x.softmax(-1), [leaf([3, 4])]),
    'softmax dim 0': () => gradcheck((x) => x.softmax(0), [leaf([3, 2])]),
    logSoftmax: () => gradcheck((x) => x.logSoftmax(1), [leaf([2, 5])]),
    stableMax: () => gradcheck((x) => g.stableMax(x), [leaf([2, 4], { awayFromZero: true })]),
    logStableMax: () => gradcheck((x) => g.logStableMax(x), [leaf([2, 4], { awayFromZero: true })]),
    crossEntropy: () => gradcheck((x) => g.crossEntropy(x, tensor([1, 0, 3], { dtype: 'int32' })), [leaf([3, 4])]),
    'crossEntropy sum + smoothing': () =>
      gradcheck((x) => g.crossEntropy(x, tensor([2, 2], { dtype: 'int32' }), { reduction: 'sum', labelSmoothing: 0.1 }), [leaf([2, 3])]),
    'crossEntropy [N,C,d]': () => gradcheck((x) => g.crossEntropy(x, tensor([[0, 2], [1, 1]], { dtype: 'int32' })), [leaf([2, 3, 2])]),
    mseLoss: () => gradcheck((a, b) => g.mseLoss(a, b), [leaf([2, 3]), leaf([2, 3])]),
    'mseLoss sum': () => gradcheck((a, b) => g.mseLoss(a, b, { reduction: 'sum' }), [leaf([2, 3]), leaf([2, 3])]),
    layerNorm: () => gradcheck((x, w, b) => g.layerNorm(x, [4], w, b), [leaf([3, 4]), leaf([4]), leaf([4])]),
    'layerNorm 2 dims': () => gradcheck((x) => g.layerNorm(x, [2, 3]), [leaf([2, 2, 3])]),
    rmsNorm: () => gradcheck((x, w) => g.rmsNorm(x, [4], w), [leaf([3, 4]), leaf([4])]),
    'rmsNorm 2 dims': () => gradcheck((x) => g.rmsNorm(x, [2, 3], null, 0), [leaf([2, 2, 3])]),
    gelu: () => gradcheck((x) => x.gelu(), [leaf([6])]),
    'gelu tanh': () => gradcheck((x) => x.gelu('tanh'), [leaf([6])]),
    silu: () => gradcheck((x) => x.silu(), [leaf([6])]),
    sigmoid: () => gradcheck((x) => x.sigmoid(), [leaf([6])]),
    relu: () => gradcheck((x) => x.relu(), [leaf([6], { awayFromZero: true })]),
    abs: () => gradcheck((x) => x.abs(), [leaf([6], { awayFromZero: true })]),
    minimum: () => gradcheck((a, b) => a.minimum(b), [leaf([2, 3]), leaf([3])]),
    clamp: () => gradcheck((x) => x.clamp(-0.5, 0.5), [leaf([8], { awayFromZero: true })]),
    var: () => gradcheck((x) => x.var(1), [leaf([2, 5])]),
    std: () => gradcheck((x) => x.std(), [leaf([7])]),
    mean: () => gradcheck((x) => x.mean([0, 2]), [leaf([2, 3, 2])]),
    rsqrt: () => gradcheck((x) => x.rsqrt(), [leaf([3], { positive: true })]),
    'linear layer': () => {
      const w = leaf([3, 4]);
      const b = leaf([3]);
      return gradcheck((x, w, b) => g.mm(x.reshape(1, 2, 4), w.reshape(1, 3, 4), false, true).add(b), [leaf([2, 4]), w, b]);
    },
  };
  for (const [name, fn] of Object.entries(cases)) it(name, () => expect(fn()).toBeLessThan(1e-4));
});

describe('composites: values', () => {
  it('softmax is stable for large logits and sums to one', () => {
    const p = tensor([[1000, 1001, 1002], [-1000, 0, 1000]]).softmax(-1);
    close(p.sum(-1).dataSync(), [1, 1], 1e-6);
    close(p.dataSync().slice(0, 3), [0.09003057, 0.24472847, 0.66524096], 1e-6);
  });

  it('logSoftmax equals log of softmax', () => {
    const x = g.randn([4, 7], { rng: g.rng(3), dtype: 'float64' });
    close(x.logSoftmax(-1).dataSync(), x.softmax(-1).log().dataSync(), 1e-12);
  });

  it('crossEntropy equals the mean negative log-likelihood', () => {
    const x = tensor([[2, 1, 0.1], [0.5, 2.5, 0.3]], { dtype: 'float64' });
    const t = tensor([0, 2], { dtype: 'int32' });
    const lp = x.logSoftmax(1).toArray() as number[][];
    expect(g.crossEntropy(x, t).item()).toBeCloseTo(-(lp[0]![0]! + lp[1]![2]!) / 2, 12);
    expect(g.crossEntropy(x, t, { reduction: 'none' }).shape).toEqual([2]);
  });

  it('gelu matches x·Φ(x)', () => {
    const xs = [-3, -1, -0.5, 0, 0.5, 1, 3];
    const phi = [0.0013498980316301, 0.15865525393145707, 0.3085375387259869, 0.5, 0.6914624612740131, 0.8413447460685429, 0.9986501019683699];
    close(tensor(xs, { dtype: 'float64' }).gelu().dataSync(), xs.map((x, i) => x * phi[i]!), 1e-13);
  });

  it('layerNorm normalises the last dims (biased variance)', () => {
    const y = g.layerNorm(tensor([[1, 2, 3, 4]], { dtype: 'float64' }), [4], null, null, 0);
    const s = Math.sqrt(1.25);
    close(y.dataSync(), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-12);
  });

  it('stableMax follows s(x) = x+1 (x ≥ 0), 1/(1−x) (x < 0)', () => {
    const p = g.stableMax(tensor([-1, 0, 2], { dtype: 'float64' })).dataSync();
    close(p, [0.5 / 4.5, 1 / 4.5, 3 / 4.5], 1e-12);
  });

  it('dropout is seeded, scales kept values and is identity in eval', () => {
    const x = g.ones([1000]);
    const a = g.dropout(x, 0.25, { rng: g.rng(7) }).dataSync();
    const b = g.dropout(x, 0.25, { rng: g.rng(7) }).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const kept = Array.from(a).filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)]));
    expect(kept.length).toBeGreaterThan(700);
    expect(kept.length).toBeLessThan(800);
    expect(g.dropout(x, 0.5, { training: false })).toBe(x);
  });

  it('oneHot', () => {
    expect(g.oneHot(tensor([2, 0], { dtype: 'int32' }), 3).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
  });

  it('sigmoid does not produce NaN gradients at extreme inputs', () => {
    const x = tensor([-1000, -50, 0, 50, 1000], { requiresGrad: true });
    x.sigmoid().sum().backward();
    const gr = Array.from(x.grad!.dataSync());
    expect(gr.every(Number.isFinite)).toBe(true);
    expect(gr[2]).toBeCloseTo(0.25, 6);
  });
});
