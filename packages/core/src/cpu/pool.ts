import { arrayFor, type DType, type TypedArray } from '../dtype.js';

/**
 * Recycles the typed arrays of disposed cpu tensors (by dtype and length), so a training step
 * that `tidy` cleans up reuses last step's buffers instead of allocating and collecting them.
 * `alloc` hands out arrays with unspecified contents, for kernels that write every element;
 * `allocZeroed` for the ones that accumulate or write only some. At most `LIMIT` bytes are kept.
 */
const LIMIT = 512 * 1024 * 1024;
const free = new Map<string, TypedArray[]>();
let pooledBytes = 0;

const keyOf = (dtype: DType, n: number) => `${dtype}:${n}`;

export function alloc(dtype: DType, n: number): TypedArray {
  const list = free.get(keyOf(dtype, n));
  const a = list?.pop();
  if (!a) return arrayFor(dtype, n);
  pooledBytes -= a.byteLength;
  return a;
}

export function allocZeroed(dtype: DType, n: number): TypedArray {
  return alloc(dtype, n).fill(0);
}

export function release(a: TypedArray, dtype: DType): void {
  // only arrays that own their whole buffer can be handed out again
  if (a.byteOffset !== 0 || a.buffer.byteLength !== a.byteLength || a.length === 0) return;
  if (pooledBytes + a.byteLength > LIMIT) return;
  const k = keyOf(dtype, a.length);
  let list = free.get(k);
  if (!list) free.set(k, (list = []));
  list.push(a);
  pooledBytes += a.byteLength;
}

/** Bytes currently held for reuse. */
export function pooled(): number {
  return pooledBytes;
}
