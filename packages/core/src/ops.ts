/**
 * Tensor operations. Primitive wrappers validate shapes and dtypes, broadcast and promote,
 * then call `apply`; everything below "composites" is built from primitives and so gets its
 * gradient from their VJP rules.
 */
import { isFloat, promote, scalarDType, arrayFor, checkDType, type DType } from './dtype.js';
import type { BinaryPrimitive, ComparePrimitive, UnaryPrimitive } from './primitives.js';
import { defaultGenerator, type Generator } from './random.js';
import { broadcastShapes, fmt, normDim, normDims, sameShape, sizeOf, checkShape, checkSize, type Shape } from './shape.js';
import { warnDeprecated } from './deprecation.js';
import { apply, Tensor } from './tensor.js';
import { argmaxFused, geluExact, linear2d, logSoftmaxLast, softmaxLast, standardize } from './fused-ops.js';

export type TensorLike = Tensor | number;

// ---- helpers ----------------------------------------------------------------------------

/** A filled tensor on a device (used by backward for seeds and by composites for constants). */
export function full(shape: Shape, value: number, dtype: DType = 'float32', device?: string): Tensor {
  const data = arrayFor(dtype, sizeOf(shape));
  data.fill(value);
  return Tensor.fromHost(data, shape, dtype, device);
}

export function zeros(shape: Shape, dtype: DType = 'float32', device?: string): Tensor {
  return full(shape, 0, dtype, device);
}

function scalar(v: number, dtype: DType, device: string): Tensor {
  return full([], v, dtype, device);
}

function checkFloat(op: string, t: Tensor): void {
  if (!isFloat(t.dtype)) throw new Error(`${op}: expected a float tensor, got ${t.dtype}`);
}

/**
 * Turn a pair of tensor-or-number operands into two tensors of one promoted dtype. Two numbers
 * are allowed when `device` is given (where(cond, 1, 0)): they become float32 scalars.
 */
function operands(a: TensorLike, b: TensorLike, device?: string): [Tensor, Tensor, DType] {
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : null;
  if (!like && !device) throw new Error('expected at least one tensor operand, got two numbers');
  const dtype = !like
    ? 'float32'
    : a instanceof Tensor && b instanceof Tensor
      ? promote(a.dtype, b.dtype)
      : scalarDType(like.dtype, (a instanceof Tensor ? b : a) as number);
  const dev = like?.device ?? device!;
  const ta = a instanceof Tensor ? cast(a, dtype) : scalar(a, dtype, dev);
  const tb = b instanceof Tensor ? cast(b, dtype) : scalar(b, dtype, dev);
  return [ta, tb, dtype];
}

function binary(prim: BinaryPrimitive, a: TensorLike, b: TensorLike, floatOnly = false): Tensor {
  let [ta, tb, dtype] = operands(a, b);
  if (floatOnly && !isFloat(dtype)) {
    ta = cast(ta, 'float32');
    tb = cast(tb, 'float32');
    dtype = 'float32';
  }
  return apply(prim, [ta, tb], {}, broadcastShapes(prim, ta.shape, tb.shape), dtype);
}

function compare(prim: ComparePrimitive, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands(a, b);
  return apply(prim, [ta, tb], {}, broadcastShapes(prim, ta.shape, tb.shape), 'bool');
}

function unary(prim: UnaryPrimitive, x: Tensor): Tensor {
  const t = prim === 'neg' || isFloat(x.dtype) ? x : cast(x, 'float32');
  return apply(prim, [t], {}, t.shape, t.dtype);
}

// ---- elementwise primitives -------------------------------------------------------------

export const add = (a: TensorLike, b: TensorLike) => binary('add', a, b);
export const sub = (a: TensorLike, b: TensorLike) => binary('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike) => binary('mul', a, b);
/** True division (integers are promoted to float32, as in PyTorch). */
export const div = (a: TensorLike, b: TensorLike) => binary('div', a, b, true);
export const pow = (a: TensorLike, b: TensorLike) => binary('pow', a, b);
export const maximum = (a: TensorLike, b: TensorLike) => binary('maximum', a, b);
export const eq = (a: TensorLike, b: TensorLike) => compare('eq', a, b);
export const lt = (a: TensorLike, b: TensorLike) => compare('lt', a, b);
export const gt = (a: TensorLike, b: TensorLike) => compare('gt', a, b);
export const neg = (x: Tensor) => unary('neg', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const sin = (x: Tensor) => unary('sin', x);
export const cos = (x: Tensor) => unary('cos', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const erf = (x: Tensor) => unary('erf', x);

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  checkDType('cast', dtype);
  return apply('cast', [x], { dtype }, x.shape, dtype);
}

/** Select `a` where `cond` is true, else `b` (all three broadcast). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool') throw new Error(`where: expected a bool condition, got ${cond.dtype}`);
  const [ta, tb, dtype] = operands(a, b, cond.device);
  return apply('where', [cond, ta, tb], {}, broadcastShapes('where', cond.shape, ta.shape, tb.shape), dtype);
}

// ---- elementwise composites -------------------------------------------------------------

export const ne = (a: TensorLike, b: TensorLike) => logicalNot(eq(a, b));
export const le = (a: TensorLike, b: TensorLike) => logicalNot(gt(a, b));
export const ge = (a: TensorLike, b: TensorLike) => logicalNot(lt(a, b));
export const logicalNot = (x: Tensor) => eq(cast(x, 'bool'), 0);
export const minimum = (a: TensorLike, b: TensorLike) => neg(maximum(a instanceof Tensor ? neg(a) : -a, b instanceof Tensor ? neg(b) : -b));
export const square = (x: Tensor) => mul(x, x);
export const reciprocal = (x: Tensor) => div(1, x);
export const rsqrt = (x: Tensor) => reciprocal(sqrt(x));
/** -1, 0 or 1 (no gradient). */
export const sign = (x: Tensor) => sub(cast(gt(x, 0), x.dtype), cast(lt(x, 0), x.dtype));
/** |x|, with gradient sign(x) (0 at 0, as in PyTorch). */
export const abs = (x: Tensor) => mul(x, detach(sign(x)));
export const relu = (x: Tensor) => where(gt(x, 0), x, 0);
/** Logistic sigmoid, computed from exp(-|x|) so neither branch overflows (and the gradient is right at 0). */
export function sigmoid(x: Tensor): Tensor {
  const pos = ge(x, 0);
  const e = exp(where(pos, neg(x), x));
  const r = reciprocal(add(e, 1));
  return where(pos, r, mul(e, r));
}
export const silu = (x: Tensor) => mul(x, sigmoid(x));
/** GELU: exact (erf) by default, as PyTorch; `'tanh'` for the tanh approximation. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'tanh') {
    const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  checkFloat('gelu', x);
  return geluExact([x], {});
}
/** Clamp into [min, max]; the gradient passes where min ≤ x ≤ max. */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  let y = x;
  if (min !== undefined) y = where(lt(y, min), min, y);
  if (max !== undefined) y = where(gt(y, max), max, y);
  return y;
}

/** The same values, cut from the graph (shares storage). */
export function detach(x: Tensor): Tensor {
  return x.shareAs(x.shape);
}

/** A copy (recorded for backward). */
export function clone(x: Tensor): Tensor {
  return apply('add', [x, scalar(0, x.dtype, x.device)], {}, x.shape, x.dtype);
}

// ---- reductions -------------------------------------------------------------------------

/** Primitive reduction over `axes`, keeping them as size-1 dims. */
export function reduceKeep(prim: 'sum' | 'max', x: Tensor, axes: number[]): Tensor {
  if (axes.length === 0) return x;
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return apply(prim, [x], { axes }, shape, x.dtype);
}

function dropDims(x: Tensor, axes: number[], keepdim: boolean): Tensor {
  if (keepdim) return x;
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

export function sum(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = normDims('sum', dim, x.ndim);
  const t = x.dtype === 'bool' ? cast(x, 'int32') : x;
  return dropDims(reduceKeep('sum', t, axes), axes, keepdim);
}

export function mean(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = normDims('mean', dim, x.ndim);
  const t = isFloat(x.dtype) ? x : cast(x, 'float32');
  const n = axes.reduce((a, d) => a * x.shape[d]!, 1);
  return div(sum(t, axes, keepdim), n);
}

export function max(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = normDims('max', dim, x.ndim);
  for (const a of axes) if (x.shape[a] === 0) throw new Error(`max: cannot reduce over an empty dim (shape ${fmt(x.shape)})`);
  return dropDims(reduceKeep('max', x, axes), axes, keepdim);
}

export function min(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  return neg(max(neg(x), dim, keepdim));
}

/**
 * Variance with Bessel's `correction` (default 1), as PyTorch's torch.var. Also exported as `var`
 * (`g.var(x)` through a namespace import; `var` cannot be a local name in JavaScript).
 */
export function variance(x: Tensor, dim?: number | number[], opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
  const axes = normDims('var', dim, x.ndim);
  const n = axes.reduce((a, d) => a * x.shape[d]!, 1);
  const d = sub(x, mean(x, axes, true));
  return div(sum(mul(d, d), axes, opts.keepdim ?? false), Math.max(0, n - (opts.correction ?? 1)));
}

export { variance as var };

/** Standard deviation: √variance, with the same `correction` (default 1) as torch.std. */
export function std(x: Tensor, dim?: number | number[], opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
  return sqrt(variance(x, dim, opts));
}

/**
 * Index of the first maximum along `dim` (over all elements when omitted), int32. NaN counts as
 * the maximum, as in PyTorch: a row holding NaN gives the index of its first NaN.
 */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return argmax(reshape(x, [x.size]), 0, false);
  const d = normDim('argmax', dim, x.ndim);
  if (x.shape[d] === 0) throw new Error(`argmax: cannot reduce over an empty dim (shape ${fmt(x.shape)})`);
  return argmaxFused([x], { dim: d, keepdim });
}

/** argmax's definition in primitives (the fused op's oracle): the first NaN's index where a line has one, else the first largest value's. */
export function argmaxComposed(x: Tensor, d: number, keepdim: boolean): Tensor {
  const n = x.shape[d]!;
  let isMax = eq(x, max(x, d, true));
  if (isFloat(x.dtype)) {
    const nan = ne(x, x);
    isMax = where(gt(max(cast(nan, 'int32'), d, true), 0), nan, isMax);
  }
  const idxShape = x.shape.map((s, i) => (i === d ? s : 1));
  const idx = reshape(arangeInt(n, x.device), idxShape);
  return neg(max(neg(where(isMax, idx, n)), d, keepdim));
}

export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argmax(neg(x), dim, keepdim);
}

function arangeInt(n: number, device: string): Tensor {
  const d = new Int32Array(n);
  for (let i = 0; i < n; i++) d[i] = i;
  return Tensor.fromHost(d, [n], 'int32', device);
}

/** Sum `g` down to `shape` (the VJP of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return reshape(reduceKeep('sum', g, axes), shape);
}

// ---- matmul -----------------------------------------------------------------------------

/** Batched primitive matmul on 3-D operands: op(a)[b] · op(b)[b]. */
export function mm(a: Tensor, b: Tensor, ta = false, tb = false): Tensor {
  const [B, ar, ac] = a.shape as [number, number, number];
  const [B2, br, bc] = b.shape as [number, number, number];
  const [M, K] = ta ? [ac, ar] : [ar, ac];
  const [K2, N] = tb ? [bc, br] : [br, bc];
  if (a.ndim !== 3 || b.ndim !== 3 || B !== B2 || K !== K2) {
    throw new Error(`matmul: cannot multiply ${fmt(a.shape)}${ta ? 'ᵀ' : ''} by ${fmt(b.shape)}${tb ? 'ᵀ' : ''}`);
  }
  checkFloat('matmul', a);
  const dtype = promote(a.dtype, b.dtype);
  return apply('matmul', [cast(a, dtype), cast(b, dtype)], { ta, tb }, [B, M, N], dtype);
}

/** x·Wᵀ + b as PyTorch's `F.linear`: x [..., in], weight [out, in], bias [out]; fused on cpu. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const inF = weight.shape[1];
  const outF = weight.shape[0]!;
  if (weight.ndim !== 2 || x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(`linear: input ${fmt(x.shape)} and weight ${fmt(weight.shape)} do not fit (expected weight [out, ${x.shape[x.ndim - 1]}])`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) throw new Error(`linear: expected bias [${outF}], got ${fmt(bias.shape)}`);
  checkFloat('linear', x);
  const lead = x.shape.slice(0, -1);
  checkSize('linear', [...lead, outF]);
  const y = linear2d(bias ? [reshape(x, [sizeOf(lead), inF]), weight, bias] : [reshape(x, [sizeOf(lead), inF]), weight], {});
  return reshape(y, [...lead, outF]);
}

/** Matrix product with PyTorch's rules: 1-D operands, broadcasting batch dims. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmul: both operands need at least one dim, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  if (!isFloat(a.dtype) || !isFloat(b.dtype)) throw new Error(`matmul: expected float tensors, got ${a.dtype} and ${b.dtype}`);
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
  const M = a2.shape[a2.ndim - 2]!;
  const K = a2.shape[a2.ndim - 1]!;
  const N = b2.shape[b2.ndim - 1]!;
  if (b2.shape[b2.ndim - 2] !== K) throw new Error(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} are not aligned (${K} vs ${b2.shape[b2.ndim - 2]})`);
  let out: Tensor;
  let batch: number[];
  if (b2.ndim === 2) {
    // fold a's batch dims into its rows: one big matmul, no copies
    batch = a2.shape.slice(0, -2) as number[];
    out = mm(reshape(a2, [1, sizeOf(batch) * M, K]), reshape(b2, [1, K, N]));
  } else {
    batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
    const nb = sizeOf(batch);
    const ae = reshape(expand(a2, [...batch, M, K]), [nb, M, K]);
    const be = reshape(expand(b2, [...batch, K, N]), [nb, K, N]);
    out = mm(ae, be);
  }
  const shape = [...batch, M, N];
  if (a.ndim === 1) shape.splice(shape.length - 2, 1);
  if (b.ndim === 1) shape.splice(shape.length - 1, 1);
  return reshape(out, shape);
}

// ---- movement ---------------------------------------------------------------------------

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = [...shape];
  const infer = s.indexOf(-1);
  if (infer !== s.lastIndexOf(-1)) throw new Error(`reshape: only one dim can be -1, got ${fmt(shape)}`);
  if (infer >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== infer));
    if (rest === 0 || x.size % rest !== 0) throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) into ${fmt(shape)}`);
    s[infer] = x.size / rest;
  }
  checkShape('reshape', s);
  if (sizeOf(s) !== x.size) throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) into ${fmt(shape)}`);
  if (sameShape(s, x.shape)) return x;
  return apply('reshape', [x], { shape: s }, s, x.dtype);
}

export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim('flatten', start, x.ndim);
  const e = normDim('flatten', end, x.ndim);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.ndim) throw new Error(`permute: expected ${x.ndim} dims for shape ${fmt(x.shape)}, got ${JSON.stringify(perm)}`);
  const p = perm.map((d) => normDim('permute', d, x.ndim));
  if (new Set(p).size !== p.length) throw new Error(`permute: repeated dim in ${JSON.stringify(perm)}`);
  if (p.every((d, i) => d === i)) return x;
  return apply('permute', [x], { perm: p }, p.map((d) => x.shape[d]!), x.dtype);
}

export function transpose(x: Tensor, d0 = -2, d1 = -1): Tensor {
  if (x.ndim < 2) return x;
  const a = normDim('transpose', d0, x.ndim);
  const b = normDim('transpose', d1, x.ndim);
  const p = x.shape.map((_, i) => i);
  [p[a], p[b]] = [p[b]!, p[a]!];
  return permute(x, p);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim('unsqueeze', dim, x.ndim + 1);
  const s = [...x.shape];
  s.splice(d, 0, 1);
  return reshape(x, s);
}

export function squeeze(x: Tensor, dim?: number | number[]): Tensor {
  const axes = dim === undefined ? x.shape.map((_, i) => i) : normDims('squeeze', dim, x.ndim);
  return reshape(x, x.shape.filter((s, i) => !(s === 1 && axes.includes(i))));
}

/** Broadcast to `shape` (-1 keeps a dim), materialised by the backend. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0) throw new Error(`expand: cannot expand ${fmt(x.shape)} to fewer dims ${fmt(shape)}`);
  const s = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead]! : d));
  for (let i = 0; i < x.ndim; i++) {
    const from = x.shape[i]!;
    if (from !== 1 && from !== s[i + lead]) throw new Error(`expand: cannot expand ${fmt(x.shape)} to ${fmt(shape)}`);
  }
  checkShape('expand', s);
  if (sameShape(s, x.shape)) return x;
  return apply('expand', [x], { shape: s }, s, x.dtype);
}

/** Elements start ≤ i < end along `dim`; negative values count from the end, out-of-range ones are clamped. */
export function slice(x: Tensor, dim: number, start: number, end?: number): Tensor {
  const d = normDim('slice', dim, x.ndim);
  const n = x.shape[d]!;
  const norm = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
  const s = norm(start);
  const e = Math.max(s, norm(end ?? n));
  if (s === 0 && e === n) return x;
  const starts = x.shape.map(() => 0);
  const ends = [...x.shape];
  starts[d] = s;
  ends[d] = e;
  return slicePrim(x, starts, ends);
}

export function slicePrim(x: Tensor, starts: number[], ends: number[]): Tensor {
  return apply('slice', [x], { starts, ends }, ends.map((e, i) => e - starts[i]!), x.dtype);
}

export function padPrim(x: Tensor, before: number[], after: number[]): Tensor {
  if (before.every((b) => b === 0) && after.every((a) => a === 0)) return x;
  return apply('pad', [x], { before, after }, x.shape.map((s, i) => s + before[i]! + after[i]!), x.dtype);
}

/** (x − mean)/√(var + eps) over the last `dims` dims (biased variance): layerNorm without its affine part. */
export function standardizeComposed(x: Tensor, dims: number, eps: number): Tensor {
  const axes = Array.from({ length: dims }, (_, i) => x.ndim - dims + i);
  const d = sub(x, mean(x, axes, true));
  return mul(d, rsqrt(add(mean(mul(d, d), axes, true), eps)));
}

/** Zero padding, PyTorch style: [left, right] for the last dim, then the dim before it, and so on. */
export function pad(x: Tensor, pads: readonly number[]): Tensor {
  if (pads.length % 2 !== 0 || pads.length / 2 > x.ndim) throw new Error(`pad: expected pairs for at most ${x.ndim} dims, got ${JSON.stringify(pads)}`);
  if (pads.some((p) => !Number.isInteger(p) || p < 0)) throw new Error(`pad: pads must be non-negative integers, got ${JSON.stringify(pads)}`);
  const before = x.shape.map(() => 0);
  const after = x.shape.map(() => 0);
  for (let i = 0; i < pads.length / 2; i++) {
    before[x.ndim - 1 - i] = pads[2 * i]!;
    after[x.ndim - 1 - i] = pads[2 * i + 1]!;
  }
  return padPrim(x, before, after);
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('cat: expected at least one tensor');
  const first = tensors[0]!;
  const d = normDim('cat', dim, first.ndim);
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new Error(`cat: shapes must match except in dim ${d}, got ${tensors.map((x) => fmt(x.shape)).join(', ')}`);
    }
  }
  if (tensors.length === 1) return first;
  const dtype = tensors.map((t) => t.dtype).reduce(promote);
  const shape = [...first.shape];
  shape[d] = tensors.reduce((a, t) => a + t.shape[d]!, 0);
  return apply('cat', tensors.map((t) => cast(t, dtype)), { dim: d }, shape, dtype);
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack: expected at least one tensor');
  const d = normDim('stack', dim, tensors[0]!.ndim + 1);
  for (const t of tensors) {
    if (!sameShape(t.shape, tensors[0]!.shape)) throw new Error(`stack: all shapes must match, got ${tensors.map((x) => fmt(x.shape)).join(', ')}`);
  }
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

// ---- indexing ---------------------------------------------------------------------------

function checkIndexTensor(op: string, index: Tensor): void {
  if (index.dtype !== 'int32') throw new Error(`${op}: expected an int32 index, got ${index.dtype}`);
}

/** torch.gather: out[i][j][k] = x[index[i][j][k]][j][k] for dim 0, and so on. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndexTensor('gather', index);
  const d = normDim('gather', dim, x.ndim);
  if (index.ndim !== x.ndim || index.shape.some((s, i) => i !== d && s > x.shape[i]!)) {
    throw new Error(`gather: index shape ${fmt(index.shape)} does not fit input shape ${fmt(x.shape)} along dim ${d}`);
  }
  return apply('gather', [x, index], { dim: d }, index.shape, x.dtype);
}

/** The scatterAdd primitive: zeros(shape) with `src` added at `index` along `dim` (gather's VJP). */
export function scatterAddPrim(src: Tensor, dim: number, index: Tensor, shape: Shape): Tensor {
  checkIndexTensor('scatterAdd', index);
  const d = normDim('scatterAdd', dim, shape.length);
  if (index.ndim !== shape.length || src.ndim !== shape.length || index.shape.some((s, i) => s > src.shape[i]! || (i !== d && s > shape[i]!))) {
    throw new Error(`scatterAdd: index ${fmt(index.shape)}, src ${fmt(src.shape)} and output ${fmt(shape)} do not fit along dim ${d}`);
  }
  return apply('scatterAdd', [src, index], { dim: d, shape: [...shape] }, shape, src.dtype);
}

/**
 * `input` plus `src` added at `index` along `dim`, as PyTorch's torch.scatter_add(input, dim, index, src):
 * out[i][index[i][j]] += src[i][j] for dim 1, and so on. Start from `zeros(shape)` for a plain scatter.
 */
export function scatterAdd(input: Tensor, dim: number, index: Tensor, src: Tensor): Tensor;
/** @deprecated the order is now PyTorch's: `scatterAdd(zeros(shape), dim, index, src)`. */
export function scatterAdd(src: Tensor, dim: number, index: Tensor, shape: Shape): Tensor;
export function scatterAdd(input: Tensor, dim: number, index: Tensor, src: Tensor | Shape): Tensor {
  if (!(src instanceof Tensor)) {
    warnDeprecated('scatterAdd(src, dim, index, shape)', "use PyTorch's order scatterAdd(input, dim, index, src), e.g. scatterAdd(zeros(shape), dim, index, src)");
    return scatterAddPrim(input, dim, index, src);
  }
  if (src.dtype !== input.dtype) throw new Error(`scatterAdd: expected src of input's dtype ${input.dtype}, got ${src.dtype}`);
  return add(input, scatterAddPrim(src, dim, index, input.shape));
}

/** Rows (or slices along `dim`) picked by a 1-D int32 index. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndexTensor('indexSelect', index);
  if (index.ndim !== 1) throw new Error(`indexSelect: expected a 1-D index, got shape ${fmt(index.shape)}`);
  const d = normDim('indexSelect', dim, x.ndim);
  const shape = x.shape.map((s, i) => (i === d ? index.size : s));
  const idx = expand(reshape(index, x.shape.map((_, i) => (i === d ? index.size : 1))), shape);
  return gather(x, d, idx);
}

/** One-hot encoding of int32 class indices in [0, numClasses) (int32 output, as PyTorch's integer one_hot). */
export function oneHot(index: Tensor, numClasses: number): Tensor {
  checkIndexTensor('oneHot', index);
  if (!Number.isInteger(numClasses) || numClasses < 0) throw new Error(`oneHot: expected numClasses to be a non-negative integer, got ${numClasses}`);
  checkIndicesBelow('oneHot', 'class index', index, numClasses);
  return cast(eq(unsqueeze(index, -1), arangeInt(numClasses, index.device)), 'int32');
}

// ---- composites: normalisation, losses, regularisation ----------------------------------

/** Softmax along `dim` (fused when `dim` is the last one). */
export function softmax(x: Tensor, dim = -1): Tensor {
  const d = normDim('softmax', dim, x.ndim);
  checkFloat('softmax', x);
  return d === x.ndim - 1 && x.ndim > 0 ? softmaxLast([x], {}) : softmaxComposed(x, d);
}

export function softmaxComposed(x: Tensor, dim: number): Tensor {
  const z = sub(x, detach(max(x, dim, true)));
  const e = exp(z);
  return div(e, sum(e, dim, true));
}

/** log-softmax along `dim` (fused when `dim` is the last one). */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  const d = normDim('logSoftmax', dim, x.ndim);
  checkFloat('logSoftmax', x);
  return d === x.ndim - 1 && x.ndim > 0 ? logSoftmaxLast([x], {}) : logSoftmaxComposed(x, d);
}

export function logSoftmaxComposed(x: Tensor, dim: number): Tensor {
  const z = sub(x, detach(max(x, dim, true)));
  return sub(z, log(sum(exp(z), dim, true)));
}

/** StableMax (Prieto et al. 2025): s(x) = x+1 for x ≥ 0, 1/(1−x) below, normalised along `dim`. */
export function stableMax(x: Tensor, dim = -1): Tensor {
  const s = where(ge(x, 0), add(x, 1), reciprocal(sub(1, minimum(x, 0))));
  return div(s, sum(s, dim, true));
}

/** log of StableMax, for a stable cross-entropy. */
export function logStableMax(x: Tensor, dim = -1): Tensor {
  const s = where(ge(x, 0), add(x, 1), reciprocal(sub(1, minimum(x, 0))));
  return sub(log(s), log(sum(s, dim, true)));
}

export type Reduction = 'mean' | 'sum' | 'none';

function reduceLoss(l: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? l : reduction === 'sum' ? sum(l) : mean(l);
}

/**
 * Cross-entropy between logits and int32 class targets, as PyTorch: logits [N, C] (or [C], or
 * [N, C, d…] with the class dim 1) and targets [N] ([], [N, d…]).
 */
export function crossEntropy(
  logits: Tensor,
  targets: Tensor,
  opts: { reduction?: Reduction; labelSmoothing?: number; logProbs?: (x: Tensor, dim: number) => Tensor } = {},
): Tensor {
  checkIndexTensor('crossEntropy', targets);
  const cdim = logits.ndim === 1 ? 0 : 1;
  const C = logits.shape[cdim]!;
  const expected = logits.shape.filter((_, i) => i !== cdim);
  if (!sameShape(expected, targets.shape)) {
    throw new Error(`crossEntropy: logits ${fmt(logits.shape)} need targets of shape ${fmt(expected)}, got ${fmt(targets.shape)}`);
  }
  checkIndicesBelow('crossEntropy', 'target', targets, C);
  const logp = (opts.logProbs ?? logSoftmax)(logits, cdim);
  const picked = squeeze(gather(logp, cdim, unsqueeze(targets, cdim)), cdim);
  let loss = neg(picked);
  const eps = opts.labelSmoothing ?? 0;
  if (eps > 0) loss = add(mul(loss, 1 - eps), mul(neg(mean(logp, cdim)), eps));
  return reduceLoss(loss, opts.reduction ?? 'mean');
}

/** Throw unless every value of the int32 tensor `t` lies in [0, n) (on backends that read synchronously). */
function checkIndicesBelow(op: string, what: string, t: Tensor, n: number): void {
  let host;
  try {
    host = t.view();
  } catch {
    return;
  }
  for (let i = 0; i < host.length; i++) {
    if (host[i]! < 0 || host[i]! >= n) throw new RangeError(`${op}: ${what} ${host[i]} at index ${i} is outside [0, ${n})`);
  }
}

/** Mean squared error between `input` and `target` of one shape (PyTorch's F.mse_loss). */
export function mseLoss(input: Tensor, target: Tensor, opts?: { reduction?: Reduction }): Tensor;
/** @deprecated pass the reduction in the options: `mseLoss(input, target, { reduction })`. */
export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction): Tensor;
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } | Reduction = {}): Tensor {
  if (typeof opts === 'string') {
    warnDeprecated('mseLoss(input, target, reduction)', 'pass the reduction in the options: mseLoss(input, target, { reduction })');
    opts = { reduction: opts };
  }
  if (!sameShape(input.shape, target.shape)) throw new Error(`mseLoss: input ${fmt(input.shape)} and target ${fmt(target.shape)} must have the same shape`);
  const d = sub(input, target);
  return reduceLoss(mul(d, d), opts.reduction ?? 'mean');
}

/** Layer normalisation over the trailing `normalizedShape` dims (biased variance, as PyTorch). */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const k = normalizedShape.length;
  if (k === 0 || k > x.ndim || !sameShape(x.shape.slice(x.ndim - k), normalizedShape)) {
    throw new Error(`layerNorm: normalizedShape ${fmt(normalizedShape)} does not match the trailing dims of ${fmt(x.shape)}`);
  }
  checkFloat('layerNorm', x);
  let y = standardize([x], { dims: k, eps });
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/** RMS normalisation over the trailing `normalizedShape` dims: x/√(mean(x²) + eps)·weight (PyTorch's F.rms_norm). */
export function rmsNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, eps = 1e-6): Tensor {
  const k = normalizedShape.length;
  if (k === 0 || k > x.ndim || !sameShape(x.shape.slice(x.ndim - k), normalizedShape)) {
    throw new Error(`rmsNorm: normalizedShape ${fmt(normalizedShape)} does not match the trailing dims of ${fmt(x.shape)}`);
  }
  checkFloat('rmsNorm', x);
  const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const y = mul(x, rsqrt(add(mean(mul(x, x), axes, true), eps)));
  return weight ? mul(y, weight) : y;
}

/** Inverted dropout: zero each element with probability p and scale the rest by 1/(1−p); identity when not training. */
export function dropout(x: Tensor, p: number, opts: { training?: boolean; rng?: Generator } = {}): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: expected 0 ≤ p < 1, got ${p}`);
  if (p === 0 || opts.training === false) return x;
  const g = opts.rng ?? defaultGenerator();
  const keepMask = new Uint8Array(x.size);
  for (let i = 0; i < keepMask.length; i++) keepMask[i] = g.uniform() >= p ? 1 : 0;
  const mask = Tensor.fromHost(keepMask, x.shape, 'bool', x.device);
  return where(mask, div(x, 1 - p), 0);
}
