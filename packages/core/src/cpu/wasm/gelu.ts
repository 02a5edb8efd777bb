/**
 * float32 GELU from tables of Φ and φ (cpu/fused-kernels.ts builds them and runs the one-thread
 * loop) on both threads, for large arrays while the runtime uses two: X and Y in the shared memory
 * (copied in and out when they live elsewhere, heap.ts), the tables copied in once, the two threads
 * take runs of elements (split.ts), both with the loop of worker-source.ts `geluLoopSource`, the
 * same arithmetic as the one-thread loop.
 */
import { heapAlloc, stage, unstage } from './heap.js';
import { getRuntime, wake, wasmThreads, type Runtime } from './runtime.js';
import { runSplit, type Args } from './split.js';
import { CMD_GELU, CTRL_BYTES, geluLoopSource } from './worker-source.js';

type GeluLoop = (X: Float32Array, Y: Float32Array, n: number, cdf: Float64Array, pdf: Float64Array, derivative: boolean) => void;
const sharedLoop = new Function(`return ${geluLoopSource.trim()}`)() as GeluLoop;

/** Elements below which one thread is as fast (waking the helper and the copies cost tens of µs). */
export const GELU_SPLIT_MIN = 1 << 16;

const align = (x: number): number => (x + 63) & ~63;

/** The tables in the runtime's memory (cdf, then pdf, 64-byte aligned): one block, filled once and kept. */
let tables: { cdf: Float64Array; pdf: Float64Array; block: Float32Array; rt: Runtime } | null = null;

/** The address of the tables in the runtime's memory (−1 when it has no room for them). */
function tablesAt(rt: Runtime, cdf: Float64Array, pdf: Float64Array): number {
  if (tables && tables.cdf === cdf && tables.pdf === pdf && tables.rt === rt) return tables.block.byteOffset;
  const m = cdf.length;
  const block = heapAlloc((align(8 * m) + 8 * m) / 4);
  if (!block) return -1;
  const at = block.byteOffset;
  new Float64Array(rt.memory.buffer, at, m).set(cdf);
  new Float64Array(rt.memory.buffer, at + align(8 * m), m).set(pdf);
  tables = { cdf, pdf, block, rt };
  return at;
}

/**
 * Y = GELU(X), or its derivative, from the tables (float64 values of Φ and φ on the same grid), on
 * both threads. False, touching nothing, when X is small or the runtime uses one thread: the caller
 * runs its loop.
 */
export function splitGelu(X: Float32Array, Y: Float32Array, cdf: Float64Array, pdf: Float64Array, derivative: boolean): boolean {
  const n = X.length;
  const rt = n >= GELU_SPLIT_MIN ? getRuntime() : null;
  if (!rt || !rt.shared || wasmThreads() !== 2) return false;
  const m = cdf.length;
  // X and Y where they live when in the runtime's memory (heap.ts), else in the staging area; the
  // tables are copied in once and kept
  const ptrs = stage(rt, [X], Y);
  const cPtr = tablesAt(rt, cdf, pdf);
  if (!ptrs || cPtr < 0) return false;
  const [xPtr, yPtr] = ptrs as [number, number];
  const pPtr = cPtr + align(8 * m);
  wake(rt);
  const f32 = new Float32Array(rt.memory.buffer);
  const f64 = new Float64Array(rt.memory.buffer);
  const chunk = Math.max(4096, Math.ceil(n / 16));
  const whole: Args = [xPtr, 0, yPtr, n, cPtr, pPtr, derivative ? 1 : 0, m, 0, 0, 0, 0, 0, 0, 0, CTRL_BYTES];
  runSplit(rt, whole, { dim: 3, chunk, total: n, n: Math.ceil(n / chunk), dA: 4, dB: 0, dC: 4 }, CMD_GELU, (a) => {
    const x = a[0] >> 2;
    const y = a[2] >> 2;
    sharedLoop(f32.subarray(x, x + a[3]), f32.subarray(y, y + a[3]), a[3], f64.subarray(cPtr >> 3, (cPtr >> 3) + m), f64.subarray(pPtr >> 3, (pPtr >> 3) + m), derivative);
  });
  unstage(rt, Y, yPtr);
  return true;
}
