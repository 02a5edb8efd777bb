/**
 * f32 matmul on WebAssembly SIMD, optionally split across a helper thread.
 *
 * The GEMM module (see gemm-module.ts) runs on one wasm memory that persists across calls and grows
 * as needed. Each call copies A and B in, runs the kernel, and copies C out: O(n²) copies around
 * O(n³) work. When SharedArrayBuffer and worker_threads exist, the memory is shared with one helper
 * worker started lazily on first use: the calling thread wakes it with Atomics.notify before copying
 * the inputs, describes the job (cut into chunks) in a control block, and both threads claim chunks
 * until none are left; the caller then Atomics.waits for the helper's last chunk. The call therefore
 * stays synchronous. Until the helper has started (or without threads, or for problems below the
 * threading threshold) everything runs on the calling thread.
 */
import { matmulRef } from '../cpu/matmul.js';
import { buildGemmModule, defaultGemmConfig, type GemmConfig } from './gemm-module.js';
import { wasmApi, type WasmMemory, type WasmModule } from './webassembly-api.js';
import { CMD_EXIT, CMD_GEMM, CTRL, CTRL_BYTES, workerSource } from './worker-source.js';

const PAGE = 65536;
/** 2 GiB: keeps every byte address a non-negative i32. */
export const MAX_PAGES = 32768;
/**
 * Below this many flops (2·batch·M·N·K) the helper thread costs more than it saves. Measured on two
 * real cores: 48³ is 8% slower split, 64³ even, 80³ (1.0 Mflop) 8% slower, 96³ (1.8 Mflop) 35%
 * faster, 128³ 48% faster.
 */
export const DEFAULT_THREAD_MIN_FLOPS = 1.5e6;
/** Atomics.load polls by the caller before it sleeps on the helper. */
const SPIN = 20000;
/** How long the helper polls for the next job before it sleeps (ms). */
const HELPER_SPIN_MS = 0.3;

type GemmFn = (...args: number[]) => void;

interface HelperWorker {
  unref(): void;
  on(event: string, f: (...args: unknown[]) => void): unknown;
  terminate(): Promise<number>;
}

export interface Runtime {
  cfg: GemmConfig;
  memory: WasmMemory;
  shared: boolean;
  module: WasmModule;
  gemm: GemmFn;
  scratchBytes: number;
  /** first byte of the per-call data region (after the control block and both scratch areas) */
  dataBase: number;
  f32: Float32Array;
  ctrl: Int32Array;
  worker: HelperWorker | null;
  workerState: 'none' | 'starting' | 'ready' | 'failed';
  seq: number;
}

let runtime: Runtime | null | undefined;
/** requested threads; 'auto' keeps measuring both (see chooseThreads) */
let threadsWanted: 1 | 2 | 'auto' | undefined;
let threadMinFlops = DEFAULT_THREAD_MIN_FLOPS;
/**
 * auto mode: moving averages of ms per Gflop of large calls on one and on two threads. The faster
 * is used, and every AUTO_EXPLORE-th large call tries the other, so the choice follows a shared host
 * whose second vCPU comes and goes.
 */
const auto = { one: Number.NaN, two: Number.NaN, calls: 0 };
const AUTO_EXPLORE = 16;
/** calls below this many flops follow the current choice without being timed (too noisy) */
const AUTO_TIMED_FLOPS = 1 << 24;

function nodeBuiltin<T>(id: string): T | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return p?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

function createRuntime(shared: boolean): Runtime {
  const WA = wasmApi();
  if (!WA) throw new Error('WebAssembly is not available');
  const cfg = defaultGemmConfig;
  // the control block and the two per-thread scratch areas sit below the data region
  const probe = buildGemmModule(cfg, { initial: 1, maximum: MAX_PAGES, shared });
  const dataBase = (CTRL_BYTES + 2 * probe.scratchBytes + 63) & ~63;
  const initial = Math.ceil((dataBase + (4 << 20)) / PAGE);
  const memory = new WA.Memory({ initial, maximum: MAX_PAGES, shared });
  const built = buildGemmModule(cfg, { initial, maximum: MAX_PAGES, shared });
  const module = new WA.Module(built.bytes);
  const instance = new WA.Instance(module, { env: { memory } });
  return {
    cfg,
    memory,
    shared,
    module,
    gemm: instance.exports.gemm as GemmFn,
    scratchBytes: built.scratchBytes,
    dataBase,
    f32: new Float32Array(memory.buffer),
    ctrl: new Int32Array(memory.buffer, 0, CTRL_BYTES / 4),
    worker: null,
    workerState: 'none',
    seq: 0,
  };
}

export function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  runtime = null;
  if (!wasmApi()) return null;
  if (typeof SharedArrayBuffer !== 'undefined') {
    try {
      runtime = createRuntime(true);
    } catch {
      runtime = null;
    }
  }
  if (!runtime) {
    try {
      runtime = createRuntime(false);
    } catch {
      runtime = null; // no SIMD (or no WebAssembly): callers use the JS reference kernel
    }
  }
  return runtime;
}

/** True when the SIMD GEMM module compiles and instantiates here. */
export function wasmAvailable(): boolean {
  return getRuntime() !== null;
}

function defaultThreads(): 1 | 'auto' {
  const wt = nodeBuiltin<{ isMainThread: boolean }>('node:worker_threads');
  if (!wt || !wt.isMainThread) return 1; // inside a worker pool, each worker already has a core
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus: () => unknown[] }>('node:os');
  const cores = os ? (os.availableParallelism?.() ?? os.cpus().length) : 1;
  return cores >= 2 ? 'auto' : 1;
}

/**
 * Threads for wasmMatmul: 1, 2, or 'auto' (the default on a main thread with ≥ 2 cores; 1 inside
 * worker threads): 'auto' splits large calls over two threads while that measures faster than one,
 * which it re-checks every few calls, since on a shared host the second vCPU may come and go or be
 * a hyperthread of the first. `minFlops` is the smallest problem (2·batch·M·N·K) that is split.
 */
export function setWasmThreads(threads: 1 | 2 | 'auto', minFlops: number = threadMinFlops): void {
  if (threads !== 1 && threads !== 2 && threads !== 'auto') {
    throw new Error(`setWasmThreads: expected 1, 2 or 'auto', got ${String(threads)}`);
  }
  threadsWanted = threads;
  threadMinFlops = minFlops;
  auto.one = auto.two = Number.NaN;
  auto.calls = 0;
}

/** How many threads the next large wasmMatmul will use (2 only once the helper is running). */
export function wasmThreads(): number {
  const rt = getRuntime();
  if (!rt) return 0;
  ensureWorker(rt);
  if (rt.workerState !== 'ready' || threadsWanted === 1) return 1;
  if (threadsWanted === 'auto') return auto.two <= auto.one || Number.isNaN(auto.two) ? 2 : 1;
  return 2;
}

/** The 'auto' mode's moving averages (ms per Gflop of large calls; NaN until measured). */
export function wasmThreadStats(): { oneThreadMsPerGflop: number; twoThreadMsPerGflop: number; largeCalls: number } {
  return { oneThreadMsPerGflop: auto.one, twoThreadMsPerGflop: auto.two, largeCalls: auto.calls };
}

/** auto mode: threads for a call of `flops`, and whether to time it. */
function chooseThreads(flops: number): { threads: 1 | 2; timed: boolean } {
  const timed = flops >= AUTO_TIMED_FLOPS;
  if (Number.isNaN(auto.two)) return { threads: 2, timed };
  if (Number.isNaN(auto.one)) return { threads: timed ? 1 : 2, timed };
  const best: 1 | 2 = auto.two <= auto.one ? 2 : 1;
  if (!timed) return { threads: best, timed };
  auto.calls++;
  return { threads: auto.calls % AUTO_EXPLORE === 0 ? (best === 2 ? 1 : 2) : best, timed };
}

function recordThreads(threads: 1 | 2, ms: number, flops: number): void {
  const x = (ms * 1e9) / flops;
  const key = threads === 1 ? 'one' : 'two';
  auto[key] = Number.isNaN(auto[key]) ? x : 0.7 * auto[key] + 0.3 * x;
}

/** Start the helper once, lazily; it becomes usable when it raises READY in shared memory. */
function ensureWorker(rt: Runtime): void {
  if (rt.workerState === 'ready' || rt.workerState === 'failed') return;
  threadsWanted ??= defaultThreads();
  if (threadsWanted === 1 || !rt.shared) return;
  if (rt.workerState === 'starting') {
    const r = Atomics.load(rt.ctrl, CTRL.READY);
    if (r === 1) rt.workerState = 'ready';
    else if (r === -1) stopWorker(rt);
    return;
  }
  const wt = nodeBuiltin<{ Worker: new (src: string, opts: object) => HelperWorker }>('node:worker_threads');
  if (!wt) {
    rt.workerState = 'failed';
    return;
  }
  try {
    Atomics.store(rt.ctrl, CTRL.READY, 0);
    rt.seq = Atomics.load(rt.ctrl, CTRL.SEQ);
    const w = new wt.Worker(workerSource, {
      eval: true,
      execArgv: [],
      workerData: { module: rt.module, memory: rt.memory, spinMs: HELPER_SPIN_MS, scratch: CTRL_BYTES + rt.scratchBytes },
      stdout: false,
      stderr: false,
    });
    w.unref();
    const lost = (): void => {
      if (rt.worker === w) stopWorker(rt);
    };
    w.on('error', lost);
    w.on('exit', lost);
    rt.worker = w;
    rt.workerState = 'starting';
  } catch {
    rt.workerState = 'failed';
  }
}

function stopWorker(rt: Runtime): void {
  rt.workerState = 'failed';
  const w = rt.worker;
  rt.worker = null;
  if (w) {
    Atomics.store(rt.ctrl, CTRL.CMD, CMD_EXIT);
    const seq = Atomics.add(rt.ctrl, CTRL.SEQ, 1) + 1;
    Atomics.store(rt.ctrl, CTRL.NEXT, 0x7fff << 16);
    Atomics.store(rt.ctrl, CTRL.GO, seq);
    Atomics.notify(rt.ctrl, CTRL.SEQ);
    Atomics.notify(rt.ctrl, CTRL.GO);
    void w.terminate().catch(() => undefined);
  }
}

/** Grow memory so the data region holds `bytes`; false when that exceeds the maximum. */
export function ensureData(rt: Runtime, bytes: number): boolean {
  const need = rt.dataBase + bytes;
  if (need > MAX_PAGES * PAGE) return false;
  const have = rt.memory.buffer.byteLength;
  if (need > have) rt.memory.grow(Math.ceil((need - have) / PAGE));
  if (rt.f32.byteLength !== rt.memory.buffer.byteLength) rt.f32 = new Float32Array(rt.memory.buffer);
  return true;
}

type Args = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

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
    runChunk(rt, out, A, B, b0, bc, M, K, N, ta, tb);
  }
}

function runChunk(
  rt: Runtime,
  out: Float32Array,
  A: Float32Array,
  B: Float32Array,
  b0: number,
  bc: number,
  M: number,
  K: number,
  N: number,
  ta: boolean,
  tb: boolean,
): void {
  const nA = bc * M * K;
  const nB = bc * K * N;
  const nC = bc * M * N;
  const align = (x: number): number => (x + 63) & ~63;
  const aPtr = rt.dataBase;
  const bPtr = aPtr + align(4 * nA);
  const cPtr = bPtr + align(4 * nB);
  const whole = gemmArgs(aPtr, bPtr, cPtr, bc, M, K, N, ta, tb);

  // decide whether and how to split before copying, so the helper's wake-up overlaps the copies
  ensureWorker(rt);
  const flops = 2 * bc * M * N * K;
  let split = rt.workerState === 'ready' && threadsWanted !== 1 && flops >= threadMinFlops;
  let timed = false;
  if (split && threadsWanted === 'auto') {
    const c = chooseThreads(flops);
    split = c.threads === 2;
    timed = c.timed;
  }
  const plan = split ? planSplit(rt, whole) : null;
  const t0 = timed ? performance.now() : 0;
  if (plan) wake(rt);

  ensureData(rt, cPtr + 4 * nC - rt.dataBase);
  const f32 = rt.f32;
  f32.set(A.subarray(b0 * M * K, b0 * M * K + nA), aPtr >> 2);
  f32.set(B.subarray(b0 * K * N, b0 * K * N + nB), bPtr >> 2);
  if (plan) runSplit(rt, whole, plan);
  else rt.gemm(...whole);
  out.set(f32.subarray(cPtr >> 2, (cPtr >> 2) + nC), b0 * M * N);
  if (timed) recordThreads(plan ? 2 : 1, performance.now() - t0, flops);
}

/** The 16 arguments of `gemm` for a whole (batched) product laid out at aPtr, bPtr, cPtr. */
function gemmArgs(aPtr: number, bPtr: number, cPtr: number, bc: number, M: number, K: number, N: number, ta: boolean, tb: boolean): Args {
  const sAm = ta ? 1 : K;
  const sAk = ta ? M : 1;
  const sBk = tb ? 1 : N;
  const sBn = tb ? K : 1;
  return [aPtr, bPtr, cPtr, M, N, K, sAm, sAk, sBk, sBn, N, bc, M * K, K * N, M * N, CTRL_BYTES];
}

/** How a job is cut: along argument `dim` (11 batch, 3 rows, 4 columns) in chunks of `chunk` units. */
interface SplitPlan { dim: number; chunk: number; total: number; n: number; dA: number; dB: number; dC: number }

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

/** Same as the helper's chunkArgs (worker-source.ts). */
function chunkArgs(args: Args, whole: Args, i: number, p: SplitPlan, scratch: number): void {
  for (let j = 0; j < 16; j++) args[j] = whole[j]!;
  const u = i * p.chunk;
  args[0] += u * p.dA;
  args[1] += u * p.dB;
  args[2] += u * p.dC;
  args[p.dim] = Math.min(p.chunk, p.total - u);
  args[15] = scratch;
}

/** Start a job: bump SEQ so the helper wakes while the caller is still copying inputs. */
function wake(rt: Runtime): void {
  rt.seq = (rt.seq + 1) | 0;
  Atomics.store(rt.ctrl, CTRL.SEQ, rt.seq);
  Atomics.notify(rt.ctrl, CTRL.SEQ, 1);
}

/** Run a woken job on both threads, claiming chunks until none are left, then wait for the helper's. */
function runSplit(rt: Runtime, whole: Args, p: SplitPlan): void {
  const ctrl = rt.ctrl;
  const tag = rt.seq & 0x7fff;
  for (let j = 0; j < 16; j++) ctrl[CTRL.ARGS + j] = whole[j]!;
  ctrl[CTRL.DIM] = p.dim;
  ctrl[CTRL.CHUNK] = p.chunk;
  ctrl[CTRL.TOTAL] = p.total;
  ctrl[CTRL.DA] = p.dA;
  ctrl[CTRL.DB] = p.dB;
  ctrl[CTRL.DC] = p.dC;
  Atomics.store(ctrl, CTRL.NCHUNK, p.n);
  Atomics.store(ctrl, CTRL.FIN, 0);
  Atomics.store(ctrl, CTRL.ERR, 0);
  Atomics.store(ctrl, CTRL.NEXT, tag << 16);
  Atomics.store(ctrl, CTRL.CMD, CMD_GEMM);
  Atomics.store(ctrl, CTRL.GO, rt.seq);
  Atomics.notify(ctrl, CTRL.GO, 1);
  const args: Args = [...whole];
  for (;;) {
    const v = Atomics.load(ctrl, CTRL.NEXT);
    if ((v & 0xffff) >= p.n) break;
    if (Atomics.compareExchange(ctrl, CTRL.NEXT, v, v + 1) !== v) continue;
    chunkArgs(args, whole, v & 0xffff, p, CTRL_BYTES);
    rt.gemm(...args);
    Atomics.add(ctrl, CTRL.FIN, 1);
  }
  // wait for the chunks the helper claimed: poll briefly, then sleep
  let f = Atomics.load(ctrl, CTRL.FIN);
  for (let i = 0; f < p.n && i < SPIN; i++) f = Atomics.load(ctrl, CTRL.FIN);
  let waited = 0;
  while (f < p.n) {
    if (Atomics.wait(ctrl, CTRL.FIN, f, 1000) === 'timed-out' && ++waited >= 60) break;
    f = Atomics.load(ctrl, CTRL.FIN);
  }
  const err = Atomics.load(ctrl, CTRL.ERR);
  if (f < p.n || err !== 0) {
    // the helper failed or stopped answering: redo its work here and stop using it
    stopWorker(rt);
    if (f < p.n) rt.gemm(...whole);
    else {
      chunkArgs(args, whole, err - 1, p, CTRL_BYTES);
      rt.gemm(...args);
    }
  }
}

/** Stop the helper thread (it never keeps the process alive, so this is optional). */
export function shutdownWasmThreads(): void {
  if (runtime) stopWorker(runtime);
  if (runtime) runtime.workerState = 'none';
}
