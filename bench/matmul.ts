/**
 * f32 matmul throughput: the wasm SIMD kernel on one and two threads vs the reference JS kernel.
 * Prints one JSON line per (shape, backend, threads, operands): median GFLOP/s and ms over the repeats.
 * threads 'auto' is the default policy (two threads while they measure faster than one). `operands`
 * 'wasm' has A, B and the result in the runtime's memory, as the cpu backend's tensors are where its
 * memory is shared (cpu/wasm/heap.ts); 'copied' has them in plain arrays, copied in and out per call.
 *
 *   npx tsx bench/matmul.ts            all shapes
 *   npx tsx bench/matmul.ts --quick    fewer repeats
 *   npx tsx bench/matmul.ts --shape 512x512x512    only the shapes whose label contains this
 *   node --experimental-wasm-relaxed-simd --import tsx bench/matmul.ts    Node 20 with relaxed SIMD (the FMA kernel)
 * Each line says whether the kernel used relaxed SIMD's fused multiply-add (`fma`).
 *   npx tsx bench/matmul.ts --backend webgpu [webgpu-matmul.ts options]   the WebGPU kernel instead
 */
import { matmulRef } from '../packages/core/src/cpu/matmul.js';
import { DEFAULT_THREAD_MIN_FLOPS, setWasmThreads, wasmAvailable, wasmFma, wasmThreads } from '../packages/core/src/cpu/wasm/runtime.js';
import { wasmMatmul } from '../packages/core/src/cpu/wasm/gemm.js';
import { heapAlloc } from '../packages/core/src/cpu/wasm/heap.js';

interface Shape { M: number; K: number; N: number; ta: boolean; tb: boolean; batch: number }

// M×K×N; the 2048-row shapes are one Grokfast step's (batch 512 × seq 4, width 128, MLP 512)
const shapes: Shape[] = [
  { batch: 1, M: 512, K: 512, N: 512, ta: false, tb: false },
  { batch: 1, M: 512, K: 512, N: 512, ta: true, tb: false },
  { batch: 1, M: 512, K: 512, N: 512, ta: false, tb: true },
  { batch: 1, M: 2048, K: 128, N: 512, ta: false, tb: false },
  { batch: 1, M: 2048, K: 128, N: 384, ta: false, tb: false },
  { batch: 1, M: 2048, K: 512, N: 128, ta: false, tb: false },
  { batch: 1, M: 2048, K: 512, N: 128, ta: false, tb: true }, // dX = dY · Wᵀ
  { batch: 1, M: 128, K: 2048, N: 512, ta: true, tb: false }, // dW = Xᵀ · dY
  // the attention projections' products (width 128): forward x·Wᵀ, dX = dY·W, dW = dYᵀ·X
  { batch: 1, M: 2048, K: 128, N: 128, ta: false, tb: true },
  { batch: 1, M: 2048, K: 128, N: 128, ta: false, tb: false },
  { batch: 1, M: 128, K: 2048, N: 128, ta: true, tb: false },
  // attention over 4 heads of 32 at T = 4 (batch 512 × 4 heads): many tiny matrices
  { batch: 2048, M: 4, K: 32, N: 4, ta: false, tb: true }, // scores Q·Kᵀ; dP = dO·Vᵀ
  { batch: 2048, M: 4, K: 4, N: 32, ta: false, tb: false }, // P·V; dQ = dS·K
  { batch: 2048, M: 4, K: 4, N: 32, ta: true, tb: false }, // dV = Pᵀ·dO; dK = dSᵀ·Q
];

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`npx tsx bench/matmul.ts [--quick] [--shape LABEL] [--backend cpu|webgpu]

f32 matmul GFLOP/s per shape, one JSON line per (shape, backend, threads, operands): the wasm kernel on
1, 2 and 'auto' threads with operands in wasm memory, 'auto' with plain arrays copied in and out, and
the plain-JS reference. Node 20 with --experimental-wasm-relaxed-simd measures the FMA kernel.`);
  process.exit(0);
}
const quick = process.argv.includes('--quick');
const only = process.argv.includes('--shape') ? process.argv[process.argv.indexOf('--shape') + 1]! : '';

/** n values in the runtime's memory where the cpu backend's tensors live (`inWasm`), else a plain array. */
function array(n: number, inWasm: boolean): Float32Array {
  return (inWasm ? heapAlloc(n) : null) ?? new Float32Array(n);
}

function fill(a: Float32Array, seed: number): Float32Array {
  const n = a.length;
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    a[i] = (s >>> 8) / (1 << 23) - 1;
  }
  return a;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * Median ms of `f` over at least `minReps` runs and about `budgetMs` of timing, after a warm-up of
 * `warm` runs and at least 50 ms (so that the helper thread's copy of a kernel is compiled by the
 * optimising tier too before it is timed).
 */
function time(f: () => void, minReps: number, budgetMs: number, warm = 3): number {
  const w0 = performance.now();
  for (let i = 0; i < warm || (warm > 1 && performance.now() - w0 < 50); i++) f();
  const ts: number[] = [];
  const start = performance.now();
  while (ts.length < minReps || (performance.now() - start < budgetMs && ts.length < 200)) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

function label(s: Shape): string {
  return `${s.batch > 1 ? `${s.batch}x` : ''}${s.M}x${s.K}x${s.N}${s.ta ? ' ta' : ''}${s.tb ? ' tb' : ''}`;
}

async function main(): Promise<void> {
  if (!wasmAvailable()) throw new Error('WebAssembly SIMD is not available in this runtime');
  setWasmThreads(2);
  for (let i = 0; i < 300 && wasmThreads() < 2; i++) await new Promise((r) => setTimeout(r, 10));
  const helper = wasmThreads() === 2;
  for (const s of shapes.filter((x) => label(x).includes(only))) {
    const { batch, M, K, N, ta, tb } = s;
    const flops = 2 * batch * M * K * N;
    for (const inWasm of [true, false]) {
      const A = fill(array(batch * M * K, inWasm), 1);
      const B = fill(array(batch * K * N, inWasm), 2);
      const out = array(batch * M * N, inWasm);
      const emit = (backend: string, threads: number | 'auto', ms: number): void =>
        console.log(JSON.stringify({ shape: label(s), backend, threads, operands: inWasm ? 'wasm' : 'copied', fma: wasmFma(), gflops: +(flops / ms / 1e6).toFixed(2), ms: +ms.toFixed(3) }));
      for (const threads of helper ? (inWasm ? ([1, 2, 'auto'] as const) : (['auto'] as const)) : ([1] as const)) {
        setWasmThreads(threads);
        emit('cpu-wasm', threads, time(() => wasmMatmul(out, A, B, batch, M, K, N, ta, tb), quick ? 5 : 15, quick ? 150 : 600));
      }
    }
    const A = fill(new Float32Array(batch * M * K), 1);
    const B = fill(new Float32Array(batch * K * N), 2);
    const emit = (ms: number): void => console.log(JSON.stringify({ shape: label(s), backend: 'cpu-js', threads: 1, gflops: +(flops / ms / 1e6).toFixed(2), ms: +ms.toFixed(3) }));
    const outRef = new Float32Array(batch * M * N);
    emit(time(() => matmulRef(outRef, A, B, batch, M, K, N, ta, tb), quick ? 1 : 3, 0, 1));
  }
  setWasmThreads('auto', DEFAULT_THREAD_MIN_FLOPS);
}

const at = process.argv.findIndex((a) => a === '--backend' || a.startsWith('--backend='));
const backend = at < 0 ? 'cpu' : process.argv[at]!.includes('=') ? process.argv[at]!.split('=')[1] : process.argv[at + 1];
if (backend === 'webgpu') await import('./webgpu-matmul.js');
else if (backend === 'cpu') await main();
else throw new Error(`--backend: expected cpu or webgpu, got ${backend}`);
