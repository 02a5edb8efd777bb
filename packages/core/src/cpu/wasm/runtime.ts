/**
 * The WebAssembly runtime of the cpu backend: one wasm memory that persists across calls and grows
 * as needed, the GEMM module instantiated on it, and (when SharedArrayBuffer and worker_threads
 * exist) one helper thread sharing that memory, started lazily on first use, with the setting and
 * the 'auto' measurements that decide when work is split over two threads. The kernels that run on
 * it are in gemm.ts (matmul), gelu.ts (GELU, split over both threads like the matmul: split.ts) and
 * vector.ts (elementwise, normalisation, column sums).
 */
import { buildGemmModule, defaultGemmConfig, type GemmConfig } from './gemm-module.js';
import { wasmApi, type WasmMemory, type WasmModule } from './webassembly-api.js';
import { CMD_EXIT, CTRL, CTRL_BYTES, workerSource } from './worker-source.js';

export const PAGE = 65536;
/** 2 GiB: keeps every byte address a non-negative i32. */
export const MAX_PAGES = 32768;
/**
 * Below this many flops (2·batch·M·N·K) the helper thread costs more than it saves. Measured on two
 * real cores: 48³ is 8% slower split, 64³ even, 80³ (1.0 Mflop) 8% slower, 96³ (1.8 Mflop) 35%
 * faster, 128³ 48% faster.
 */
export const DEFAULT_THREAD_MIN_FLOPS = 1.5e6;
/** How long the helper polls for the next job before it sleeps (ms). */
const HELPER_SPIN_MS = 0.3;

export type GemmFn = (...args: number[]) => void;

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
  /** the unpacked kernel for many tiny products (gemm-module.ts); returns 0 for a layout it does not handle */
  small: (...args: number[]) => number;
  /** GELU or its derivative from the tables (gelu-kernel.ts): gelu(X, Y, n, tables, derivative) */
  gelu: (X: number, Y: number, n: number, tables: number, derivative: number) => void;
  scratchBytes: number;
  /** first byte above the control block and both scratch areas: tensors and per-call staging live from here (heap.ts) */
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
 * auto mode, per size class of large calls (⌊log₂ flops⌋, so that products of one shape are compared
 * with themselves): moving averages of ms per Gflop on one and on two threads (NaN until measured),
 * the class's calls, and when it next tries the setting it is not using. Every large call is timed and
 * the faster setting is used, so a second vCPU that gets slower is dropped within a few calls; one
 * slow call alone (a pause, or the helper descheduled in the middle of a chunk) counts as at most twice
 * its setting's average, so it cannot flip the choice. The other setting is tried after AUTO_EXPLORE
 * calls, then after twice as many each time the choice holds (up to AUTO_EXPLORE_MAX), and again after
 * AUTO_EXPLORE once a try or the averages change it — so the choice follows a shared host whose second
 * vCPU comes and goes, at a cost that shrinks while it does not.
 */
interface AutoClass { one: number; two: number; calls: number; next: number; gap: number; trying: boolean }
const autoClasses = new Map<number, AutoClass>();
const AUTO_EXPLORE = 16;
const AUTO_EXPLORE_MAX = 256;
/** calls below this many flops follow the choice of the smallest measured class without being timed (too noisy) */
const AUTO_TIMED_FLOPS = 1 << 24;

/** two threads unless one has measured faster (a setting not measured yet counts as no slower) */
const faster = (c: AutoClass): 1 | 2 => (Number.isNaN(c.one) || Number.isNaN(c.two) || c.two <= c.one ? 2 : 1);

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
  // relaxed SIMD (an FMA in the micro-kernel) where this runtime validates it: Chromium ≥ 114,
  // Node ≥ 22, Node 20 with --experimental-wasm-relaxed-simd
  const probe = buildGemmModule({ ...defaultGemmConfig, fma: true }, { initial: 1, maximum: MAX_PAGES, shared });
  const cfg: GemmConfig = { ...defaultGemmConfig, fma: WA.validate(probe.bytes) };
  // the control block and the two per-thread scratch areas (their size does not depend on fma) sit below the data region
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
    small: instance.exports.small as (...args: number[]) => number,
    gelu: instance.exports.gelu as Runtime['gelu'],
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

/** True when the GEMM accumulates with relaxed SIMD's fused multiply-add (the runtime has relaxed SIMD). */
export function wasmFma(): boolean {
  return getRuntime()?.cfg.fma ?? false;
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
  autoClasses.clear();
}

/** The class with the most calls (what wasmThreads and wasmThreadStats report), or undefined before any. */
function busiestClass(): AutoClass | undefined {
  let best: AutoClass | undefined;
  for (const c of autoClasses.values()) if (!best || c.calls > best.calls) best = c;
  return best;
}

/** How many threads the next large wasmMatmul will use (2 only once the helper is running). */
export function wasmThreads(): number {
  const rt = getRuntime();
  if (!rt) return 0;
  ensureWorker(rt);
  if (rt.workerState !== 'ready' || threadsWanted === 1) return 1;
  if (threadsWanted === 'auto') {
    const c = busiestClass();
    return c ? faster(c) : 2;
  }
  return 2;
}

/**
 * The 'auto' mode's moving averages of ms per Gflop on one and two threads (NaN until measured) for
 * the size class of large calls that has had the most, the number of large (timed) calls, and how
 * many chunks of split jobs (GEMM and GELU) the helper thread has run.
 */
export function wasmThreadStats(): { oneThreadMsPerGflop: number; twoThreadMsPerGflop: number; largeCalls: number; helperChunks: number } {
  const rt = getRuntime();
  const c = busiestClass();
  let calls = 0;
  for (const k of autoClasses.values()) calls += k.calls;
  return { oneThreadMsPerGflop: c?.one ?? Number.NaN, twoThreadMsPerGflop: c?.two ?? Number.NaN, largeCalls: calls, helperChunks: rt ? Atomics.load(rt.ctrl, CTRL.HELPED) : 0 };
}

/** auto mode: threads for a call of `flops`, and whether to time it (exported for tests; threadPlan is the entry). */
export function chooseThreads(flops: number): { threads: 1 | 2; timed: boolean } {
  if (flops < AUTO_TIMED_FLOPS) {
    // the smallest measured class's choice
    let near: AutoClass | undefined;
    let key = Infinity;
    for (const [k, c] of autoClasses) if (k < key && !Number.isNaN(c.one) && !Number.isNaN(c.two)) [near, key] = [c, k];
    return { threads: near ? faster(near) : 2, timed: false };
  }
  const k = Math.floor(Math.log2(flops));
  let c = autoClasses.get(k);
  if (!c) autoClasses.set(k, (c = { one: Number.NaN, two: Number.NaN, calls: 0, next: AUTO_EXPLORE, gap: AUTO_EXPLORE, trying: false }));
  c.calls++;
  if (Number.isNaN(c.two)) return { threads: 2, timed: true };
  if (Number.isNaN(c.one)) return { threads: 1, timed: true };
  const best = faster(c);
  if (c.calls < c.next) return { threads: best, timed: true };
  c.trying = true;
  return { threads: best === 2 ? 1 : 2, timed: true };
}

/** auto mode: a timed call's ms on `threads` threads; after a try of the other setting, when to try next. */
export function recordThreads(threads: 1 | 2, ms: number, flops: number): void {
  const c = autoClasses.get(Math.floor(Math.log2(flops)));
  if (!c) return;
  const before = faster(c);
  const x = (ms * 1e9) / flops;
  const key = threads === 1 ? 'one' : 'two';
  // a try replaces its setting's average, which is as old as the previous try; otherwise one call
  // moves the average by at most 30%
  c[key] = Number.isNaN(c[key]) || c.trying ? x : 0.7 * c[key] + 0.3 * Math.min(x, 2 * c[key]);
  const changed = faster(c) !== before;
  if (c.trying || changed) {
    c.gap = c.trying && !changed ? Math.min(2 * c.gap, AUTO_EXPLORE_MAX) : AUTO_EXPLORE;
    c.next = c.calls + c.gap;
    c.trying = false;
  }
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

export function stopWorker(rt: Runtime): void {
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

/**
 * Whether a job of `flops` should be split over two threads (the helper is running, the setting
 * allows it, the job is large enough), and whether to time it for the 'auto' measurements.
 */
export function threadPlan(rt: Runtime, flops: number): { split: boolean; timed: boolean } {
  ensureWorker(rt);
  const split = rt.workerState === 'ready' && threadsWanted !== 1 && flops >= threadMinFlops;
  if (!split || threadsWanted !== 'auto') return { split, timed: false };
  const c = chooseThreads(flops);
  return { split: c.threads === 2, timed: c.timed };
}

/**
 * Grow memory so that it reaches byte `top` (and refresh rt.f32); false when that exceeds the maximum
 * or the system refuses the pages (the callers then fall back to plain arrays and JS kernels).
 */
export function grow(rt: Runtime, top: number): boolean {
  if (top > MAX_PAGES * PAGE) return false;
  const have = rt.memory.buffer.byteLength;
  if (top > have) {
    try {
      rt.memory.grow(Math.ceil((top - have) / PAGE));
    } catch {
      return false;
    }
  }
  if (rt.f32.byteLength !== rt.memory.buffer.byteLength) rt.f32 = new Float32Array(rt.memory.buffer);
  return true;
}

/** Start a job: bump SEQ so the helper wakes while the caller is still copying inputs. */
export function wake(rt: Runtime): void {
  rt.seq = (rt.seq + 1) | 0;
  Atomics.store(rt.ctrl, CTRL.SEQ, rt.seq);
  Atomics.notify(rt.ctrl, CTRL.SEQ, 1);
}

/** Stop the helper thread (it never keeps the process alive, so this is optional). */
export function shutdownWasmThreads(): void {
  if (runtime) stopWorker(runtime);
  if (runtime) runtime.workerState = 'none';
}
