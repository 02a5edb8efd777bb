import type { TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';
import { collapse } from '../shape.js';
import { wasmColumnSums } from './wasm/vector.js';

/**
 * The loops below run over every typed-array type (float32/64, int32, bool). One shared loop would
 * see them all and V8 would compile it for the general case (several times slower), so each is
 * compiled from source once per array type it meets, like the elementwise kernels.
 */
const compiled = new Map<string, (...args: never[]) => void>();
function byType<F extends (...args: never[]) => void>(name: string, arrays: TypedArray[], source: string): F {
  let key = name;
  for (const a of arrays) key += `:${a.constructor.name}`;
  let f = compiled.get(key);
  if (!f) compiled.set(key, (f = new Function(`return ${source}`)() as F));
  return f as F;
}

/** Step the multi-index idx (and the offset base) to the next row of the collapsed shape sh with strides st. */
const NEXT_ROW = `for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      base += st[d];
      if (idx[d] < sh[d]) break;
      base -= st[d] * sh[d];
      idx[d] = 0;
    }`;

const COPY = `function copy(out, src, sh, st, offset) {
  const nd = sh.length;
  const n = out.length;
  if (nd === 0) { out[0] = src[offset]; return; }
  const inner = sh[nd - 1];
  const s = st[nd - 1];
  const idx = new Int32Array(nd);
  let base = offset;
  for (let o = 0; o < n; o += inner) {
    // a subarray per row costs more than it saves on short rows
    if (s === 1 && inner >= 64) out.set(src.subarray(base, base + inner), o);
    else if (s === 0 && inner >= 16) out.fill(src[base], o, o + inner); // broadcast along the row
    else for (let j = 0, p = base; j < inner; j++, p += s) out[o + j] = src[p];
    ${NEXT_ROW}
  }
}`;

/** Copy `src`, read through (shape, strides, offset), into the contiguous array `out`. */
export function stridedCopy(out: TypedArray, src: TypedArray, shape: Shape, strides: number[], offset = 0): void {
  if (out.length === 0) return;
  const c = collapse(shape, [strides]);
  byType<(o: TypedArray, s: TypedArray, sh: number[], st: number[], off: number) => void>('copy', [out, src], COPY)(out, src, c.shape, c.strides[0]!, offset);
}

/** The reduction loop: acc[base + …] ⊕= src[i] in input order; the output offset moves with stride 0 along reduced dims. */
function reduceSource(op: 'sum' | 'max'): string {
  const fold = (r: string, v: string) => (op === 'sum' ? `${r} += ${v};` : `{ const v = ${v}; if (v > ${r} || v !== v) ${r} = v; }`);
  return `function reduce(acc, src, sh, st) {
  const n = src.length;
  const nd = sh.length;
  if (nd === 0) { ${fold('acc[0]', 'src[0]')} return; }
  const inner = sh[nd - 1];
  const s = st[nd - 1];
  const idx = new Int32Array(nd);
  let base = 0;
  for (let i = 0; i < n; i += inner) {
    if (s === 0) {
      let r = acc[base];
      for (let j = 0; j < inner; j++) ${fold('r', 'src[i + j]')}
      acc[base] = r;
    } else {
      for (let j = 0, p = base; j < inner; j++, p += s) ${fold('acc[p]', 'src[i + j]')}
    }
    ${NEXT_ROW}
  }
}`;
}
const REDUCE = { sum: reduceSource('sum'), max: reduceSource('max') };

/**
 * Reduce `src` (contiguous, `shape`) over the dims where `outShape` is 1 and `shape` is not,
 * writing the contiguous `out` (reduced dims kept with size 1). `op` is 'sum' or 'max'.
 * Accumulates in float64.
 */
export function reduce(op: 'sum' | 'max', out: TypedArray, src: TypedArray, shape: Shape, outShape: Shape): void {
  const acc = new Float64Array(out.length).fill(op === 'sum' ? 0 : -Infinity);
  if (src.length > 0) {
    const ost: number[] = [];
    let a = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      ost[d] = outShape[d] === 1 ? 0 : a;
      a *= outShape[d]!;
    }
    const c = collapse(shape, [ost]);
    const [rows, cols] = c.shape as [number, number];
    const st = c.strides[0]!;
    // column sums of float32 rows (bias and norm-weight gradients): float64 SIMD lanes, same result
    if (op === 'sum' && src instanceof Float32Array && c.shape.length === 2 && st[0] === 0 && st[1] === 1 && wasmColumnSums(acc, src, rows, cols)) {
      for (let r = 0; r < rows; r++) for (let j = cols & ~3; j < cols; j++) acc[j] += src[r * cols + j]!;
    } else {
      byType<(acc: Float64Array, src: TypedArray, sh: number[], st: number[]) => void>(`reduce-${op}`, [src], REDUCE[op])(acc, src, c.shape, st);
    }
  }
  if (out instanceof Uint8Array && op === 'sum') for (let i = 0; i < out.length; i++) out[i] = acc[i]! ? 1 : 0;
  else out.set(acc);
}
