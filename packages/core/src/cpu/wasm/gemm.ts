/**
 * f32 matmul on WebAssembly SIMD, optionally split across the runtime's helper thread (runtime.ts).
 *
 * Each call runs the GEMM module (gemm-module.ts) on operands in the runtime's memory: tensors that
 * live there (heap.ts) in place, others copied in (and C out): O(n²) copies around O(n³) work. A job
 * large enough to split wakes the helper with Atomics.notify, is described (cut into chunks) in the control block,
 * and both threads claim chunks until none are left; the caller then Atomics.waits for the
 * helper's last chunk, so the call stays synchronous. Until the helper has started (or without
 * threads, or for problems below the threading threshold) everything runs on the calling thread.
 */
import { matmulRef } from '../matmul.js';
import { stage, unstage } from './heap.js';
import { getRuntime, MAX_PAGES, PAGE, recordThreads, threadPlan, wake, type Runtime } from './runtime.js';
import { runSplit, type Args, type SplitPlan } from './split.js';
import { CMD_GEMM, CMD_SMALL, CTRL_BYTES } from './worker-source.js';

/** Largest M·N·K of one matrix of a batch that the unpacked small-product kernel takes. */
const SMALL_MAX = 8192;

/**
 * out[b] = op(A[b]) · op(B[b]) for b < batch, where A[b] is [M, K] (or [K, M] when `ta`) and B[b] is
 * [K, N] (or [N, K] when `tb`), all row-major and contiguous; out[b] is [M, N]. Same contract as the
 * reference kernel `matmulRef`, for float32. Falls back to it when WebAssembly SIMD is unavailable.
 */
export function wasmMatmul(
  out: Float32Array,
  A: Float32Array,
  B: Float32Array,
  batch: number,
  M: number,
  K: number,
  N: number,
  ta: boolean,
  tb: boolean,
): void {
  if (A.length < batch * M * K || B.length < batch * K * N || out.length < batch * M * N) {
    throw new Error(
      `wasmMatmul: expected A of ${batch * M * K}, B of ${batch * K * N} and out of ${batch * M * N} elements ` +
        `(batch ${batch}, M ${M}, K ${K}, N ${N}), got ${A.length}, ${B.length} and ${out.length}`,
    );
  }
  if (batch === 0 || M === 0 || N === 0) return;
  if (K === 0) {
    out.fill(0, 0, batch * M * N);
    return;
  }
  const rt = getRuntime();
  const perBatch = 4 * (M * K + K * N + M * N);
  const maxBatch = rt ? Math.floor((MAX_PAGES * PAGE - rt.dataBase - 192) / perBatch) : 0;
  if (!rt || maxBatch < 1) {
    matmulRef(out, A, B, batch, M, K, N, ta, tb);
    return;
  }
  for (let b0 = 0; b0 < batch; b0 += maxBatch) {
    const bc = Math.min(maxBatch, batch - b0);
    runChunk(rt, out, A, B, b0, bc, { M, K, N, ta, tb });
  }
}

/** One product's extents and transposes (see wasmMatmul). */
interface Dims { M: number; K: number; N: number; ta: boolean; tb: boolean }

/**
 * Batches b0 … b0+bc−1 of the product, in one GEMM call (split over both threads when worth it).
 * Operands and result that live in the runtime's memory (heap.ts) are used where they are; the
 * others are copied into the staging area and, for the result, out again.
 */
function runChunk(rt: Runtime, out: Float32Array, A: Float32Array, B: Float32Array, b0: number, bc: number, dims: Dims): void {
  const { M, K, N } = dims;
  const nA = bc * M * K;
  const nB = bc * K * N;
  const nC = bc * M * N;
  const [oA, oB, oC] = [b0 * M * K, b0 * K * N, b0 * M * N];
  const C = out.subarray(oC, oC + nC);
  const ptrs = stage(rt, [A.subarray(oA, oA + nA), B.subarray(oB, oB + nB)], C);
  if (!ptrs) {
    matmulRef(C, A.subarray(oA), B.subarray(oB), bc, M, K, N, dims.ta, dims.tb);
    return;
  }
  const whole = gemmArgs(ptrs[0]!, ptrs[1]!, ptrs[2]!, bc, dims);

  // many tiny products (attention heads) in a layout the unpacked kernel handles go to it; either
  // kernel is split over the batch (or rows, or columns) when worth it
  const tiny = bc >= 2 && M * N * K <= SMALL_MAX && smallLayout(whole, rt.cfg.KC);
  const flops = 2 * bc * M * N * K;
  const { split, timed } = threadPlan(rt, flops);
  const plan = split ? planSplit(rt, whole) : null;
  const t0 = timed ? performance.now() : 0;
  // the unpacked kernel reads the first 15 arguments
  if (plan) {
    wake(rt);
    runSplit(rt, whole, plan, tiny ? CMD_SMALL : CMD_GEMM, tiny ? (args) => void rt.small(...args) : (args) => rt.gemm(...args));
  } else if (tiny) rt.small(...whole);
  else rt.gemm(...whole);
  unstage(rt, C, ptrs[2]!);
  if (timed) recordThreads(plan ? 2 : 1, performance.now() - t0, flops);
}

/**
 * Whether the unpacked kernel takes this product's layout and depth (gemm-module.ts `emitSmall`: it
 * returns 0 for others, and K above the GEMM's block depth KC, which the GEMM sums block by block).
 */
function smallLayout(w: Args, KC: number): boolean {
  const [, , , , N, K, , sAk, sBk, sBn] = w;
  return K <= KC && ((sBn === 1 && N % 4 === 0) || (sAk === 1 && sBk === 1 && (N | K) % 4 === 0));
}

/** The 16 arguments of `gemm` for a whole (batched) product laid out at aPtr, bPtr, cPtr. */
function gemmArgs(aPtr: number, bPtr: number, cPtr: number, bc: number, { M, K, N, ta, tb }: Dims): Args {
  const sAm = ta ? 1 : K;
  const sAk = ta ? M : 1;
  const sBk = tb ? 1 : N;
  const sBn = tb ? K : 1;
  return [aPtr, bPtr, cPtr, M, N, K, sAm, sAk, sBk, sBn, N, bc, M * K, K * N, M * N, CTRL_BYTES];
}

/**
 * Cut over the batch when it is even or large, else over rows (M ≥ N) or columns. Row and column
 * chunks are multiples of the register tile and at least 128 wide where possible, since each chunk
 * packs its own copy of the other operand; at most 8 chunks.
 */
function planSplit(rt: Runtime, w: Args): SplitPlan | null {
  const { MR, NR } = rt.cfg;
  const [, , , M, N, , sAm, , , sBn, ldc, bc, strA, strB, strC] = w;
  const cut = (total: number, unit: number): [number, number] => {
    const chunk = Math.max(unit, Math.ceil(Math.max(Math.ceil(total / 8), Math.min(128, Math.ceil(total / 2))) / unit) * unit);
    return [chunk, Math.ceil(total / chunk)];
  };
  let plan: SplitPlan | null = null;
  if (bc >= 2 && (bc % 2 === 0 || bc >= 8)) {
    const [chunk, n] = cut(bc, 1);
    plan = { dim: 11, chunk, total: bc, n, dA: 4 * strA, dB: 4 * strB, dC: 4 * strC };
  } else if (M >= N && M >= 2 * MR) {
    const [chunk, n] = cut(M, MR);
    plan = { dim: 3, chunk, total: M, n, dA: 4 * sAm, dB: 0, dC: 4 * ldc };
  } else if (N >= 2 * NR) {
    const [chunk, n] = cut(N, NR);
    plan = { dim: 4, chunk, total: N, n, dA: 0, dB: 4 * sBn, dC: 4 };
  }
  return plan && plan.n >= 2 ? plan : null;
}
