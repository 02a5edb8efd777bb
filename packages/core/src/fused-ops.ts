/**
 * Composites with fused kernels. Each is defined by its composition of primitives (the oracle,
 * used on backends without a kernel and in tests), a one-pass kernel per backend, and a VJP.
 */
import { map, fastCpuKernels } from './cpu/backend.js';
import { erf } from './cpu/erf.js';
import { isFloat, type TypedArray } from './dtype.js';
import { alloc } from './cpu/pool.js';
import { wasmBinary, wasmPointwise, wasmStandardize } from './cpu/wasm/vector.js';
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
const gelu64 = map(1, `0.5 * a * (1 + erf(a * ${SQ}))`);
const dgelu64 = map(1, `0.5 * (1 + erf(a * ${SQ})) + a * ${INV_SQRT_2PI} * Math.exp(-0.5 * a * a)`);

/**
 * float32 GELU from tables of the normal CDF Φ and density φ on [−8, 8] (step 1/1024, linear
 * interpolation: error < 1e-7, at float32's resolution), so the hot loop has no exp, no erf and
 * no data-dependent branch. Built on first use from the double-precision erf.
 */
const STEPS = 1024;
const SPAN = 8;
const LAST = 2 * SPAN * STEPS;
let tables: { cdf: Float64Array; pdf: Float64Array } | null = null;
function normalTables() {
  if (!tables) {
    const cdf = new Float64Array(LAST + 2);
    const pdf = new Float64Array(LAST + 2);
    for (let i = 0; i < LAST + 2; i++) {
      const x = i / STEPS - SPAN;
      cdf[i] = 0.5 * (1 + erf(x * SQ));
      pdf[i] = INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }
    tables = { cdf, pdf };
  }
  return tables;
}

function geluTable(X: Float32Array, derivative: boolean): Float32Array {
  const { cdf, pdf } = normalTables();
  const res = alloc('float32', X.length) as Float32Array;
  for (let i = 0; i < X.length; i++) {
    const x = X[i]!;
    // beyond ±8 the end values are used: Φ is within 1e-15 of 0 or 1 there, φ below 1e-14
    const t = Math.min(Math.max((x + SPAN) * STEPS, 0), LAST);
    const k = t | 0;
    const f = t - k;
    const c = cdf[k]! + f * (cdf[k + 1]! - cdf[k]!);
    if (derivative) res[i] = c + x * (pdf[k]! + f * (pdf[k + 1]! - pdf[k]!));
    else res[i] = x * c;
  }
  return res;
}

registerFusedKernel<null>('gelu', 'cpu', (ins, p, out) =>
  out.dtype === 'float32' ? geluTable(ins[0]!.handle as Float32Array, false) : out.dtype === 'float64' ? gelu64(ins as never, p, out) : undefined,
);
registerFusedKernel<null>('geluDerivative', 'cpu', (ins, p, out) =>
  out.dtype === 'float32' ? geluTable(ins[0]!.handle as Float32Array, true) : out.dtype === 'float64' ? dgelu64(ins as never, p, out) : undefined,
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
  const res = alloc(out.dtype, X.length) as Float;
  if (res instanceof Float32Array && wasmPointwise('axpby', res, X as Float32Array, Y as Float32Array, [a, b])) return res;
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
  const res = alloc(out.dtype, M.length) as Float;
  if (res instanceof Float32Array && wasmPointwise('adam', res, M as Float32Array, V as Float32Array, [c1, c2, eps])) return res;
  for (let i = 0; i < res.length; i++) res[i] = M[i]! / c1 / (Math.sqrt(V[i]! / c2) + eps);
  return res;
});

type NormParams = { dims: number; eps: number };

/**
 * The VJP of standardisation: with x̂ the standardised rows and r = 1/√(var + eps),
 * dx = r·(g − mean(g) − x̂·mean(g·x̂)) per row. Fused; differentiated through its composition.
 */
const standardizeGrad = defineFused<NormParams>({
  name: 'standardizeGrad',
  composed: ([x, g], { dims, eps }) => {
    const axes = Array.from({ length: dims }, (_, i) => x!.ndim - dims + i);
    const d = ops.sub(x!, ops.mean(x!, axes, true));
    const r = ops.rsqrt(ops.add(ops.mean(ops.mul(d, d), axes, true), eps));
    const xhat = ops.mul(d, r);
    const inner = ops.sub(ops.sub(g!, ops.mean(g!, axes, true)), ops.mul(xhat, ops.mean(ops.mul(g!, xhat), axes, true)));
    return ops.mul(inner, r);
  },
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
});

/** (x − mean)/√(var + eps) over the trailing `dims` dims, fused: one pass forward, one backward. */
export const standardize = defineFused<NormParams>({
  name: 'standardize',
  composed: ([x], { dims, eps }) => ops.standardizeComposed(x!, dims, eps),
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  vjp: (g, [x], _o, params) => [standardizeGrad([x!, g], params)],
});

/** Mean and 1/√(var + eps) (biased variance) of X[o .. o+n). */
function rowStats(X: Float, o: number, n: number, eps: number): [number, number] {
  let m = 0;
  for (let i = 0; i < n; i++) m += X[o + i]!;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (X[o + i]! - m) ** 2;
  return [m, 1 / Math.sqrt(v / n + eps)];
}

function rowsOf(shape: readonly number[], dims: number): [number, number] {
  let n = 1;
  for (let i = shape.length - dims; i < shape.length; i++) n *= shape[i]!;
  return [n === 0 ? 0 : shape.reduce((a, d) => a * d, 1) / n, n];
}

registerFusedKernel<NormParams>('standardize', 'cpu', ([x], { dims, eps }, out) => {
  const X = x!.handle as Float;
  const res = alloc(out.dtype, X.length) as Float;
  const [rows, n] = rowsOf(x!.shape, dims);
  if (res instanceof Float32Array && wasmStandardize(res, X as Float32Array, null, n, eps)) return res;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    const [m, rs] = rowStats(X, o, n, eps);
    for (let i = 0; i < n; i++) res[o + i] = (X[o + i]! - m) * rs;
  }
  return res;
});

registerFusedKernel<NormParams>('standardizeGrad', 'cpu', ([x, g], { dims, eps }, out) => {
  if (!sameShape(x!.shape, g!.shape) || x!.dtype !== g!.dtype) return undefined;
  const X = x!.handle as Float;
  const G = g!.handle as Float;
  const res = alloc(out.dtype, X.length) as Float;
  const [rows, n] = rowsOf(x!.shape, dims);
  if (res instanceof Float32Array && wasmStandardize(res, X as Float32Array, G as Float32Array, n, eps)) return res;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    const [m, rs] = rowStats(X, o, n, eps);
    let mg = 0;
    let mgx = 0;
    for (let i = 0; i < n; i++) {
      const gi = G[o + i]!;
      mg += gi;
      mgx += gi * (X[o + i]! - m) * rs;
    }
    mg /= n;
    mgx /= n;
    for (let i = 0; i < n; i++) res[o + i] = rs * (G[o + i]! - mg - (X[o + i]! - m) * rs * mgx);
  }
  return res;
});

/**
 * Softmax and log-softmax over the last dim, fused. Their VJPs: with y = softmax(x),
 * dx = y ⊙ (g − Σ g⊙y); with y = logSoftmax(x), dx = g − exp(y) ⊙ Σ g (row sums).
 */
export const softmaxLast = defineFused<null>({
  name: 'softmax',
  composed: ([x]) => ops.softmaxComposed(x!, x!.ndim - 1),
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  vjp: (g, _x, y) => [ops.mul(y, ops.sub(g, ops.sum(ops.mul(g, y), -1, true)))],
});

export const logSoftmaxLast = defineFused<null>({
  name: 'logSoftmax',
  composed: ([x]) => ops.logSoftmaxComposed(x!, x!.ndim - 1),
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  vjp: (g, _x, y) => [ops.sub(g, ops.mul(ops.exp(y), ops.sum(g, -1, true)))],
});

/** One row's exponentials, kept in float64 between the sum and the division (one exp per element). */
let expRow = new Float64Array(64);

function softmaxRows(X: Float, shape: readonly number[], dtype: 'float32' | 'float64', log: boolean): Float {
  const n = shape[shape.length - 1]!;
  const res = alloc(dtype, X.length) as Float;
  if (n === 0) return res;
  if (expRow.length < n) expRow = new Float64Array(n);
  const e = expRow;
  for (let o = 0; o < X.length; o += n) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) if (X[o + i]! > m) m = X[o + i]!;
    if (m === -Infinity || m !== m) m = 0; // all −∞ (or NaN) rows: let the arithmetic propagate
    let z = 0;
    for (let i = 0; i < n; i++) z += e[i] = Math.exp(X[o + i]! - m);
    if (log) {
      const lz = Math.log(z) + m;
      for (let i = 0; i < n; i++) res[o + i] = X[o + i]! - lz;
    } else {
      for (let i = 0; i < n; i++) res[o + i] = e[i]! / z;
    }
  }
  return res;
}

for (const [name, log] of [['softmax', false], ['logSoftmax', true]] as const) {
  registerFusedKernel<null>(name, 'cpu', ([x], _p, out) =>
    out.dtype === 'float32' || out.dtype === 'float64' ? softmaxRows(x!.handle as Float, x!.shape, out.dtype, log) : undefined,
  );
}

/**
 * x·Wᵀ + b on 2-D rows x [n, in], W [out, in], b [out], fused (the bias is added in the same
 * pass that writes the product). VJP: dx = g·W, dW = gᵀ·x, db = Σ_rows g.
 */
export const linear2d = defineFused<null>({
  name: 'linear',
  composed: ([x, w, b]) => {
    const y = ops.mm(ops.reshape(x!, [1, ...x!.shape]), ops.reshape(w!, [1, ...w!.shape]), false, true);
    return ops.reshape(b ? ops.add(y, b) : y, [x!.shape[0]!, w!.shape[0]!]);
  },
  output: ([x, w]) => ({ shape: [x!.shape[0]!, w!.shape[0]!], dtype: x!.dtype }),
  vjp: (g, [x, w, b], _o, _p, needs) => {
    const g3 = ops.reshape(g, [1, ...g.shape]);
    return [
      needs[0] ? ops.reshape(ops.mm(g3, ops.reshape(w!, [1, ...w!.shape])), x!.shape) : null,
      needs[1] ? ops.reshape(ops.mm(g3, ops.reshape(x!, [1, ...x!.shape]), true, false), w!.shape) : null,
      b && needs[2] ? ops.sum(g, 0) : null,
    ];
  },
});

registerFusedKernel<null>('linear', 'cpu', (ins, p, out) => {
  const [x, w, b] = ins;
  if (out.dtype !== 'float32' || ins.some((t) => t.dtype !== 'float32')) return undefined;
  const [n, inF] = x!.shape as [number, number];
  const outF = w!.shape[0]!;
  const y = fastCpuKernels.matmul(
    [
      { handle: x!.handle as TypedArray, shape: [1, n, inF], dtype: 'float32' },
      { handle: w!.handle as TypedArray, shape: [1, outF, inF], dtype: 'float32' },
    ],
    { ta: false, tb: true },
    { shape: [1, n, outF], dtype: 'float32' },
  ) as Float32Array;
  if (b && !(wasmBinary('add', y, y, b.handle as Float32Array, [n, outF], [outF, 1], [0, 1]))) {
    addRowVector(y, b.handle as Float32Array, n, outF);
  }
  return y;
});

/** y[r, j] += v[j] for the n rows of y (m columns): a small monomorphic loop V8 optimises on its own. */
function addRowVector(y: Float32Array, v: Float32Array, n: number, m: number): void {
  for (let r = 0, o = 0; r < n; r++, o += m) {
    for (let j = 0; j < m; j++) y[o + j]! += v[j]!;
  }
}
