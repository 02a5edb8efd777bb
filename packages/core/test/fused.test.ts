import { afterEach, describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { adamDirection } from '../src/fused-ops.js';
import { gradcheck, setFusion } from '../src/testing.js';
import { close, leaf } from './helpers.js';

afterEach(() => void setFusion(true));

/** Forward values and gradients of `f` with fused kernels, and with the composed oracle. */
function both(f: (x: g.Tensor) => g.Tensor, x: g.Tensor) {
  const run = (fusion: boolean) => {
    setFusion(fusion);
    const xi = x.detach().requiresGrad_();
    const y = f(xi);
    y.mul(g.arange(y.size).reshape(y.shape as number[]).cast(y.dtype).add(1).sqrt()).sum().backward();
    return { y: y.dataSync(), dx: xi.grad!.dataSync(), fusedNode: y.node?.prim };
  };
  return { fused: run(true), composed: run(false) };
}

describe('fused ops equal their composed oracles', () => {
  it('argmax: every dim, keepdim, NaNs, ties, ±0 and −∞ lines, float32, float64 and int32', () => {
    const r = g.rng(4);
    const x = Float64Array.from(g.randn([5, 6, 7], { rng: r }).dataSync(), (v) => Math.round(2 * v)); // rounded: many ties
    x[3] = NaN;
    x[40] = NaN;
    x[41] = NaN;
    for (let i = 7 * 6; i < 7 * 6 + 7; i++) x[i] = -Infinity; // a −∞ line along dim 2
    x[100] = -0;
    x[101] = 0;
    x[200] = Infinity;
    const ints = Int32Array.from(x, (v) => (Number.isFinite(v) ? v : 0));
    const host = (d: Float32Array | Float64Array | Int32Array, dtype: g.DType) => g.Tensor.fromHost(d, [5, 6, 7], dtype, 'cpu');
    for (const t of [host(Float32Array.from(x), 'float32'), host(Float64Array.from(x), 'float64'), host(ints, 'int32')]) {
      for (const dim of [0, 1, 2, -1]) {
        for (const keepdim of [false, true]) {
          setFusion(true);
          const fused = g.argmax(t, dim, keepdim);
          setFusion(false);
          const composed = g.argmax(t, dim, keepdim);
          expect(fused.dtype).toBe('int32');
          expect(fused.shape).toEqual(composed.shape);
          expect(Array.from(fused.dataSync())).toEqual(Array.from(composed.dataSync()));
        }
      }
    }
    setFusion(true);
    expect(g.argmax(g.tensor([0, -0, 0]), 0).item()).toBe(0);
    expect(g.argmax(g.tensor([-0, 0, 1, 1]), 0).item()).toBe(2);
  });

  it('gelu, float64', () => {
    const { fused, composed } = both((x) => x.gelu(), g.randn([64], { dtype: 'float64', rng: g.rng(1) }).mul(3));
    expect(fused.fusedNode).toBe('gelu');
    expect(composed.fusedNode).toBe('mul');
    close(fused.y, composed.y, 1e-14);
    close(fused.dx, composed.dx, 1e-12);
  });

  it('gelu, float32 (fast erf)', () => {
    const { fused, composed } = both((x) => x.gelu(), g.randn([4096], { rng: g.rng(2) }).mul(3));
    close(fused.y, composed.y, 1e-6);
    close(fused.dx, composed.dx, 1e-5);
  });

  it('fused gelu passes first- and second-order gradient checks', () => {
    expect(gradcheck((x) => x.gelu(), [leaf([9])])).toBeLessThan(1e-6);
    const x = leaf([5]);
    gradcheck((x) => g.grad(x.gelu().sum(), [x], { createGraph: true })[0]!, [x]);
  });
});

describe('float32 erf', () => {
  it('is within 2e-7 of the precise erf over [-6, 6]', () => {
    const xs = Array.from({ length: 1201 }, (_, i) => -6 + i / 100);
    const fast = g.tensor(xs).erf().dataSync();
    const exact = g.tensor(xs, { dtype: 'float64' }).erf().dataSync();
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(fast[i]! - exact[i]!));
    expect(worst).toBeLessThan(2e-7);
  });
  it('keeps relative accuracy near zero', () => {
    const v = g.tensor([1e-4, -3e-3]).erf().dataSync();
    close(v, [1.1283791633342e-4, -3.3851306127e-3], 1e-6);
  });
});

describe('optimizer fused ops', () => {
  it('axpby equals a·x + b·y and its gradient is (a·g, b·g)', () => {
    const x = leaf([3, 4]);
    const y = leaf([3, 4]);
    close(g.axpby(0.3, x, -2, y).dataSync(), x.mul(0.3).add(y.mul(-2)).dataSync(), 1e-15);
    expect(gradcheck((x, y) => g.axpby(0.3, x, -2, y), [x, y])).toBeLessThan(1e-8);
    expect(() => g.axpby(1, g.ones([2]), 1, g.ones([3]))).toThrow(/one shape and dtype, got \[2\] float32 and \[3\] float32/);
  });

  it('adamDirection equals its composition, and differentiates through the composed VJP', () => {
    const m = leaf([5]);
    const v = leaf([5], { positive: true });
    const p = { c1: 0.3, c2: 0.05, eps: 1e-3 };
    const composed = m.div(p.c1).div(v.div(p.c2).sqrt().add(p.eps));
    close(adamDirection([m, v], p).dataSync(), composed.dataSync(), 1e-14);
    expect(adamDirection([m, v], p).node?.prim).toBe('adamDirection');
    expect(gradcheck((m, v) => adamDirection([m, v], p), [m, v])).toBeLessThan(1e-6);
  });
});

describe('fused standardisation (layerNorm)', () => {
  it('equals the composed layerNorm in values and gradients, float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const w = g.randn([6], { dtype, rng: g.rng(4) });
      const b = g.randn([6], { dtype, rng: g.rng(5) });
      const { fused, composed } = both((x) => g.layerNorm(x, [6], w, b), g.randn([4, 3, 6], { dtype, rng: g.rng(6) }).mul(2).add(1));
      const tol = dtype === 'float64' ? 1e-12 : 2e-5;
      close(fused.y, composed.y, tol);
      close(fused.dx, composed.dx, tol);
    }
  });

  it('passes first- and second-order gradient checks', () => {
    expect(gradcheck((x) => g.layerNorm(x, [2, 3]), [leaf([2, 2, 3])])).toBeLessThan(1e-6);
    const x = leaf([2, 4]);
    gradcheck((x) => g.grad(g.layerNorm(x, [4]).pow(3).sum(), [x], { createGraph: true })[0]!, [x]);
  });
});

describe('fused softmax and logSoftmax (last dim)', () => {
  it('equal their compositions in values and gradients', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const tol = dtype === 'float64' ? 1e-12 : 2e-6;
      const x = g.randn([3, 2, 5], { dtype, rng: g.rng(8) }).mul(3);
      for (const f of [(t: g.Tensor) => t.softmax(-1), (t: g.Tensor) => t.logSoftmax(-1)]) {
        const { fused, composed } = both(f, x);
        expect(['softmax', 'logSoftmax']).toContain(fused.fusedNode);
        close(fused.y, composed.y, tol);
        close(fused.dx, composed.dx, tol);
      }
    }
  });

  it('pass first- and second-order gradient checks, and stay finite for large logits', () => {
    expect(gradcheck((x) => x.softmax(-1), [leaf([3, 4])])).toBeLessThan(1e-6);
    expect(gradcheck((x) => x.logSoftmax(-1), [leaf([3, 4])])).toBeLessThan(1e-6);
    const x = leaf([2, 3]);
    gradcheck((x) => g.grad(x.logSoftmax(-1).mul(x).sum(), [x], { createGraph: true })[0]!, [x]);
    close(g.tensor([[1000, 1001, 1002]]).logSoftmax(-1).dataSync(), [-2.4076059644, -1.4076059644, -0.4076059644], 1e-6);
  });
});

describe('fused linear', () => {
  it('equals x·Wᵀ + b in values and gradients, with and without bias', () => {
    const w = g.randn([5, 3], { rng: g.rng(9) }).requiresGrad_();
    const b = g.randn([5], { rng: g.rng(10) }).requiresGrad_();
    for (const bias of [b, null]) {
      const { fused, composed } = both((x) => g.linear(x, w, bias), g.randn([8, 3], { rng: g.rng(11) }));
      expect(fused.fusedNode).toBe('linear');
      close(fused.y, composed.y, 1e-5);
      close(fused.dx, composed.dx, 1e-5);
    }
    expect(() => g.linear(g.ones([2, 4]), w)).toThrow(/input \[2, 4\] and weight \[5, 3\] do not fit/);
  });

  it('passes a gradient check in every input (float64 runs composed)', () => {
    expect(gradcheck((x, w, b) => g.linear(x, w, b), [leaf([2, 3]), leaf([4, 3]), leaf([4])])).toBeLessThan(1e-6);
  });

  it('float32 weight and bias gradients match the composed ones', () => {
    const run = (fusion: boolean) => {
      setFusion(fusion);
      const w = g.randn([6, 4], { rng: g.rng(12) }).requiresGrad_();
      const b = g.randn([6], { rng: g.rng(13) }).requiresGrad_();
      g.linear(g.randn([7, 4], { rng: g.rng(14) }), w, b).square().sum().backward();
      return [w.grad!.dataSync(), b.grad!.dataSync()];
    };
    const [fw, fb] = run(true);
    const [cw, cb] = run(false);
    close(fw!, cw!, 1e-5);
    close(fb!, cb!, 1e-5);
  });
});
