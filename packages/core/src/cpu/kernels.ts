/**
 * The cpu backend's reference kernels, one per primitive: storage is a typed array, contiguous
 * and row-major.
 */
import type { Kernel, OutputInfo, TensorInfo } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { elementwiseKernels } from '../elementwise-kernels.js';
import type { Primitive } from '../primitives.js';
import { broadcastStrides, sizeOf, stridesOf, type Shape } from '../shape.js';
import { runExpression } from './elementwise.js';
import { matmulRef } from './matmul.js';
import { alloc, allocZeroed } from './pool.js';
import { reduce, stridedCopy } from './strided.js';

type Info = TensorInfo<TypedArray>;

/** A kernel for every primitive (no `onCpu` entries: this is the cpu backend). */
export type CpuKernels = { readonly [P in Primitive]: Kernel<P, TypedArray> };

/** The strided copies behind permute, expand and slice, with the copy loop given. */
export function stridedKernels(copy: typeof stridedCopy): Pick<CpuKernels, 'permute' | 'expand' | 'slice'> {
  const strided = (src: Info, out: OutputInfo, strides: number[], offset = 0): TypedArray => {
    const res = alloc(out.dtype, sizeOf(out.shape));
    copy(res, src.handle, out.shape, strides, offset);
    return res;
  };
  return {
    permute: ([x], { perm }, out) => {
      const st = stridesOf(x!.shape);
      return strided(x!, out, perm.map((p) => st[p]!));
    },
    expand: ([x], _p, out) => strided(x!, out, broadcastStrides(x!.shape, out.shape)),
    slice: ([x], { starts }, out) => {
      const st = stridesOf(x!.shape);
      return strided(x!, out, st, starts.reduce((o, s, d) => o + s * st[d]!, 0));
    },
  };
}

/** Walk every position of `shape`, calling f(flatIndex, multiIndex). */
function forEachIndex(shape: Shape, f: (flat: number, idx: Int32Array) => void): void {
  const n = sizeOf(shape);
  const idx = new Int32Array(shape.length);
  for (let i = 0; i < n; i++) {
    f(i, idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

function checkIndex(op: string, v: number, size: number): void {
  if (v < 0 || v >= size || !Number.isInteger(v)) throw new RangeError(`${op}: index ${v} is out of range for a dim of size ${size}`);
}

/**
 * The reference kernels: plain TypeScript, the elementwise ones compiled from their expressions
 * (cpu/elementwise.ts). The 'cpu-reference' backend runs these; every other backend is tested
 * against it.
 */
export const cpuKernels: CpuKernels = {
  ...elementwiseKernels(runExpression),
  sum: ([x], _p, out) => {
    const res = alloc(out.dtype, sizeOf(out.shape));
    reduce('sum', res, x!.handle, x!.shape, out.shape);
    return res;
  },
  max: ([x], _p, out) => {
    const res = alloc(out.dtype, sizeOf(out.shape));
    reduce('max', res, x!.handle, x!.shape, out.shape);
    return res;
  },
  matmul: ([a, b], { ta, tb }, out) => {
    const [batch, M, N] = out.shape as [number, number, number];
    const K = ta ? a!.shape[1]! : a!.shape[2]!;
    const res = alloc(out.dtype, batch * M * N) as Float32Array | Float64Array;
    matmulRef(res, a!.handle as Float32Array, b!.handle as Float32Array, batch, M, K, N, ta, tb);
    return res;
  },
  reshape: ([x], _p, out) => x!.handle.slice(0, sizeOf(out.shape)),
  ...stridedKernels(stridedCopy),
  pad: ([x], { before }, out) => {
    const res = allocZeroed(out.dtype, sizeOf(out.shape));
    const ost = stridesOf(out.shape);
    const offset = before.reduce((o, b, d) => o + b * ost[d]!, 0);
    const src = x!.handle;
    // scatter the input's rows into the output
    const xs = x!.shape;
    const inner = xs[xs.length - 1] ?? 1;
    if (src.length === 0) return res;
    forEachIndex(xs.slice(0, -1), (flat, idx) => {
      let o = offset;
      for (let d = 0; d < idx.length; d++) o += idx[d]! * ost[d]!;
      res.set(src.subarray(flat * inner, flat * inner + inner), o);
    });
    return res;
  },
  cat: (ins, { dim }, out) => {
    const res = alloc(out.dtype, sizeOf(out.shape));
    const outer = sizeOf(out.shape.slice(0, dim));
    const rowOut = sizeOf(out.shape.slice(dim));
    let off = 0;
    for (const t of ins) {
      const row = sizeOf(t.shape.slice(dim));
      for (let o = 0; o < outer; o++) res.set(t.handle.subarray(o * row, o * row + row), o * rowOut + off);
      off += row;
    }
    return res;
  },
  gather: ([x, index], { dim }, out) => {
    const res = alloc(out.dtype, sizeOf(out.shape));
    const src = x!.handle;
    const idxs = index!.handle;
    const size = x!.shape[dim]!;
    const fast = blocks(x!.shape, index!.shape, dim);
    if (fast) {
      // x viewed as [outer, size, inner], index and out as [outer, n, inner]
      const { outer, n, inner } = fast;
      for (let o = 0, p = 0; o < outer; o++) {
        for (let j = 0; j < n; j++) {
          for (let k = 0; k < inner; k++, p++) {
            const v = idxs[p]!;
            if (v < 0 || v >= size) checkIndex('gather', v, size);
            res[p] = src[(o * size + v) * inner + k]!;
          }
        }
      }
      return res;
    }
    const st = stridesOf(x!.shape);
    forEachIndex(index!.shape, (flat, idx) => {
      const v = idxs[flat]!;
      checkIndex('gather', v, size);
      let o = 0;
      for (let d = 0; d < idx.length; d++) o += (d === dim ? v : idx[d]!) * st[d]!;
      res[flat] = src[o]!;
    });
    return res;
  },
  scatterAdd: ([src, index], { dim, shape }, out) => {
    const res = allocZeroed(out.dtype, sizeOf(shape));
    const vals = src!.handle;
    const idxs = index!.handle;
    const size = shape[dim]!;
    const fast = blocks(shape, index!.shape, dim);
    if (fast && index!.shape.every((s, i) => s === src!.shape[i])) {
      const { outer, n, inner } = fast;
      for (let o = 0, p = 0; o < outer; o++) {
        for (let j = 0; j < n; j++) {
          for (let k = 0; k < inner; k++, p++) {
            const v = idxs[p]!;
            if (v < 0 || v >= size) checkIndex('scatterAdd', v, size);
            res[(o * size + v) * inner + k] += vals[p]!;
          }
        }
      }
      return res;
    }
    const st = stridesOf(shape);
    const sst = stridesOf(src!.shape);
    forEachIndex(index!.shape, (flat, idx) => {
      const v = idxs[flat]!;
      checkIndex('scatterAdd', v, size);
      let o = 0;
      let s = 0;
      for (let d = 0; d < idx.length; d++) {
        o += (d === dim ? v : idx[d]!) * st[d]!;
        s += idx[d]! * sst[d]!;
      }
      res[o] += vals[s]!;
    });
    return res;
  },
};

/** When `index` matches `shape` in every dim but `dim`, the [outer, n, inner] blocks of a fast gather/scatter. */
export function blocks(shape: Shape, index: Shape, dim: number): { outer: number; n: number; inner: number } | null {
  for (let i = 0; i < shape.length; i++) if (i !== dim && shape[i] !== index[i]) return null;
  return { outer: sizeOf(shape.slice(0, dim)), n: index[dim]!, inner: sizeOf(shape.slice(dim + 1)) };
}
