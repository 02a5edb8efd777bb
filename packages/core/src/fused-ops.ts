/**
 * Composites with fused kernels. Each is defined by its composition of primitives (the oracle,
 * used on backends without a kernel and in tests), a one-pass kernel per backend, and a VJP.
 */
import { map } from './cpu/backend.js';
import { arrayFor, isFloat } from './dtype.js';
import { fmt, sameShape } from './shape.js';
import { defineFused, registerFusedKernel } from './fused.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

const INV_SQRT_2PI = 0.3989422804014327;

/** Standard normal density φ(x). */
const phi = (x: Tensor) => ops.mul(ops.exp(ops.mul(ops.mul(x, x), -0.5)), INV_SQRT_2PI);

/** GELU's derivative Φ(x) + x·φ(x), itself fused (its VJP is g·φ(x)·(2 − x²)). */
const geluDerivative = defineFused<null>({
  name: 'geluDerivative',
  composed: ([x]) => ops.add(ops.mul(ops.add(ops.erf(ops.mul(x!, Math.SQRT1_2)), 1), 0.5), ops.mul(x!, phi(x!))),
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  vjp: (g, [x]) => [ops.mul(g, ops.mul(phi(x!), ops.sub(2, ops.mul(x!, x!))))],
});

/** Exact GELU x·Φ(x), fused: one pass forward, one pass for its derivative backward. */
export const geluExact = defineFused<null>({
  name: 'gelu',
  composed: ([x]) => ops.mul(ops.mul(x!, 0.5), ops.add(ops.erf(ops.mul(x!, Math.SQRT1_2)), 1)),
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  vjp: (g, [x]) => [ops.mul(g, geluDerivative([x!], null))],
});

const SQ = Math.SQRT1_2;
const gelu32 = map(1, `0.5 * a * (1 + erf32(a * ${SQ}))`);
const gelu64 = map(1, `0.5 * a * (1 + erf(a * ${SQ}))`);
const dgelu32 = map(1, `0.5 * (1 + erf32(a * ${SQ})) + a * ${INV_SQRT_2PI} * Math.exp(-0.5 * a * a)`);
const dgelu64 = map(1, `0.5 * (1 + erf(a * ${SQ})) + a * ${INV_SQRT_2PI} * Math.exp(-0.5 * a * a)`);
registerFusedKernel<null>('gelu', 'cpu', (ins, p, out) => (out.dtype === 'float32' ? gelu32 : out.dtype === 'float64' ? gelu64 : null)?.(ins as never, p, out));
registerFusedKernel<null>('geluDerivative', 'cpu', (ins, p, out) =>
  (out.dtype === 'float32' ? dgelu32 : out.dtype === 'float64' ? dgelu64 : null)?.(ins as never, p, out),
);

type Float = Float32Array | Float64Array;

const axpbyOp = defineFused<{ a: number; b: number }>({
  name: 'axpby',
  composed: ([x, y], { a, b }) => ops.add(ops.mul(x!, a), ops.mul(y!, b)),
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  vjp: (g, _x, _o, { a, b }, needs) => [needs[0] ? ops.mul(g, a) : null, needs[1] ? ops.mul(g, b) : null],
});

/** a·x + b·y for two float tensors of one shape and dtype, in one pass (the workhorse of optimizer and filter updates). */
export function axpby(a: number, x: Tensor, b: number, y: Tensor): Tensor {
  if (!sameShape(x.shape, y.shape) || x.dtype !== y.dtype || !isFloat(x.dtype)) {
    throw new Error(`axpby: expected two float tensors of one shape and dtype, got ${fmt(x.shape)} ${x.dtype} and ${fmt(y.shape)} ${y.dtype}`);
  }
  return axpbyOp([x, y], { a, b });
}

registerFusedKernel<{ a: number; b: number }>('axpby', 'cpu', ([x, y], { a, b }, out) => {
  const X = x!.handle as Float;
  const Y = y!.handle as Float;
  const res = arrayFor(out.dtype, X.length) as Float;
  for (let i = 0; i < res.length; i++) res[i] = a * X[i]! + b * Y[i]!;
  return res;
});

/** Adam's bias-corrected direction (m/c1) / (√(v/c2) + eps), fused (its VJP is the composed one's). */
export const adamDirection = defineFused<{ c1: number; c2: number; eps: number }>({
  name: 'adamDirection',
  composed: ([m, v], { c1, c2, eps }) => ops.div(ops.div(m!, c1), ops.add(ops.sqrt(ops.div(v!, c2)), eps)),
  output: ([m]) => ({ shape: m!.shape, dtype: m!.dtype }),
});

registerFusedKernel<{ c1: number; c2: number; eps: number }>('adamDirection', 'cpu', ([m, v], { c1, c2, eps }, out) => {
  if (!sameShape(m!.shape, v!.shape) || m!.dtype !== v!.dtype) return undefined;
  const M = m!.handle as Float;
  const V = v!.handle as Float;
  const res = arrayFor(out.dtype, M.length) as Float;
  for (let i = 0; i < res.length; i++) res[i] = M[i]! / c1 / (Math.sqrt(V[i]! / c2) + eps);
  return res;
});
