/**
 * float32 GELU (or its derivative) from the tables of Φ and φ in WebAssembly (gelu-kernel.ts), on the
 * calling thread or, for large arrays while the runtime uses two threads, on both (runs of elements
 * claimed from a shared counter, split.ts). Where tensors live in the runtime's memory (heap.ts) X
 * and Y are used in place (else copied in and out); the tables, interleaved as (Φ, φ) pairs, are
 * copied in once. cpu/fused-kernels.ts builds the tables and keeps the same arithmetic in JS for
 * runtimes without shared wasm memory.
 */
import { heapAlloc, stage, unstage } from './heap.js';
import { getRuntime, wake, wasmThreads, type Runtime } from './runtime.js';
import { runSplit, type Args } from './split.js';
import { CMD_GELU, CTRL_BYTES } from './worker-source.js';

/** Elements below which one thread is as fast (waking the helper costs tens of µs). */
export const GELU_SPLIT_MIN = 1 << 16;

/** The interleaved tables in the runtime's memory: one block, filled once and kept. */
let tables: { cdf: Float64Array; pdf: Float64Array; block: Float32Array; rt: Runtime } | null = null;

/** The address of the (Φ, φ) pairs in the runtime's memory (−1 when it has no room for them). */
function tablesAt(rt: Runtime, cdf: Float64Array, pdf: Float64Array): number {
  if (tables && tables.cdf === cdf && tables.pdf === pdf && tables.rt === rt) return tables.block.byteOffset;
  const m = cdf.length;
  const block = heapAlloc(4 * m);
  if (!block) return -1;
  const pairs = new Float64Array(rt.memory.buffer, block.byteOffset, 2 * m);
  for (let i = 0; i < m; i++) {
    pairs[2 * i] = cdf[i]!;
    pairs[2 * i + 1] = pdf[i]!;
  }
  tables = { cdf, pdf, block, rt };
  return block.byteOffset;
}

/**
 * Y = GELU(X), or its derivative, from the tables (float64 values of Φ and φ on the grid of
 * gelu-kernel.ts), in WebAssembly. False, touching nothing, where tensors do not live in the
 * runtime's memory (no shared memory): the caller runs its JS loop, the same arithmetic.
 */
export function wasmGelu(X: Float32Array, Y: Float32Array, cdf: Float64Array, pdf: Float64Array, derivative: boolean): boolean {
  const rt = getRuntime();
  if (!rt || !rt.shared) return false;
  const tab = tablesAt(rt, cdf, pdf);
  const ptrs = tab < 0 ? null : stage(rt, [X], Y);
  if (!ptrs) return false;
  const [xPtr, yPtr] = ptrs as [number, number];
  const n = X.length;
  const d = derivative ? 1 : 0;
  if (n >= GELU_SPLIT_MIN && wasmThreads() === 2) {
    wake(rt);
    const chunk = Math.max(4096, Math.ceil(n / 16));
    const whole: Args = [xPtr, 0, yPtr, n, tab, 0, d, 0, 0, 0, 0, 0, 0, 0, 0, CTRL_BYTES];
    runSplit(rt, whole, { dim: 3, chunk, total: n, n: Math.ceil(n / chunk), dA: 4, dB: 0, dC: 4 }, CMD_GELU, (a) => rt.gelu(a[0], a[2], a[3], a[4], a[6]));
  } else rt.gelu(xPtr, yPtr, n, tab, d);
  unstage(rt, Y, yPtr);
  return true;
}
