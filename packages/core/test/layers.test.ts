import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { gradcheck } from '../src/testing.js';
import { close, leaf } from './helpers.js';

const { rng, tensor } = g;
const values = (t: g.Tensor) => Array.from(t.dataSync());
const maxAbs = (t: g.Tensor) => Math.max(...values(t).map(Math.abs));

describe('Linear', () => {
  it('draws the weight, then the bias, U(±1/√in) from one generator (PyTorch init, the order checkpoints rely on)', () => {
    const l = new g.Linear(4, 3, { rng: rng(1) });
    const r = rng(1);
    expect(values(l.weight)).toEqual(values(g.rand([3, 4], { low: -0.5, high: 0.5, rng: r })));
    expect(values(l.bias!)).toEqual(values(g.rand([3], { low: -0.5, high: 0.5, rng: r })));
    expect(Object.keys(l.namedParameters())).toEqual(['weight', 'bias']);
  });

  it('takes a dtype, bias on/off and weight/bias init specs', () => {
    const l = new g.Linear(3, 2, { rng: rng(2), dtype: 'float64', weightInit: { uniform: 0.01 }, biasInit: { constant: 0.5 } });
    expect([l.weight.dtype, l.bias!.dtype]).toEqual(['float64', 'float64']);
    expect(maxAbs(l.weight)).toBeLessThanOrEqual(0.01);
    expect(values(l.bias!)).toEqual([0.5, 0.5]);
    const x = g.randn([5, 3], { rng: rng(3), dtype: 'float64' });
    close(values(l.forward(x)), values(g.matmul(x, l.weight.T).add(l.bias!)), 1e-14);
    const n = new g.Linear(3, 2, { bias: false, weightInit: { normal: 2 }, rng: rng(4) });
    expect(n.bias).toBeNull();
    expect(values(n.weight)).toEqual(values(g.randn([2, 3], { std: 2, rng: rng(4) })));
    expect(n.numParameters()).toBe(6);
  });

  it('a constant bias draws nothing: the next layer sees the same stream', () => {
    const r1 = rng(5);
    new g.Linear(2, 2, { rng: r1, biasInit: { constant: 0 } });
    const r2 = rng(5);
    g.rand([2, 2], { rng: r2 });
    expect(values(g.rand([3], { rng: r1 }))).toEqual(values(g.rand([3], { rng: r2 })));
  });

  it('refuses bad arguments with one line naming them', () => {
    expect(() => new g.Linear(0, 2)).toThrow(/^Linear: expected inFeatures to be a positive integer, got 0$/);
    expect(() => new g.Linear(2, 1.5)).toThrow(/^Linear: expected outFeatures to be a positive integer, got 1.5$/);
    expect(() => new g.Linear(2, 2, { dtype: 'int32' as never })).toThrow(/^Linear: expected dtype 'float32' or 'float64', got "int32"$/);
    expect(() => new g.Linear(2, 2, { weightInit: { xavier: 1 } as never })).toThrow(/^init: expected \{ uniform: bound ≥ 0 \}.*, got \{"xavier":1\}$/);
    expect(() => new g.Linear(2, 2, { biasInit: { uniform: -1 } })).toThrow(/got \{"uniform":-1\}$/);
    const l = new g.Linear(4, 2);
    expect(() => l.forward(g.ones([2, 3]))).toThrow(/^Linear: expected input of shape \[\.\.\., 4\], got \[2, 3\]$/);
    expect(() => l.forward(g.ones([2, 4], { dtype: 'int32' }))).toThrow(/^Linear: expected a float input, got int32$/);
  });
});

describe('Embedding', () => {
  it('is an N(0, std²) table in the chosen dtype, with PyTorch field names', () => {
    const e = new g.Embedding(5, 3, { rng: rng(6), std: 0.02, dtype: 'float64' });
    expect([e.numEmbeddings, e.embeddingDim, e.weight.dtype]).toEqual([5, 3, 'float64']);
    expect(values(e.weight)).toEqual(values(g.randn([5, 3], { std: 0.02, rng: rng(6), dtype: 'float64' })));
    const out = e.forward(tensor([[4, 0], [1, 1]], { dtype: 'int32' }));
    expect(out.shape).toEqual([2, 2, 3]);
    const w = e.weight.toArray() as number[][];
    expect((out.toArray() as number[][][])[0]).toEqual([w[4], w[0]]);
  });

  it('refuses ids that are not int32 or not in [0, numEmbeddings)', () => {
    const e = new g.Embedding(5, 2);
    expect(() => e.forward(tensor([1, 2]))).toThrow(/^Embedding: expected ids to be int32, got float32$/);
    expect(() => e.forward(tensor([[0, 5]], { dtype: 'int32' }))).toThrow(/^Embedding: expected ids in \[0, 5\), got 5 at flat index 1$/);
    expect(() => e.forward(tensor([-1], { dtype: 'int32' }))).toThrow(RangeError);
    expect(() => new g.Embedding(5, 2, { std: -1 })).toThrow(/^Embedding: expected std to be a finite number ≥ 0, got -1$/);
  });
});

describe('LayerNorm and RMSNorm', () => {
  it('LayerNorm rows have mean 0 and biased variance 1; the options set eps, the affine parts and the dtype', () => {
    const x = g.randn([3, 16], { rng: rng(7), dtype: 'float64' }).mul(5).add(2);
    const ln = new g.LayerNorm(16, { dtype: 'float64', eps: 1e-3 });
    expect([ln.eps, ln.normalizedShape, ln.weight!.dtype, ln.bias!.dtype]).toEqual([1e-3, [16], 'float64', 'float64']);
    for (const r of ln.forward(x).toArray() as number[][]) {
      const m = r.reduce((a, b) => a + b) / r.length;
      expect(Math.abs(m)).toBeLessThan(1e-12);
      expect(r.reduce((a, b) => a + (b - m) ** 2, 0) / r.length).toBeCloseTo(1, 3);
    }
    expect(new g.LayerNorm(4, { bias: false }).bias).toBeNull();
    const plain = new g.LayerNorm(4, { elementwiseAffine: false });
    expect([plain.weight, plain.bias, plain.numParameters()]).toEqual([null, null, 0]);
  });

  it('LayerNorm over two trailing dims equals the functional layerNorm', () => {
    const ln = new g.LayerNorm([2, 3], { dtype: 'float64' });
    ln.weight!.assign(g.randn([2, 3], { rng: rng(8), dtype: 'float64' }));
    const x = g.randn([4, 2, 3], { rng: rng(9), dtype: 'float64' });
    expect(values(ln.forward(x))).toEqual(values(g.layerNorm(x, [2, 3], ln.weight, ln.bias)));
    expect(() => ln.forward(g.randn([4, 3, 2]))).toThrow(/^LayerNorm: expected input of shape \[\.\.\., 2, 3\], got \[4, 3, 2\]$/);
  });

  it('RMSNorm rows have mean square 1 and keep their direction', () => {
    const x = g.randn([3, 16], { rng: rng(10), dtype: 'float64' }).mul(3);
    const rms = new g.RMSNorm(16, { dtype: 'float64', eps: 0 });
    expect(Object.keys(rms.namedParameters())).toEqual(['weight']);
    const xs = x.toArray() as number[][];
    (rms.forward(x).toArray() as number[][]).forEach((r, i) => {
      expect(r.reduce((a, b) => a + b * b, 0) / r.length).toBeCloseTo(1, 10);
      r.forEach((v, j) => expect(v / xs[i]![j]!).toBeCloseTo(r[0]! / xs[i]![0]!, 10));
    });
    expect(new g.RMSNorm(4).eps).toBe(1e-6);
    expect(new g.RMSNorm(4, { elementwiseAffine: false }).weight).toBeNull();
  });

  it('gradcheck through the modules: LayerNorm (input, gain, bias), RMSNorm over two dims (input, gain)', () => {
    const ln = new g.LayerNorm(4, { dtype: 'float64' });
    const rms = new g.RMSNorm([2, 3], { dtype: 'float64' });
    const lnRun = (x: g.Tensor, w: g.Tensor, b: g.Tensor) => {
      [ln.weight, ln.bias] = [w, b];
      return ln.forward(x);
    };
    const rmsRun = (x: g.Tensor, w: g.Tensor) => {
      rms.weight = w;
      return rms.forward(x);
    };
    expect(gradcheck(lnRun, [leaf([3, 4]), leaf([4]), leaf([4])])).toBeLessThan(1e-4);
    expect(gradcheck(rmsRun, [leaf([2, 2, 3]), leaf([2, 3])])).toBeLessThan(1e-4);
  });

  it('refuses an empty or non-integer normalizedShape and a negative eps', () => {
    expect(() => new g.LayerNorm([])).toThrow(/^LayerNorm: expected normalizedShape to have at least one dim, got \[\]$/);
    expect(() => new g.RMSNorm([3, 0])).toThrow(/^RMSNorm: expected normalizedShape\[1\] to be a positive integer, got 0$/);
    expect(() => new g.LayerNorm(3, { eps: -1 })).toThrow(/^LayerNorm: expected eps to be a finite number ≥ 0, got -1$/);
  });
});

describe('init and scaleParameters', () => {
  it('init functions take a dtype; init.from reads the three specs', () => {
    expect(g.init.ones([2], 'float64').dtype).toBe('float64');
    expect(values(g.init.from({ constant: 3 }, [2]))).toEqual([3, 3]);
    expect(values(g.init.from({ uniform: 0.2 }, [4], rng(11), 'float64'))).toEqual(values(g.rand([4], { low: -0.2, high: 0.2, rng: rng(11), dtype: 'float64' })));
    expect(values(g.init.from({ normal: 0.5 }, [4], rng(12)))).toEqual(values(g.randn([4], { std: 0.5, rng: rng(12) })));
    expect(g.init.from({ constant: 1 }, [1]).requiresGrad).toBe(true);
  });

  it('scaleParameters multiplies every parameter in place (Omnigrok init) and refuses a non-positive factor', () => {
    const m = new g.Sequential(new g.Linear(2, 3, { rng: rng(13) }), new g.LayerNorm(3));
    const before = Object.values(m.namedParameters()).map(values);
    expect(g.scaleParameters(m, 4)).toBe(m);
    Object.values(m.namedParameters()).forEach((p, i) => expect(values(p)).toEqual(before[i]!.map((v) => Math.fround(v * 4))));
    expect(() => g.scaleParameters(m, 0)).toThrow(/^scaleParameters: expected a positive finite factor, got 0$/);
  });
});
