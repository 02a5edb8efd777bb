/**
 * f32 matmul throughput on the WebGPU backend. Prints one JSON line per shape:
 * {shape, backend: 'webgpu', tile, adapter, gflops (median), ms (median per matmul)}.
 * Run: npx tsx bench/webgpu-matmul.ts  (with no GPU: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)
 * Options: --shapes=512x512x512,2048x128x512 (M×K×N)  --rounds=7  --check (compare one product with cpu)
 *          --tile=auto|32|64|128 (the kernel's output tile; auto picks by size)
 */
import * as g from '@grokkit/core';
import { createWebGPUBackend, type MatmulTile } from '@grokkit/webgpu';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`npx tsx bench/webgpu-matmul.ts [--shapes=512x512x512,2048x128x512] [--rounds=7] [--check] [--tile=auto|32|64|128]

f32 matmul throughput on the WebGPU backend: one JSON line per shape with the median GFLOP/s and ms.
With no GPU: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.`);
  process.exit(0);
}
const arg = (name: string, def: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const shapes = arg('shapes', '512x512x512,2048x128x512').split(',').map((s) => s.split('x').map(Number) as [number, number, number]);
const rounds = Number(arg('rounds', '7'));
const check = process.argv.includes('--check');
const tile = arg('tile', 'auto');
if (!['auto', '32', '64', '128'].includes(tile)) throw new Error(`--tile: expected auto, 32, 64 or 128, got ${tile}`);

const backend = await createWebGPUBackend({ matmulTile: tile === 'auto' ? 'auto' : (Number(tile) as MatmulTile) });
const adapter = [backend.adapter.vendor, backend.adapter.architecture, backend.adapter.description].filter(Boolean).join('/');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const [M, K, N] of shapes) {
  const r = g.rng(0);
  const ha = Float32Array.from({ length: M * K }, () => r.normal());
  const hb = Float32Array.from({ length: K * N }, () => r.normal());
  const a = g.Tensor.fromHost(ha, [1, M, K], 'float32', 'webgpu');
  const b = g.Tensor.fromHost(hb, [1, K, N], 'float32', 'webgpu');
  const batch = async (k: number) => {
    const t0 = performance.now();
    for (let i = 0; i < k; i++) g.noGrad(() => g.mm(a, b)).dispose();
    await backend.sync();
    return (performance.now() - t0) / k;
  };
  await batch(1); // compile the pipeline, warm the pool
  // enough matmuls per timed round that submission latency does not dominate on fast GPUs
  const k = Math.max(1, Math.min(500, Math.ceil(100 / (await batch(1)))));
  await batch(k); // one untimed round at full load: GPU clocks ramp up
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) times.push(await batch(k));
  const ms = median(times);
  const line: Record<string, unknown> = { shape: `${M}x${K}x${N}`, backend: 'webgpu', tile, adapter, gflops: +((2 * M * K * N) / (ms * 1e6)).toFixed(3), ms: +ms.toFixed(3) };
  if (check) {
    const got = await g.noGrad(() => g.mm(a, b)).data();
    const want = g.mm(g.Tensor.fromHost(ha, [1, M, K], 'float32', 'cpu'), g.Tensor.fromHost(hb, [1, K, N], 'float32', 'cpu')).dataSync();
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
    line.maxRelErr = worst;
  }
  console.log(JSON.stringify(line));
  a.dispose();
  b.dispose();
}
backend.destroy();
