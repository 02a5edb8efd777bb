/**
 * Movement primitives as strided copies: dst[dOff + Σ c·ds] = src[sOff + Σ c·ss] over an
 * iteration shape. Elements are copied as raw 32-bit words, so one shader serves every dtype.
 * permute/expand/slice read strided into a contiguous output; pad and cat write each input into
 * a strided window of the output.
 */
import type { DType, PrimitiveParams, TensorInfo } from '@grokkit/core';
import type { Engine, GpuHandle } from '../engine.js';
import { broadcastStrides, collapse, sizeOf, stridesOf } from '../shape-utils.js';
import { bindings, entry1d, grid, offsets, storageType, WG } from './wgsl.js';

/** Metadata: [n, sOff, dOff, shape(nd), srcStrides(nd), dstStrides(nd)]. */
export function copySource(nd: number): string {
  return `${bindings(['u32'], 'u32')}
${entry1d()}
  if (i >= md[0]) { return; }
  ${offsets('i', nd, 3, [3 + nd, 3 + 2 * nd])}
  y[md[2] + o1] = x0[md[1] + o0];
}`;
}

/** Record a strided copy of `shape` elements from `src` into `dst`. */
export function stridedCopy(
  engine: Engine,
  src: GPUBuffer,
  dst: GPUBuffer,
  shape: readonly number[],
  srcStrides: readonly number[],
  dstStrides: readonly number[],
  srcOffset = 0,
  dstOffset = 0,
): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  const c = collapse(shape, [srcStrides, dstStrides]);
  const nd = c.shape.length;
  if (nd <= 1 && (nd === 0 || (c.strides[0]![0] === 1 && c.strides[1]![0] === 1))) {
    engine.copy(src, dst, n * 4, srcOffset * 4, dstOffset * 4);
    return;
  }
  engine.dispatch({
    source: copySource(nd),
    inputs: [src],
    output: dst,
    meta: [n, srcOffset, dstOffset, ...c.shape, ...c.strides[0]!, ...c.strides[1]!],
    groups: [...grid(Math.ceil(n / WG)), 1],
  });
}

type Out = { shape: readonly number[]; dtype: DType };
const buf = (t: TensorInfo) => (t.handle as GpuHandle).buffer;

export function movement<P extends 'reshape' | 'permute' | 'expand' | 'slice' | 'pad' | 'cat'>(
  engine: Engine,
  prim: P,
  ins: TensorInfo[],
  params: PrimitiveParams[P],
  out: Out,
): GpuHandle {
  storageType(out.dtype, prim);
  const n = sizeOf(out.shape);
  const h = engine.alloc(n * 4);
  const x = ins[0]!;
  const contiguous = stridesOf(out.shape);
  switch (prim) {
    case 'reshape':
      if (n > 0) engine.copy(buf(x), h.buffer, n * 4);
      break;
    case 'permute': {
      const st = stridesOf(x.shape);
      const { perm } = params as PrimitiveParams['permute'];
      stridedCopy(engine, buf(x), h.buffer, out.shape, perm.map((p) => st[p]!), contiguous);
      break;
    }
    case 'expand':
      stridedCopy(engine, buf(x), h.buffer, out.shape, broadcastStrides(x.shape, out.shape), contiguous);
      break;
    case 'slice': {
      const st = stridesOf(x.shape);
      const { starts } = params as PrimitiveParams['slice'];
      stridedCopy(engine, buf(x), h.buffer, out.shape, st, contiguous, starts.reduce((o, s, d) => o + s * st[d]!, 0));
      break;
    }
    case 'pad': {
      const { before } = params as PrimitiveParams['pad'];
      if (n > 0) engine.clear(h.buffer, n * 4);
      const offset = before.reduce((o, b, d) => o + b * contiguous[d]!, 0);
      stridedCopy(engine, buf(x), h.buffer, x.shape, stridesOf(x.shape), contiguous, 0, offset);
      break;
    }
    case 'cat': {
      const { dim } = params as PrimitiveParams['cat'];
      let off = 0;
      for (const t of ins) {
        stridedCopy(engine, buf(t), h.buffer, t.shape, stridesOf(t.shape), contiguous, 0, off * contiguous[dim]!);
        off += t.shape[dim]!;
      }
      break;
    }
  }
  return h;
}
