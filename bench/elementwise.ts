/**
 * Per-element cost of the float32 elementwise kernels on 262,144 values: the cpu backend
 * (WebAssembly SIMD where it applies) next to cpu-reference (plain TypeScript loops; layerNorm
 * there is its composition of primitives). One JSON line per (op, backend): median ns per element
 * over 50 calls after 20 warm-ups, with the helper thread running where the machine has two cores.
 *
 *   npx tsx bench/elementwise.ts
 */
import * as g from '@grokkit/core';
import { shutdownWasmThreads, wasmThreads } from '@grokkit/core/backend';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`npx tsx bench/elementwise.ts

Per-element cost of the float32 elementwise kernels on 262,144 values, the cpu backend next to
cpu-reference: one JSON line per (op, backend) with the median ns per element over 50 calls.`);
  process.exit(0);
}

// the helper thread starts on first use and takes a moment to be ready: wait for it, so that the
// kernels that split over two threads (GELU) are timed as a training step sees them
for (let i = 0; i < 200 && wasmThreads() < 2; i++) await new Promise((r) => setTimeout(r, 10));

const shape = [2048, 128];
const n = 2048 * 128;
const ops: [string, (a: g.Tensor, b: g.Tensor, row: g.Tensor) => g.Tensor][] = [
  ['add same shape', (a, b) => g.add(a, b)],
  ['mul by a row vector', (a, _b, row) => g.mul(a, row)],
  ['sub per-row scalar', (a, b) => g.sub(a, g.slice(b, 1, 0, 1))],
  ['column sums', (a) => g.sum(a, 0)],
  ['row sums', (a) => g.sum(a, 1)],
  ['layerNorm', (a) => g.layerNorm(a, [128])],
  ['gelu', (a) => g.gelu(a)],
  ['softmax', (a) => g.softmax(a, -1)],
  // attention's split heads: [B, T, H, hd] → [B, H, T, hd] (the reshape is a copy too)
  ['split heads (reshape + permute)', (a) => g.permute(g.reshape(a, [512, 4, 4, 32]), [0, 2, 1, 3])],
  ['transpose', (a) => g.permute(a, [1, 0])],
];

for (const [name, f] of ops) {
  for (const backend of ['cpu', 'cpu-reference']) {
    const r = g.rng(0);
    const make = (s: number[]) => g.Tensor.fromHost(Float32Array.from({ length: s.reduce((x, y) => x * y, 1) }, () => r.normal()), s, 'float32', backend);
    const [a, b, row] = [make(shape), make(shape), make([128])];
    const ts: number[] = [];
    g.noGrad(() => {
      for (let i = 0; i < 70; i++) {
        const t0 = performance.now();
        const y = f(a, b, row);
        if (i >= 20) ts.push(performance.now() - t0);
        y.dispose();
      }
    });
    ts.sort((x, y) => x - y);
    console.log(JSON.stringify({ bench: 'elementwise', op: name, backend, elements: n, ns_per_element: +((ts[25]! * 1e6) / n).toFixed(2) }));
    [a, b, row].forEach((t) => t.dispose());
  }
}
shutdownWasmThreads();
