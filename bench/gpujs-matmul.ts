/**
 * f32 matmul throughput of the gpu.js backend (@grokkit/gpujs): one JSON line per shape with the
 * median GFLOP/s and ms of `matmul` through the backend, including the read back to the host.
 *
 *   npx tsx bench/gpujs-matmul.ts                 cpu mode (the default)
 *   npx tsx bench/gpujs-matmul.ts --mode wasm     or webgpu (VK_ICD_FILENAMES for SwiftShader), gpu, …
 */
import { Tensor, matmul } from '@grokkit/core';
import { createGpujsBackend, type GpujsMode } from '../packages/gpujs/src/index.js';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`npx tsx bench/gpujs-matmul.ts [--mode cpu|wasm|webgpu|gpu|webgl2|webgl|headlessgl]

f32 matmul throughput of the gpu.js backend: one JSON line per shape with the median GFLOP/s and ms
of matmul through the backend, the read back to the host included (default mode: cpu).`);
  process.exit(0);
}
const arg = process.argv.indexOf('--mode');
const mode = (arg >= 0 ? process.argv[arg + 1] : 'cpu') as GpujsMode;
const backend = await createGpujsBackend({ mode, name: 'gpujs' });

function fill(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    a[i] = (s >>> 8) / (1 << 23) - 1;
  }
  return a;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

for (const n of [128, 256]) {
  const a = Tensor.fromHost(fill(n * n, 1), [n, n], 'float32', 'gpujs');
  const b = Tensor.fromHost(fill(n * n, 2), [n, n], 'float32', 'gpujs');
  const once = async () => {
    const t0 = performance.now();
    const c = matmul(a, b);
    await c.data();
    c.dispose();
    return performance.now() - t0;
  };
  await once(); // builds the kernel
  const ts: number[] = [];
  const start = performance.now();
  while (ts.length < 3 || (performance.now() - start < 3000 && ts.length < 50)) ts.push(await once());
  const ms = median(ts);
  console.log(JSON.stringify({ shape: `${n}x${n}x${n}`, backend: 'gpujs', mode: backend.mode, gflops: +((2 * n ** 3) / ms / 1e6).toFixed(3), ms: +ms.toFixed(2) }));
}
await backend.destroy();
