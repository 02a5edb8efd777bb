/**
 * The default cpu kernels: the reference ones, with float32 matmul in WebAssembly SIMD on up to
 * two threads, float32 add/sub/mul/div and exp in WebAssembly SIMD, and permute/expand/slice of 4-byte
 * values copied in WebAssembly (each falls back to the reference kernel where WebAssembly SIMD is
 * missing or the layout has no SIMD form).
 */
import type { Kernel } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { broadcastStrides, sameShape, sizeOf, type Shape } from '../shape.js';
import { blocks, cpuKernels, stridedKernels, type CpuKernels } from './kernels.js';
import { alloc, allocZeroed, release } from './pool.js';
import { stridedCopy } from './strided.js';
import { wasmMatmul } from './wasm/gemm.js';
import { VECTOR_MIN_ELEMENTS, wasmBinary, wasmExp, wasmRows, wasmStridedCopy, type BinaryOp } from './wasm/vector.js';

/** float32 add/sub/mul/div in WebAssembly SIMD where the layout allows (wasm/vector.ts), else the JS loop. */
function simdBinary<P extends BinaryOp>(op: P): Kernel<P, TypedArray> {
  const js: Kernel<P, TypedArray> = cpuKernels[op];
  return (ins, params, out) => {
    const [a, b] = ins;
    const n = sizeOf(out.shape);
    // (checked here too so that small ops, which the SIMD kernel declines, allocate once)
    if (out.dtype === 'float32' && a!.dtype === 'float32' && b!.dtype === 'float32' && n >= VECTOR_MIN_ELEMENTS) {
      const res = alloc('float32', n) as Float32Array;
      const sa = broadcastStrides(a!.shape, out.shape);
      const sb = broadcastStrides(b!.shape, out.shape);
      if (wasmBinary(op, res, a!.handle as Float32Array, b!.handle as Float32Array, out.shape, sa, sb)) return res;
      release(res, 'float32');
    }
    return js(ins, params, out);
  };
}

const fourBytes = (a: TypedArray): a is Float32Array | Int32Array => a instanceof Float32Array || a instanceof Int32Array;

/** Strided copies of 4-byte values in WebAssembly where it is faster (wasm/vector.ts), else the JS loop; the same values, bit for bit. */
function fastStridedCopy(out: TypedArray, src: TypedArray, shape: Shape, strides: number[], offset = 0): void {
  if (fourBytes(out) && fourBytes(src) && wasmStridedCopy(out, src, shape, strides, offset)) return;
  stridedCopy(out, src, shape, strides, offset);
}

export const fastCpuKernels: CpuKernels = {
  ...cpuKernels,
  ...stridedKernels(fastStridedCopy),
  add: simdBinary('add'),
  sub: simdBinary('sub'),
  mul: simdBinary('mul'),
  div: simdBinary('div'),
  // one index value per row (an embedding's lookup and its gradient): whole rows in WebAssembly
  gather: (ins, params, out) => {
    const [x, index] = ins;
    const b = blocks(x!.shape, index!.shape, params.dim);
    const n = sizeOf(out.shape);
    if (b && b.inner > 1 && fourBytes(x!.handle) && index!.handle instanceof Int32Array && n >= VECTOR_MIN_ELEMENTS) {
      const res = alloc(out.dtype, n) as Float32Array | Int32Array;
      if (wasmRows(false, res, x!.handle, index!.handle, b.outer, b.n, b.inner, x!.shape[params.dim]!)) return res;
      release(res, out.dtype);
    }
    return cpuKernels.gather(ins, params, out);
  },
  scatterAdd: (ins, params, out) => {
    const [src, index] = ins;
    const { dim, shape } = params;
    const b = blocks(shape, index!.shape, dim);
    const same = sameShape(index!.shape, src!.shape);
    if (b && same && b.inner > 1 && out.dtype === 'float32' && src!.handle instanceof Float32Array && index!.handle instanceof Int32Array && src!.handle.length >= VECTOR_MIN_ELEMENTS) {
      const res = allocZeroed('float32', sizeOf(shape)) as Float32Array;
      if (wasmRows(true, res, src!.handle, index!.handle, b.outer, b.n, b.inner, shape[dim]!)) return res;
      release(res, 'float32');
    }
    return cpuKernels.scatterAdd(ins, params, out);
  },
  exp: (ins, params, out) => {
    const [x] = ins;
    const n = sizeOf(out.shape);
    if (out.dtype === 'float32' && x!.dtype === 'float32' && sameShape(x!.shape, out.shape) && n >= VECTOR_MIN_ELEMENTS) {
      const res = alloc('float32', n) as Float32Array;
      if (wasmExp(res, x!.handle as Float32Array)) return res;
      release(res, 'float32');
    }
    return cpuKernels.exp(ins, params, out);
  },
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
