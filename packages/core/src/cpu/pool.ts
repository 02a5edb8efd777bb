import { arrayFor, type DType, type TypedArray } from '../dtype.js';
import { heapAlloc, heapRelease } from './wasm/heap.js';

/**
 * Recycles the typed arrays of disposed cpu tensors (by dtype and length), so a training step
 * that `tidy` cleans up reuses last step's buffers instead of allocating and collecting them.
 * `alloc` hands out arrays with unspecified contents, for kernels that write every element;
 * `allocZeroed` for the ones that accumulate or write only some.
 *
 * At most `limit` bytes are kept. The size classes are kept in the order they were last used
 * (a Map keeps insertion order; a used class moves to the end), and when a release goes over the
 * limit the least recently used classes are dropped first: the arrays of a one-off computation
 * (a big evaluation batch) make way for the ones every training step needs, instead of filling
 * the pool for the rest of the run.
 */
export class ArrayPool {
  private readonly free = new Map<string, TypedArray[]>();
  private bytes = 0;

  constructor(readonly limit: number) {}

  alloc(dtype: DType, n: number): TypedArray {
    const k = `${dtype}:${n}`;
    const a = this.free.has(k) ? this.touch(k).pop() : undefined;
    if (!a) return arrayFor(dtype, n);
    this.bytes -= a.byteLength;
    return a;
  }

  release(a: TypedArray, dtype: DType): void {
    // only arrays that own their whole buffer can be handed out again
    if (a.byteOffset !== 0 || a.buffer.byteLength !== a.byteLength || a.length === 0 || a.byteLength > this.limit) return;
    this.touch(`${dtype}:${a.length}`).push(a);
    this.bytes += a.byteLength;
    // over the limit: drop arrays, least recently used class first (the one just used comes last)
    for (const [k, list] of this.free) {
      if (this.bytes <= this.limit) break;
      while (list.length > 0 && this.bytes > this.limit) this.bytes -= list.pop()!.byteLength;
      if (list.length === 0) this.free.delete(k);
    }
  }

  /** Bytes currently held for reuse. */
  pooled(): number {
    return this.bytes;
  }

  /** The free list of a size class, moved to the most recently used end. */
  private touch(k: string): TypedArray[] {
    const list = this.free.get(k) ?? [];
    this.free.delete(k);
    this.free.set(k, list);
    return list;
  }
}

/** The cpu backend's pool, for the arrays that do not live in the wasm memory. */
const pool = new ArrayPool(256 * 1024 * 1024);

/**
 * An array for a cpu tensor: float32 arrays of HEAP_MIN_ELEMENTS or more live in the runtime's
 * wasm memory where it is shared (wasm/heap.ts: the kernels then use them without copies), the
 * rest come from the pool.
 */
export const alloc = (dtype: DType, n: number): TypedArray => (dtype === 'float32' ? heapAlloc(n) : null) ?? pool.alloc(dtype, n);
export const allocZeroed = (dtype: DType, n: number): TypedArray => alloc(dtype, n).fill(0);
/** The array a tensor made from host data keeps: float32 data copied to where alloc puts it, other data as given. */
export const adopt = (data: TypedArray, dtype: DType): TypedArray => {
  const a = dtype === 'float32' && data instanceof Float32Array ? heapAlloc(data.length) : null;
  return a ? (a.set(data), a) : data;
};
export const release = (a: TypedArray, dtype: DType): void => {
  if (!(a instanceof Float32Array && heapRelease(a))) pool.release(a, dtype);
};
export const pooled = (): number => pool.pooled();
