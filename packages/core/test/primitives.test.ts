import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import type { Primitive } from '../src/backend-api.js';
import { gradcheck } from '../src/testing.js';
import { close, leaf } from './helpers.js';

const { tensor } = g;

/**
 * One gradient check per primitive, each over broadcasting and edge shapes (size-1 dims,
 * scalars, batched). The `covered` record is typed over every primitive, so adding a primitive
 * without a check here does not compile.
 */
const covered: { [P in Primitive]: () => void } = {
  neg: () => void gradcheck((x) => x.neg(), [leaf([2, 3])]),
  exp: () => void gradcheck((x) => x.exp(), [leaf([2, 3])]),
  log: () => void gradcheck((x) => x.log(), [leaf([4], { positive: true })]),
  sqrt: () => void gradcheck((x) => x.sqrt(), [leaf([3, 1], { positive: true })]),
  sin: () => void gradcheck((x) => x.sin(), [leaf([5])]),
  cos: () => void gradcheck((x) => x.cos(), [leaf([5])]),
  tanh: () => void gradcheck((x) => x.tanh(), [leaf([2, 2])]),
  erf: () => void gradcheck((x) => x.erf(), [leaf([7])]),
  add: () => {
    gradcheck((a, b) => a.add(b), [leaf([2, 3]), leaf([3])]);
    gradcheck((a, b) => a.add(b), [leaf([2, 1, 3]), leaf([4, 1])]);
    gradcheck((a, b) => a.add(b), [leaf([]), leaf([2, 2])]);
  },
  sub: () => gradcheck((a, b) => a.sub(b), [leaf([3, 1]), leaf([1, 4])]) && undefined,
  mul: () => {
    gradcheck((a, b) => a.mul(b), [leaf([2, 3]), leaf([2, 1])]);
    gradcheck((a) => a.mul(a), [leaf([3])]);
  },
  div: () => void gradcheck((a, b) => a.div(b), [leaf([2, 3]), leaf([3], { positive: true })]),
  pow: () => {
    gradcheck((a, b) => a.pow(b), [leaf([2, 3], { positive: true }), leaf([3])]);
    gradcheck((a) => a.pow(3), [leaf([4])]);
  },
  maximum: () => void gradcheck((a, b) => a.maximum(b), [leaf([3, 4]), leaf([4])]),
  eq: () => expect(tensor([1, 2, 3]).eq(tensor([1, 0, 3])).toArray()).toEqual([true, false, true]),
  lt: () => expect(tensor([1, 2, 3]).lt(2).toArray()).toEqual([true, false, false]),
  gt: () => expect(tensor([[1], [3]]).gt(tensor([2, 0])).toArray()).toEqual([[false, true], [true, true]]),
  where: () => {
    const c = tensor([true, false, true, false], { shape: [2, 2] });
    gradcheck((a, b) => g.where(c, a, b), [leaf([2, 2]), leaf([2])]);
    gradcheck((a) => g.where(c, a, 0), [leaf([1, 2])]);
  },
  cast: () => {
    gradcheck((a) => a.cast('float32').cast('float64'), [leaf([3])], { atol: 1e-4, rtol: 1e-3, eps: 1e-3 });
    expect(tensor([1.7, -1.7, 0]).int().toArray()).toEqual([1, -1, 0]);
  },
  sum: () => {
    gradcheck((a) => a.sum(), [leaf([2, 3])]);
    gradcheck((a) => a.sum(1), [leaf([2, 3, 2])]);
    gradcheck((a) => a.sum([0, 2], true), [leaf([2, 3, 2])]);
  },
  max: () => {
    gradcheck((a) => a.max(), [leaf([2, 3])]);
    gradcheck((a) => a.max(0), [leaf([3, 4])]);
    gradcheck((a) => a.max(-1, true), [leaf([2, 1, 5])]);
  },
  matmul: () => {
    gradcheck((a, b) => a.matmul(b), [leaf([2, 3]), leaf([3, 4])]);
    gradcheck((a, b) => a.matmul(b), [leaf([2, 2, 3]), leaf([3, 2])]);
    gradcheck((a, b) => a.matmul(b), [leaf([2, 1, 2, 3]), leaf([3, 3, 2])]);
    gradcheck((a, b) => a.matmul(b), [leaf([3]), leaf([3, 2])]);
    gradcheck((a, b) => a.matmul(b), [leaf([3]), leaf([3])]);
    for (const [ta, tb] of [[false, true], [true, false], [true, true]] as const) {
      gradcheck((a, b) => g.mm(a, b, ta, tb), [leaf(ta ? [2, 3, 2] : [2, 2, 3]), leaf(tb ? [2, 4, 3] : [2, 3, 4])]);
    }
  },
  reshape: () => void gradcheck((a) => a.reshape(3, -1).mul(a.reshape(3, 2)), [leaf([2, 3])]),
  permute: () => void gradcheck((a) => a.permute(2, 0, 1), [leaf([2, 3, 4])]),
  expand: () => {
    gradcheck((a) => a.expand(2, 3, 4), [leaf([3, 1])]);
    gradcheck((a) => a.expand(3, 2), [leaf([])]);
  },
  slice: () => {
    gradcheck((a) => a.slice(1, 1, 3), [leaf([2, 4])]);
    gradcheck((a) => a.slice(0, -1), [leaf([3, 2])]);
  },
  pad: () => void gradcheck((a) => a.pad([1, 2, 0, 1]), [leaf([2, 3])]),
  cat: () => {
    gradcheck((a, b) => g.cat([a, b], 1), [leaf([2, 1]), leaf([2, 3])]);
    gradcheck((a, b) => g.stack([a, b], 0), [leaf([3]), leaf([3])]);
  },
  gather: () => {
    const idx = tensor([[0, 2], [1, 1], [2, 0]], { dtype: 'int32' });
    gradcheck((a) => a.gather(1, idx), [leaf([3, 3])]);
    gradcheck((a) => a.indexSelect(0, tensor([1, 1, 0], { dtype: 'int32' })), [leaf([2, 3])]);
  },
  scatterAdd: () => {
    const idx = tensor([[0, 1, 0], [2, 0, 0]], { dtype: 'int32' });
    gradcheck((x, s) => g.scatterAdd(x, 0, idx, s), [leaf([3, 3]), leaf([2, 3])]);
  },
};

describe('every primitive passes a finite-difference gradient check (float64)', () => {
  for (const [name, check] of Object.entries(covered)) it(name, () => check());
});

describe('forward values', () => {
  it('elementwise ops match JS math', () => {
    const xs = [-2.5, -1, -0.3, 0, 0.4, 1, 3];
    const x = tensor(xs, { dtype: 'float64' });
    close(x.exp().dataSync(), xs.map(Math.exp), 1e-15);
    close(x.tanh().dataSync(), xs.map(Math.tanh), 1e-15);
    close(x.sin().dataSync(), xs.map(Math.sin), 1e-15);
    close(x.abs().dataSync(), xs.map(Math.abs), 0);
    close(x.relu().dataSync(), xs.map((v) => Math.max(v, 0)), 0);
    close(x.sigmoid().dataSync(), xs.map((v) => 1 / (1 + Math.exp(-v))), 1e-15);
  });

  it('erf is accurate to ~1e-15 across its range', () => {
    // reference values (tables of the error function)
    const cases: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
      [4, 0.9999999845827421],
      [-1.5, -0.9661051464753108],
    ];
    const y = tensor(cases.map((c) => c[0]), { dtype: 'float64' }).erf().dataSync();
    close(y, cases.map((c) => c[1]), 2e-15);
  });

  it('broadcasting follows numpy', () => {
    const a = tensor([[1], [2]]);
    const b = tensor([10, 20, 30]);
    expect(a.add(b).toArray()).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(a.mul(2).shape).toEqual([2, 1]);
    expect(g.sub(1, a).toArray()).toEqual([[0], [-1]]);
  });

  it('reductions with dim and keepdim', () => {
    const x = tensor([[1, 5, 3], [4, 2, 6]]);
    expect(x.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(x.sum(1, true).toArray()).toEqual([[9], [12]]);
    expect(x.max(1).toArray()).toEqual([5, 6]);
    expect(x.min(0).toArray()).toEqual([1, 2, 3]);
    expect(x.mean().item()).toBeCloseTo(3.5, 6);
    expect(x.argmax(1).toArray()).toEqual([1, 2]);
    expect(x.argmin().item()).toBe(0);
    expect(tensor([2, 7, 7, 1]).argmax().item()).toBe(1); // first occurrence
    expect(x.var(1).toArray()).toEqual([4, 4]);
    expect(x.var(1, { correction: 0 }).dataSync()[0]).toBeCloseTo(8 / 3, 6);
  });

  it('matmul follows PyTorch shapes', () => {
    const a = g.ones([5, 2, 3]);
    expect(a.matmul(g.ones([3, 4])).shape).toEqual([5, 2, 4]);
    expect(a.matmul(g.ones([5, 3, 1])).shape).toEqual([5, 2, 1]);
    expect(g.ones([3]).matmul(g.ones([3])).shape).toEqual([]);
    expect(g.ones([2, 3]).matmul(g.ones([3])).shape).toEqual([2]);
    expect(tensor([[1, 2], [3, 4]]).matmul(tensor([[5], [6]])).toArray()).toEqual([[17], [39]]);
  });

  it('movement ops', () => {
    const x = g.arange(6).reshape(2, 3);
    expect(x.T.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.slice(1, 1).toArray()).toEqual([[1, 2], [4, 5]]);
    expect(x.pad([1, 0]).toArray()).toEqual([[0, 0, 1, 2], [0, 3, 4, 5]]);
    expect(g.cat([x, x], 0).shape).toEqual([4, 3]);
    expect(x.unsqueeze(1).shape).toEqual([2, 1, 3]);
    expect(x.unsqueeze(-1).squeeze().shape).toEqual([2, 3]);
    expect(x.expand(2, 2, 3).toArray()).toEqual([x.toArray(), x.toArray()]);
    expect(x.gather(1, tensor([[2], [0]], { dtype: 'int32' })).toArray()).toEqual([[2], [3]]);
    expect(x.indexSelect(1, tensor([2, 0], { dtype: 'int32' })).toArray()).toEqual([[2, 0], [5, 3]]);
    expect(g.scatterAdd(g.zeros([3]), 0, tensor([0, 0, 2], { dtype: 'int32' }), tensor([1, 2, 3])).toArray()).toEqual([3, 0, 3]);
    expect(tensor([10, 20, 30]).scatterAdd(0, tensor([0, 0, 2], { dtype: 'int32' }), tensor([1, 2, 3])).toArray()).toEqual([13, 20, 33]);
    expect(x.flatten().shape).toEqual([6]);
  });

  it('empty dims flow through', () => {
    const e = g.zeros([0, 3]);
    expect(e.sum(0).toArray()).toEqual([0, 0, 0]);
    expect(e.add(1).shape).toEqual([0, 3]);
    expect(g.cat([e, g.ones([2, 3])]).shape).toEqual([2, 3]);
    expect(g.zeros([2, 0]).matmul(g.zeros([0, 3])).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it('dtypes promote as in PyTorch', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(i.add(1).dtype).toBe('int32');
    expect(i.add(0.5).dtype).toBe('float32');
    expect(i.div(2).toArray()).toEqual([0.5, 1]);
    expect(i.add(tensor([1, 1], { dtype: 'float64' })).dtype).toBe('float64');
    expect(tensor([true, false]).sum().dtype).toBe('int32');
    expect(i.eq(1).dtype).toBe('bool');
  });
});

describe('second-order gradients', () => {
  it('d²/dx² of x³ is 6x', () => {
    const x = tensor([2], { dtype: 'float64', requiresGrad: true });
    const [dx] = g.grad(x.pow(3).sum(), [x], { createGraph: true });
    const [ddx] = g.grad(dx!.sum(), [x]);
    expect(dx!.item()).toBeCloseTo(12, 10);
    expect(ddx!.item()).toBeCloseTo(12, 10);
  });

  it('gradient of a gradient norm through tanh and matmul', () => {
    const w = leaf([3, 2]);
    const x = tensor([[0.5, -1, 2]], { dtype: 'float64' });
    gradcheck(
      (w) => {
        const [gw] = g.grad(x.matmul(w).tanh().sum(), [w], { createGraph: true });
        return gw!.mul(gw!).sum();
      },
      [w],
    );
  });
});
