import type { Backend, TensorInfo } from '../backend.js';
import { type DType, type TypedArray } from '../dtype.js';
import { alloc, allocZeroed, release } from './pool.js';
import type { Primitive, PrimitiveParams } from '../primitives.js';
import { broadcastStrides, sizeOf, stridesOf, type Shape } from '../shape.js';
import { mapKernel } from './elementwise.js';
import { matmulRef } from './matmul.js';
import { wasmMatmul } from './wasm/gemm.js';
import { VECTOR_MIN_ELEMENTS, wasmBinary, type BinaryOp } from './wasm/vector.js';
import { reduce, stridedCopy } from './strided.js';

type Info = TensorInfo<TypedArray>;
type Out = { shape: Shape; dtype: DType };
/** A cpu kernel: reads its inputs' typed arrays, returns the output's. */
export type CpuKernel<P extends Primitive> = (ins: Info[], params: PrimitiveParams[P], out: Out) => TypedArray;

export function map(arity: number, expr: string) {
  const k = mapKernel(arity, expr);
  return (ins: Info[], _p: unknown, out: Out): TypedArray => {
    const res = alloc(out.dtype, sizeOf(out.shape));
    k(
      res,
      ins.map((t) => t.handle),
      out.shape,
      ins.map((t) => broadcastStrides(t.shape, out.shape)),
    );
    return res;
  };
}

function strided(src: Info, out: Out, strides: number[], offset = 0): TypedArray {
  const res = alloc(out.dtype, sizeOf(out.shape));
  stridedCopy(res, src.handle, out.shape, strides, offset);
  return res;
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

const erfFast = map(1, 'erf32(a)');
const erfExact = map(1, 'erf(a)');

/** The reference kernels: plain TypeScript, one per primitive. */
export const cpuKernels: { [P in Primitive]: CpuKernel<P> } = {
  neg: map(1, '-a'),
  exp: map(1, 'Math.exp(a)'),
  log: map(1, 'Math.log(a)'),
  sqrt: map(1, 'Math.sqrt(a)'),
  sin: map(1, 'Math.sin(a)'),
  cos: map(1, 'Math.cos(a)'),
  tanh: map(1, 'Math.tanh(a)'),
  // float32 gets a fast erf accurate to float32; float64 the near-double-precision one
  erf: (ins, p, out) => (out.dtype === 'float32' ? erfFast : erfExact)(ins, p, out),
  add: map(2, 'a + b'),
  sub: map(2, 'a - b'),
  mul: map(2, 'a * b'),
  div: map(2, 'a / b'),
  pow: map(2, 'Math.pow(a, b)'),
  maximum: map(2, '(a > b || a !== a) ? a : b'),
  eq: map(2, 'a === b ? 1 : 0'),
  lt: map(2, 'a < b ? 1 : 0'),
  gt: map(2, 'a > b ? 1 : 0'),
  where: map(3, 'a ? b : c'),
  cast: (ins, _p, out) => {
    const src = ins[0]!.handle;
    const res = alloc(out.dtype, src.length);
    if (out.dtype === 'bool') for (let i = 0; i < src.length; i++) res[i] = src[i] ? 1 : 0;
    else if (out.dtype === 'int32') for (let i = 0; i < src.length; i++) res[i] = Math.trunc(src[i]!);
    else res.set(src);
    return res;
  },
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
  permute: ([x], { perm }, out) => {
    const st = stridesOf(x!.shape);
    return strided(x!, out, perm.map((p) => st[p]!));
  },
  expand: ([x], _p, out) => strided(x!, out, broadcastStrides(x!.shape, out.shape)),
  slice: ([x], { starts }, out) => {
    const st = stridesOf(x!.shape);
    return strided(x!, out, st, starts.reduce((o, s, d) => o + s * st[d]!, 0));
  },
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
function blocks(shape: Shape, index: Shape, dim: number): { outer: number; n: number; inner: number } | null {
  for (let i = 0; i < shape.length; i++) if (i !== dim && shape[i] !== index[i]) return null;
  return { outer: sizeOf(shape.slice(0, dim)), n: index[dim]!, inner: sizeOf(shape.slice(dim + 1)) };
}

/** float32 add/sub/mul/div in WebAssembly SIMD where the layout allows (wasm/vector.ts), else the JS loop. */
function simdBinary<P extends BinaryOp>(op: P): CpuKernel<P> {
  const js = cpuKernels[op] as CpuKernel<P>;
  return (ins, params, out) => {
    const [a, b] = ins as [Info, Info];
    const n = sizeOf(out.shape);
    // (checked here too so that small ops, which the SIMD kernel declines, allocate once)
    if (out.dtype === 'float32' && a.dtype === 'float32' && b.dtype === 'float32' && n >= VECTOR_MIN_ELEMENTS) {
      const res = alloc('float32', n) as Float32Array;
      const sa = broadcastStrides(a.shape, out.shape);
      const sb = broadcastStrides(b.shape, out.shape);
      if (wasmBinary(op, res, a.handle as Float32Array, b.handle as Float32Array, out.shape, sa, sb)) return res;
      release(res, 'float32');
    }
    return js(ins, params, out);
  };
}

/**
 * The default cpu kernels: the reference ones, with float32 matmul in WebAssembly SIMD on up to
 * two threads and float32 add/sub/mul/div in WebAssembly SIMD (each falls back to the reference
 * loop where WebAssembly SIMD is missing).
 */
export const fastCpuKernels: { [P in Primitive]: CpuKernel<P> } = {
  ...cpuKernels,
  add: simdBinary('add'),
  sub: simdBinary('sub'),
  mul: simdBinary('mul'),
  div: simdBinary('div'),
  matmul: (ins, params, out) => {
    const [a, b] = ins;
    if (out.dtype !== 'float32') return cpuKernels.matmul(ins, params, out);
    const [batch, M, N] = out.shape as [number, number, number];
    const K = params.ta ? a!.shape[1]! : a!.shape[2]!;
    const res = alloc('float32', batch * M * N) as Float32Array;
    wasmMatmul(res, a!.handle as Float32Array, b!.handle as Float32Array, batch, M, K, N, params.ta, params.tb);
    return res;
  },
};

/** The cpu backend: storage is a typed array; every primitive has a kernel; the oracle for all other backends. */
export function createCpuBackend(name = 'cpu', kernels: { [P in Primitive]: CpuKernel<P> } = cpuKernels): Backend<TypedArray> {
  return {
    name,
    upload: (data) => data,
    read: async (h) => h,
    readSync: (h) => h,
    free: (h, dtype) => release(h, dtype),
    supports: () => true,
    run: (prim, inputs, params, out) => (kernels[prim] as CpuKernel<typeof prim>)(inputs, params, out),
    write: (h, data) => h.set(data),
  };
}
