/**
 * Elementwise kernels (unary, binary, comparisons, where, cast, fused gelu): one shader per
 * op / ndim / dtype signature; inputs are read through broadcast strides from the metadata.
 */
import type { DType, TensorInfo } from '@grokkit/core';
import type { Engine, GpuHandle } from '../engine.js';
import { broadcastStrides, collapse, sizeOf } from '../shape-utils.js';
import { bindings, entry1d, grid, MATH, offsets, storageType, WG, type StorageType } from './wgsl.js';

/** Arithmetic type of a value in a kernel: bool loads as i32 (0/1) so it can be added. */
type Compute = 'f32' | 'i32' | 'bool';

/** An op's expression over its (already loaded) operands a, b, c, and the type it yields. */
type Expr = (v: string[], t: Compute) => [string, Compute];

const F = (x: string, t: Compute) => (t === 'f32' ? x : `f32(${x})`);
const float1 = (fn: string): Expr => ([a], t) => [`${fn}(${F(a!, t)})`, 'f32'];
const SQ = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

export const EXPRS: Record<string, Expr> = {
  neg: ([a], t) => [`-${a}`, t],
  exp: float1('exp'),
  log: float1('log'),
  sqrt: float1('sqrt'),
  sin: float1('sin_'),
  cos: float1('cos_'),
  tanh: float1('tanh_'),
  erf: float1('erf_'),
  add: ([a, b], t) => [`${a} + ${b}`, t],
  sub: ([a, b], t) => [`${a} - ${b}`, t],
  mul: ([a, b], t) => [`${a} * ${b}`, t],
  div: ([a, b], t) => [`${F(a!, t)} / ${F(b!, t)}`, 'f32'],
  pow: ([a, b], t) => [`pow_(${F(a!, t)}, ${F(b!, t)})`, 'f32'],
  maximum: ([a, b], t) => (t === 'f32' ? [`max_(${a}, ${b})`, t] : [`max(${a}, ${b})`, t]),
  eq: ([a, b]) => [`${a} == ${b}`, 'bool'],
  lt: ([a, b]) => [`${a} < ${b}`, 'bool'],
  gt: ([a, b]) => [`${a} > ${b}`, 'bool'],
  cast: ([a], t) => [a!, t],
  gelu: ([a], t) => [`0.5 * ${F(a!, t)} * (1.0 + erf_(${F(a!, t)} * ${SQ}))`, 'f32'],
  geluDerivative: ([a], t) => {
    const x = F(a!, t);
    return [`0.5 * (1.0 + erf_(${x} * ${SQ})) + ${x} * ${INV_SQRT_2PI} * exp(-0.5 * ${x} * ${x})`, 'f32'];
  },
};

function computeOf(s: StorageType): Compute {
  return s === 'f32' ? 'f32' : 'i32';
}

/** Load element `o` of input `k` as its compute type. */
function load(k: number, o: string, s: StorageType): string {
  return s === 'u32' ? `i32(x${k}[${o}])` : `x${k}[${o}]`;
}

/** Convert a value of compute type `from` to the output storage type. */
function store(r: string, from: Compute, to: StorageType): string {
  if (to === 'f32') return from === 'f32' ? r : from === 'i32' ? `f32(${r})` : `select(0.0, 1.0, ${r})`;
  if (to === 'i32') return from === 'f32' ? `f2i_(${r})` : from === 'i32' ? r : `select(0, 1, ${r})`;
  if (from === 'f32') return `select(0u, 1u, ${r} != 0.0 && !isnan_(${r}))`;
  if (from === 'i32') return `select(0u, 1u, ${r} != 0)`;
  return `select(0u, 1u, ${r})`;
}

/** WGSL source of elementwise `op` over inputs of storage types `ins`, iterating `nd` dims (-1: all contiguous). */
export function elementwiseSource(op: string, ins: StorageType[], out: StorageType, nd: number): string {
  const isWhere = op === 'where';
  const valueIns = isWhere ? ins.slice(1) : ins;
  const t = computeOf(valueIns[0]!);
  const contiguous = nd < 0;
  const offs = contiguous ? '' : offsets('i', nd, 1, ins.map((_, k) => 1 + nd * (k + 1)));
  const vals = ins.map((s, k) => load(k, contiguous ? 'i' : `o${k}`, s));
  let expr: string;
  let rt: Compute;
  if (isWhere) {
    [expr, rt] = [`select(${vals[2]}, ${vals[1]}, ${vals[0]} != 0)`, t];
  } else {
    const e = EXPRS[op];
    if (!e) throw new Error(`webgpu: no elementwise expression for '${op}'`);
    [expr, rt] = e(vals, t);
  }
  return `${bindings(ins, out)}
${MATH}
${entry1d()}
  if (i >= md[0]) { return; }
  ${offs}
  let r = ${expr};
  y[i] = ${store('r', rt, out)};
}`;
}

/** Run elementwise `op`: inputs broadcast to `out.shape`. */
export function elementwise(engine: Engine, op: string, inputs: TensorInfo[], out: { shape: readonly number[]; dtype: DType }): GpuHandle {
  const n = sizeOf(out.shape);
  const outType = storageType(out.dtype, op);
  const ins = inputs.map((x) => storageType(x.dtype, op));
  const h = engine.alloc(n * 4);
  if (n === 0) return h;
  const c = collapse(
    out.shape,
    inputs.map((x) => broadcastStrides(x.shape, out.shape)),
  );
  const contiguous = c.shape.length === 0 || (c.shape.length === 1 && c.strides.every((s) => s[0] === 1));
  const nd = contiguous ? -1 : c.shape.length;
  const meta = contiguous ? [n] : [n, ...c.shape, ...c.strides.flat()];
  engine.dispatch({
    source: elementwiseSource(op, ins, outType, nd),
    inputs: inputs.map((x) => (x.handle as GpuHandle).buffer),
    output: h.buffer,
    meta,
    groups: [...grid(Math.ceil(n / WG)), 1],
  });
  return h;
}
