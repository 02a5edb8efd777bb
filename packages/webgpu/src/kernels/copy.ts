/**
 * Movement primitives as strided copies: dst[dOff + Σ c·ds] = src[sOff + Σ c·ss] over an
 * iteration shape. Elements are copied as raw 32-bit words, so one shader serves every dtype.
 * permute/expand/slice read strided into a contiguous output; pad and cat write each input into
 * a strided window of the output.
 */
import type { Kernel, OutputInfo, PrimitiveOfKind, PrimitiveParams, TensorInfo } from '@grokkit/core/backend';
import type { Engine, GpuHandle } from '../engine.js';
import { broadcastStrides, collapse, sizeOf, stridesOf } from '../shape-utils.js';
import { bindings, entry1d, grid, offsets, storageType, WG } from './wgsl.js';

type MovementPrimitive = PrimitiveOfKind<'movement'>;

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

const buf = (t: TensorInfo<GpuHandle>) => t.handle.buffer;

/** The output's handle, after checking WebGPU can store its dtype. */
function output(engine: Engine, prim: string, out: OutputInfo): GpuHandle {
  storageType(out.dtype, prim);
  return engine.alloc(sizeOf(out.shape) * 4);
}

/** A movement kernel that copies input 0 read through (strides, offset) into the contiguous output. */
function strided<P extends MovementPrimitive>(engine: Engine, prim: P, read: (x: TensorInfo<GpuHandle>, params: PrimitiveParams[P], out: OutputInfo) => [number[], number]): Kernel<P, GpuHandle> {
  return ([x], params, out) => {
    const h = output(engine, prim, out);
    const [strides, offset] = read(x!, params, out);
    stridedCopy(engine, buf(x!), h.buffer, out.shape, strides, stridesOf(out.shape), offset);
    return h;
  };
}

/** The movement primitives' kernels. */
export function movementKernels(engine: Engine): { readonly [P in MovementPrimitive]: Kernel<P, GpuHandle> } {
  return {
    reshape: ([x], _p, out) => {
      const h = output(engine, 'reshape', out);
      const n = sizeOf(out.shape);
      if (n > 0) engine.copy(buf(x!), h.buffer, n * 4);
      return h;
    },
    permute: strided(engine, 'permute', (x, { perm }) => {
      const st = stridesOf(x.shape);
      return [perm.map((p) => st[p]!), 0];
    }),
    expand: strided(engine, 'expand', (x, _p, out) => [broadcastStrides(x.shape, out.shape), 0]),
    slice: strided(engine, 'slice', (x, { starts }) => {
      const st = stridesOf(x.shape);
      return [st, starts.reduce((o, s, d) => o + s * st[d]!, 0)];
    }),
    pad: ([x], { before }, out) => {
      const h = output(engine, 'pad', out);
      const n = sizeOf(out.shape);
      const contiguous = stridesOf(out.shape);
      if (n > 0) engine.clear(h.buffer, n * 4);
      const offset = before.reduce((o, b, d) => o + b * contiguous[d]!, 0);
      stridedCopy(engine, buf(x!), h.buffer, x!.shape, stridesOf(x!.shape), contiguous, 0, offset);
      return h;
    },
    cat: (ins, { dim }, out) => {
      const h = output(engine, 'cat', out);
      const contiguous = stridesOf(out.shape);
      let off = 0;
      for (const t of ins) {
        stridedCopy(engine, buf(t), h.buffer, t.shape, stridesOf(t.shape), contiguous, 0, off * contiguous[dim]!);
        off += t.shape[dim]!;
      }
      return h;
    },
  };
}
