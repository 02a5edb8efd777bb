/**
 * The WebAssembly matmul in headless Chromium (apt's /usr/bin/chromium), where relaxed SIMD is on
 * by default, so the FMA kernel runs: one thread (the page is not cross-origin isolated, so no
 * shared memory and no helper thread). Prints one JSON line per shape, like bench/matmul.ts.
 *
 *   npx tsx bench/matmul-chromium.ts
 */
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`npx tsx bench/matmul-chromium.ts

The WebAssembly matmul in headless Chromium (/usr/bin/chromium; relaxed SIMD, so the FMA kernel), one
thread, plain arrays copied in and out: one JSON line per shape (GFLOP/s and median ms), like
bench/matmul.ts.`);
  process.exit(0);
}

const entry = `
import { wasmMatmul } from './packages/core/src/cpu/wasm/gemm.ts';
import { wasmFma, setWasmThreads } from './packages/core/src/cpu/wasm/runtime.ts';
globalThis.runBench = (shapes) => {
  setWasmThreads(1);
  const out = [];
  for (const [batch, M, K, N, ta, tb] of shapes) {
    const A = new Float32Array(batch * M * K).map((_, i) => ((i * 7919) % 1000) / 500 - 1);
    const B = new Float32Array(batch * K * N).map((_, i) => ((i * 104729) % 1000) / 500 - 1);
    const C = new Float32Array(batch * M * N);
    // warm up for 50 ms; a sample times enough calls for ≥ 5 ms, since the page's clock is coarse (0.1 ms)
    let calls = 0;
    const w0 = performance.now();
    while (calls < 3 || performance.now() - w0 < 50) (wasmMatmul(C, A, B, batch, M, K, N, ta, tb), calls++);
    const reps = Math.max(1, Math.ceil((5 * calls) / (performance.now() - w0)));
    const ts = [];
    const t0 = performance.now();
    while (ts.length < 15 || (performance.now() - t0 < 600 && ts.length < 200)) {
      const t = performance.now();
      for (let i = 0; i < reps; i++) wasmMatmul(C, A, B, batch, M, K, N, ta, tb);
      ts.push((performance.now() - t) / reps);
    }
    ts.sort((a, b) => a - b);
    const ms = ts[ts.length >> 1];
    out.push({ shape: (batch > 1 ? batch + 'x' : '') + M + 'x' + K + 'x' + N + (ta ? ' ta' : '') + (tb ? ' tb' : ''), backend: 'cpu-wasm', runtime: navigator.userAgent.match(/Chrome\\/[0-9.]+/)?.[0], threads: 1, fma: wasmFma(), gflops: +((2 * batch * M * K * N) / ms / 1e6).toFixed(2), ms: +ms.toFixed(3) });
  }
  return out;
};`;
const shapes = [
  [1, 512, 512, 512, false, false],
  [1, 2048, 128, 512, false, false],
  [1, 2048, 512, 128, false, false],
  [1, 128, 2048, 512, true, false],
  [2048, 4, 32, 4, false, true],
  [2048, 4, 4, 32, false, false],
  [2048, 4, 4, 32, true, false],
];
const bundle = await build({ stdin: { contents: entry, resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' }, bundle: true, write: false, format: 'iife', logLevel: 'warning' });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--no-first-run'] });
try {
  const page = await browser.newPage();
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  const rows = await page.evaluate((s) => (globalThis as unknown as { runBench: (s: unknown) => unknown[] }).runBench(s), shapes);
  for (const r of rows) console.log(JSON.stringify(r));
} finally {
  await browser.close();
}
