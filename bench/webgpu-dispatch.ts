/**
 * What one kernel launch costs on the host, apart from the GPU's time: N tiny dispatches are
 * recorded and submitted, timing the recording (JavaScript → Dawn), the submission, and the wait
 * for the GPU separately. Prints one JSON line per case, in µs per dispatch (medians of rounds):
 *
 * - `dawn-new-bindgroup` / `dawn-cached-bindgroup`: raw Dawn, one pipeline, a bind group created
 *   per dispatch or one reused (with a dynamic offset, as the engine binds its metadata);
 * - `backend-unfused` / `backend-fused`: `x = x·a + b` N times through the webgpu backend, every op
 *   its own kernel or collected into fused kernels (host time includes core's tensor bookkeeping).
 *
 *   npx tsx bench/webgpu-dispatch.ts [--n 2000] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import * as g from '@grokkit/core';
import { registerBackend } from '@grokkit/core/backend';
import { createWebGPUBackend, webgpuBackendFor } from '@grokkit/webgpu';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' }, help: { type: 'boolean', short: 'h', default: false } },
});
if (values.help) {
  console.log(`npx tsx bench/webgpu-dispatch.ts [--n 2000] [--rounds 5]

What one kernel launch costs on the host: N tiny dispatches recorded and submitted through raw Dawn
and through the webgpu backend; one JSON line per case in µs per dispatch (medians of rounds).`);
  process.exit(0);
}
const N = Number(values.n);
const rounds = Number(values.rounds);

const backend = await createWebGPUBackend();
const device = backend.device;
const adapter = [backend.adapter.vendor, backend.adapter.architecture, backend.adapter.description].filter(Boolean).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const us = (ms: number) => Math.round((ms * 1000 * 100) / N) / 100;

function report(name: string, times: { record: number; submit: number; wait: number }[]) {
  const r = median(times.map((t) => t.record));
  const s = median(times.map((t) => t.submit));
  const w = median(times.map((t) => t.wait));
  console.log(JSON.stringify({ bench: 'webgpu-dispatch', case: name, adapter, n: N, record_us: us(r), submit_us: us(s), wait_us: us(w), total_us: us(r + s + w) }));
}

// ---- raw Dawn ---------------------------------------------------------------------------------
const STORAGE = 128 | 4 | 8;
const layout = device.createBindGroupLayout({
  entries: [
    { binding: 0, visibility: 4, buffer: { type: 'read-only-storage', hasDynamicOffset: true } },
    { binding: 1, visibility: 4, buffer: { type: 'read-only-storage' } },
    { binding: 2, visibility: 4, buffer: { type: 'storage' } },
  ],
});
const pipeline = device.createComputePipeline({
  layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
  compute: {
    entryPoint: 'main',
    module: device.createShaderModule({
      code: `@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < md[0]) { y[id.x] = x[id.x] * 0.5 + 1.0; }
}`,
    }),
  },
});
const meta = device.createBuffer({ size: 256 * 64, usage: STORAGE });
device.queue.writeBuffer(meta, 0, Uint32Array.from({ length: 64 * 64 }, () => 1024));
const bufs = [0, 1].map(() => device.createBuffer({ size: 4096, usage: STORAGE }));
const cached = [0, 1].map((k) =>
  device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: meta, size: 4 } }, { binding: 1, resource: { buffer: bufs[k]! } }, { binding: 2, resource: { buffer: bufs[1 - k]! } }] }),
);

async function dawn(fresh: boolean) {
  const t0 = performance.now();
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  for (let i = 0; i < N; i++) {
    const k = i & 1;
    const bg = fresh
      ? device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: meta, size: 4 } }, { binding: 1, resource: { buffer: bufs[k]! } }, { binding: 2, resource: { buffer: bufs[1 - k]! } }] })
      : cached[k]!;
    pass.setBindGroup(0, bg, [256 * (i % 64)]);
    pass.dispatchWorkgroups(4);
  }
  pass.end();
  const t1 = performance.now();
  device.queue.submit([enc.finish()]);
  const t2 = performance.now();
  await device.queue.onSubmittedWorkDone();
  return { record: t1 - t0, submit: t2 - t1, wait: performance.now() - t2 };
}

for (const fresh of [true, false]) {
  await dawn(fresh);
  const times = [];
  for (let r = 0; r < rounds; r++) times.push(await dawn(fresh));
  report(fresh ? 'dawn-new-bindgroup' : 'dawn-cached-bindgroup', times);
}

// ---- through the backend ----------------------------------------------------------------------
registerBackend(webgpuBackendFor(device, { name: 'webgpu-unfused', fuseElementwise: false }));

async function chain(name: string) {
  const b = name === 'webgpu' ? backend : null;
  let x = g.ones([1024], { device: name });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const y = g.tidy(() => g.axpby(0.5, x, 0.25, x));
    x.dispose();
    x = y;
  }
  const t1 = performance.now();
  (b ?? backend).flush();
  const t2 = performance.now();
  await x.data();
  const t3 = performance.now();
  x.dispose();
  return { record: t1 - t0, submit: t2 - t1, wait: t3 - t2 };
}

for (const [label, name] of [['backend-unfused', 'webgpu-unfused'], ['backend-fused', 'webgpu']] as const) {
  await chain(name);
  const times = [];
  for (let r = 0; r < rounds; r++) times.push(await chain(name));
  report(label, times);
}
backend.destroy();
