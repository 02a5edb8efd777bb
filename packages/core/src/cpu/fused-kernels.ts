/**
 * The cpu backend's fused kernels (the ops are defined in ../fused-params.ts and ../fused-ops.ts).
 * The elementwise ones come from their expressions (../elementwise-fused.ts), with faster paths
 * for float32 in front: GELU from tables of Φ and φ, axpby and the Adam direction in WebAssembly
 * SIMD. The row ops (softmax, standardisation) and linear are written here.
 */
import type { FusedKernel, FusedTable } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { normalCdf, normalPdf } from '../elementwise-fused.js';
import { elementwiseFusedKernels } from '../elementwise-kernels.js';
import { ex, type Expr } from '../expr.js';
import type { FusedOp } from '../fused-params.js';
import { sameShape, sizeOf } from '../shape.js';
import { runExpression } from './elementwise.js';
import { fastCpuKernels } from './fast-kernels.js';
import { alloc, release } from './pool.js';
import { wasmGelu } from './wasm/gelu.js';
import { GELU_LAST, GELU_SPAN, GELU_STEPS } from './wasm/gelu-kernel.js';
import { wasmBinary, wasmPointwise, wasmSoftmax, wasmStandardize } from './wasm/vector.js';

type Float = Float32Array | Float64Array;
type CpuFused<F extends FusedOp> = FusedKernel<F, TypedArray>;

const fromExpressions = elementwiseFusedKernels(runExpression);

/**
 * float32 GELU from tables of the normal CDF Φ and density φ on [−8, 8] (step 1/1024, linear
 * interpolation: error < 1e-7, at float32's resolution), so the hot loop has no exp, no erf and
 * no data-dependent branch. It runs in WebAssembly (wasm/gelu-kernel.ts; large arrays on both
 * threads, wasm/gelu.ts) where tensors live in wasm memory, else in the JS loop below: the same
 * float64 arithmetic, operation for operation, so the same bits (tested). The tables are built on
 * first use, in float64, from the same expressions of Φ and φ that define GELU (elementwise-fused.ts).
 */
// module-local copies: the hot loop below runs ≈15% slower on imported bindings
const SPAN = GELU_SPAN;
const STEPS = GELU_STEPS;
const LAST = GELU_LAST;
let tables: { cdf: Float64Array; pdf: Float64Array } | null = null;
/** The float64 tables of Φ and φ on the grid (built on first use). */
export function normalTables(): { cdf: Float64Array; pdf: Float64Array } {
  if (!tables) {
    const grid = Float64Array.from({ length: LAST + 2 }, (_, i) => i / STEPS - SPAN);
    const at = (e: Expr) => runExpression(e, [{ handle: grid, shape: [grid.length], dtype: 'float64' }], { shape: [grid.length], dtype: 'float64' }, []) as Float64Array;
    tables = { cdf: at(normalCdf(ex.input(0))), pdf: at(normalPdf(ex.input(0))) };
  }
  return tables;
}

/** Y = GELU(X) (or its derivative) from the tables in JS: the arithmetic wasm/gelu-kernel.ts repeats. */
export function geluLoop(X: Float32Array, Y: Float32Array, cdf: Float64Array, pdf: Float64Array, derivative: boolean): void {
  for (let i = 0; i < X.length; i++) {
    const x = X[i]!;
    const t = Math.min(Math.max((x + SPAN) * STEPS, 0), LAST);
    const k = t | 0;
    const f = t - k;
    const c = cdf[k]! + f * (cdf[k + 1]! - cdf[k]!);
    if (derivative) Y[i] = c + x * (pdf[k]! + f * (pdf[k + 1]! - pdf[k]!));
    else Y[i] = x * c;
  }
}

function geluTable(X: Float32Array, derivative: boolean): Float32Array {
  const { cdf, pdf } = normalTables();
  const res = alloc('float32', X.length) as Float32Array;
  if (!wasmGelu(X, res, cdf, pdf, derivative)) geluLoop(X, res, cdf, pdf, derivative);
  return res;
}

/** float32 through the tables, anything else through the expression. */
function gelu<F extends 'gelu' | 'geluDerivative'>(op: F): CpuFused<F> {
  const general: CpuFused<F> = fromExpressions[op];
  return (ins, p, out) => (out.dtype === 'float32' && ins[0]!.dtype === 'float32' ? geluTable(ins[0]!.handle as Float32Array, op === 'geluDerivative') : general(ins, p, out));
}

/** float32 inputs of one shape through a SIMD kernel of wasm/vector.ts, anything else through the expression. */
function pointwise<F extends 'axpby' | 'adamDirection'>(op: F, simd: 'axpby' | 'adam', values: (p: Parameters<CpuFused<F>>[1]) => number[]): CpuFused<F> {
  const general: CpuFused<F> = fromExpressions[op];
  return (ins, p, out) => {
    const [x, y] = ins;
    if (out.dtype === 'float32' && x!.dtype === 'float32' && y!.dtype === 'float32' && sameShape(x!.shape, y!.shape)) {
      const res = alloc('float32', (x!.handle as Float32Array).length) as Float32Array;
      if (wasmPointwise(simd, res, x!.handle as Float32Array, y!.handle as Float32Array, values(p))) return res;
      release(res, 'float32');
    }
    return general(ins, p, out);
  };
}

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

const standardize: CpuFused<'standardize'> = ([x], { dims, eps }, out) => {
  const X = x!.handle as Float;
  const res = alloc(out.dtype, X.length) as Float;
  const [rows, n] = rowsOf(x!.shape, dims);
  if (res instanceof Float32Array && wasmStandardize(res, X as Float32Array, null, n, eps)) return res;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    const [m, rs] = rowStats(X, o, n, eps);
    for (let i = 0; i < n; i++) res[o + i] = (X[o + i]! - m) * rs;
  }
  return res;
};

const standardizeGrad: CpuFused<'standardizeGrad'> = ([x, g], { dims, eps }, out) => {
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
};

/** One row's exponentials, kept in float64 between the sum and the division (one exp per element). */
let expRow = new Float64Array(64);

/**
 * Softmax (or log-softmax) of each row of n values of X into res, in float64 between the reads and
 * the writes: the JS loop, run where WebAssembly is missing and the oracle of wasm/vector.ts
 * `wasmSoftmax`, which gives its bits.
 */
export function softmaxLoop(X: Float, res: Float, n: number, log: boolean): void {
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
}

function softmaxRows(X: Float, shape: readonly number[], dtype: 'float32' | 'float64', log: boolean): Float {
  const n = shape[shape.length - 1]!;
  const res = alloc(dtype, X.length) as Float;
  if (n === 0) return res;
  if (dtype === 'float32' && X instanceof Float32Array && wasmSoftmax(res as Float32Array, X, n, log)) return res;
  softmaxLoop(X, res, n, log);
  return res;
}

function softmax<F extends 'softmax' | 'logSoftmax'>(log: boolean): CpuFused<F> {
  return ([x], _p, out) => (out.dtype === 'float32' || out.dtype === 'float64' ? softmaxRows(x!.handle as Float, x!.shape, out.dtype, log) : undefined);
}

/**
 * argmax along `dim` in one pass per line: the first NaN's index where the line has one, else the
 * first largest value's — the composition's rule (ops.ts `argmaxComposed`). float32, float64 and int32.
 */
const argmax: CpuFused<'argmax'> = ([x], { dim }) => {
  const X = x!.handle;
  if (!(X instanceof Float32Array || X instanceof Float64Array || X instanceof Int32Array)) return undefined;
  const shape = x!.shape;
  const n = shape[dim]!;
  const inner = sizeOf(shape.slice(dim + 1));
  const lines = sizeOf(shape) / n;
  const res = alloc('int32', lines) as Int32Array;
  for (let l = 0; l < lines; l++) {
    const k = l % inner;
    const start = (l - k) * n + k;
    let best = 0;
    let top = X[start]!;
    if (top === top) {
      for (let j = 1, p = start + inner; j < n; j++, p += inner) {
        const v = X[p]!;
        if (v !== v) {
          best = j;
          break;
        }
        if (v > top) {
          top = v;
          best = j;
        }
      }
    }
    res[l] = best;
  }
  return res;
};

/** y[r, j] += v[j] for the n rows of y (m columns): a small monomorphic loop V8 optimises on its own. */
function addRowVector(y: Float32Array, v: Float32Array, n: number, m: number): void {
  for (let r = 0, o = 0; r < n; r++, o += m) {
    for (let j = 0; j < m; j++) y[o + j]! += v[j]!;
  }
}

/** float32 x·Wᵀ through the matmul kernel, the bias added in place (declines other dtypes). */
const linear: CpuFused<'linear'> = (ins) => {
  const [x, w, b] = ins;
  if (ins.some((t) => t.dtype !== 'float32')) return undefined;
  const [n, inF] = x!.shape as [number, number];
  const outF = w!.shape[0]!;
  const y = fastCpuKernels.matmul(
    [
      { handle: x!.handle, shape: [1, n, inF], dtype: 'float32' },
      { handle: w!.handle, shape: [1, outF, inF], dtype: 'float32' },
    ],
    { ta: false, tb: true },
    { shape: [1, n, outF], dtype: 'float32' },
  ) as Float32Array;
  if (b && !wasmBinary('add', y, y, b.handle as Float32Array, [n, outF], [outF, 1], [0, 1])) addRowVector(y, b.handle as Float32Array, n, outF);
  return y;
};

/** The default cpu backend's fused kernels: every elementwise one from its expression, some replaced by faster ones. */
export const cpuFusedKernels: FusedTable<TypedArray> = {
  ...fromExpressions,
  gelu: gelu('gelu'),
  geluDerivative: gelu('geluDerivative'),
  axpby: pointwise('axpby', 'axpby', ({ a, b }) => [a, b]),
  adamDirection: pointwise('adamDirection', 'adam', ({ c1, c2, eps }) => [c1, c2, eps]),
  standardize,
  standardizeGrad,
  softmax: softmax(false),
  logSoftmax: softmax(true),
  linear,
  argmax,
};
