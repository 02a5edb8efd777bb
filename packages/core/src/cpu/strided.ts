import type { TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';
import { collapse } from '../shape.js';

/** Copy `src`, read through (shape, strides, offset), into the contiguous array `out`. */
export function stridedCopy(out: TypedArray, src: TypedArray, shape: Shape, strides: number[], offset = 0): void {
  const c = collapse(shape, [strides]);
  const sh = c.shape;
  const st = c.strides[0]!;
  const nd = sh.length;
  const n = out.length;
  if (n === 0) return;
  if (nd === 0) {
    out[0] = src[offset]!;
    return;
  }
  const inner = sh[nd - 1]!;
  const s = st[nd - 1]!;
  const idx = new Int32Array(nd);
  let base = offset;
  for (let o = 0; o < n; o += inner) {
    // a subarray per row costs more than it saves on short rows
    if (s === 1 && inner >= 64) out.set(src.subarray(base, base + inner), o);
    else for (let j = 0, p = base; j < inner; j++, p += s) out[o + j] = src[p]!;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      base += st[d]!;
      if (idx[d]! < sh[d]!) break;
      base -= st[d]! * sh[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * Reduce `src` (contiguous, `shape`) over the dims where `outShape` is 1 and `shape` is not,
 * writing the contiguous `out` (reduced dims kept with size 1). `op` is 'sum' or 'max'.
 */
export function reduce(op: 'sum' | 'max', out: TypedArray, src: TypedArray, shape: Shape, outShape: Shape): void {
  const n = src.length;
  const init = op === 'sum' ? 0 : -Infinity;
  const acc = new Float64Array(out.length).fill(init);
  if (n > 0) {
    // read the input in order; the output offset moves with stride 0 along reduced dims
    const ost: number[] = [];
    let a = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      ost[d] = outShape[d] === 1 ? 0 : a;
      a *= outShape[d]!;
    }
    const c = collapse(shape, [ost]);
    const sh = c.shape;
    const st = c.strides[0]!;
    const nd = sh.length;
    if (nd === 0) {
      acc[0] = op === 'sum' ? acc[0]! + src[0]! : Math.max(acc[0]!, src[0]!);
    } else {
      const inner = sh[nd - 1]!;
      const s = st[nd - 1]!;
      const idx = new Int32Array(nd);
      let base = 0;
      for (let i = 0; i < n; i += inner) {
        if (s === 0) {
          let r = acc[base]!;
          if (op === 'sum') for (let j = 0; j < inner; j++) r += src[i + j]!;
          else
            for (let j = 0; j < inner; j++) {
              const v = src[i + j]!;
              if (v > r || v !== v) r = v;
            }
          acc[base] = r;
        } else if (op === 'sum') {
          for (let j = 0, p = base; j < inner; j++, p += s) acc[p] += src[i + j]!;
        } else {
          for (let j = 0, p = base; j < inner; j++, p += s) {
            const v = src[i + j]!;
            if (v > acc[p]! || v !== v) acc[p] = v;
          }
        }
        for (let d = nd - 2; d >= 0; d--) {
          idx[d]!++;
          base += st[d]!;
          if (idx[d]! < sh[d]!) break;
          base -= st[d]! * sh[d]!;
          idx[d] = 0;
        }
      }
    }
  }
  if (out instanceof Uint8Array && op === 'sum') for (let i = 0; i < out.length; i++) out[i] = acc[i]! ? 1 : 0;
  else out.set(acc);
}
