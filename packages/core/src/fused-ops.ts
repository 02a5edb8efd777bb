/**
 * Composites with fused kernels. Each is defined by its composition of primitives (the oracle,
 * used on backends without a kernel and in tests), a one-pass kernel per backend, and a VJP.
 */
import { map } from './cpu/backend.js';
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
