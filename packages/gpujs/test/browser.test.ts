/**
 * gpu.js on WebGL in headless Chromium: the page (test/browser/page.ts, bundled with esbuild, so
 * gpu.js comes in as its browser build) trains a small MLP on the gpujs backend in mode 'webgl2'
 * ('webgl' where WebGL2 is missing), and the losses must match core's cpu backend in Node.
 *
 * Without a GPU, Chromium renders WebGL through ANGLE on SwiftShader (software Vulkan). Headless
 * Chromium 150 (Debian) gives WebGL2 and WebGL contexts on it with no extra flag; we still pass
 * --use-angle=swiftshader, so every machine (with or without a GPU) runs the same renderer, and
 * --enable-unsafe-swiftshader, the opt-in Chromium requires where it blocks the automatic
 * SwiftShader fallback for WebGL (headful runs, other versions).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageApi, PageResult } from './browser/page.js';
import { train, type TrainConfig } from './browser/mlp.js';

const CHROMIUM = '/usr/bin/chromium';
const has = existsSync(CHROMIUM);
if (!has) {
  const reason = `gpujs browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`;
  // CI installs chromium and sets this, so a missing browser there is a failure, not a skip
  if (process.env.GROKKIT_REQUIRE_WEBGPU) throw new Error(`GROKKIT_REQUIRE_WEBGPU is set but ${reason}`);
  console.warn(reason);
}

const FLAGS = [
  '--headless=new', '--no-sandbox',
  // WebGL on SwiftShader everywhere (see the comment at the top)
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  // the network is closed here: keep Chromium from reaching out
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

const CFG: TrainConfig = { steps: 4, seed: 0 };

describe.skipIf(!has)('gpujs on WebGL in headless Chromium', () => {
  let server: Server;
  let browser: BrowserContext;
  let url = '';
  let profile = '';
  let cpu: number[] = [];

  beforeAll(async () => {
    cpu = await train('cpu', CFG);
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser', // takes gpu.js's "browser" build (dist/gpu-browser.js)
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const js = bundle.outputFiles[0]!.text;
    const html = '<!doctype html><meta charset="utf-8"><title>grokkit gpujs</title><script type="module" src="/bundle.js"></script>';
    server = createServer((req, res) => {
      if (req.url === '/bundle.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
    profile = mkdtempSync(join(tmpdir(), 'grokkit-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Open a fresh page, call `fn` there, and check that the page raised no uncaught errors. */
  async function inPage<T>(fn: (api: PageApi) => Promise<T>): Promise<T> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(url);
      await page.waitForFunction(() => typeof (globalThis as unknown as Partial<PageApi>).runTraining === 'function');
      const r = await fn({
        runTraining: (cfg) => page.evaluate((c) => (globalThis as unknown as PageApi).runTraining(c), cfg),
        runConformance: (mode) => page.evaluate((m) => (globalThis as unknown as PageApi).runConformance(m), mode),
      });
      expect(errors).toEqual([]);
      return r;
    } finally {
      await page.close();
    }
  }
  const runInPage = (mode?: 'webgl2' | 'webgl') => inPage((api) => api.runTraining({ ...CFG, mode }));

  function expectTrainedLikeCpu(r: PageResult): void {
    const rel = Math.max(...r.gpujs.map((l, i) => Math.abs(l - cpu[i]!) / Math.abs(cpu[i]!)));
    console.log(
      `gpujs in Chromium: mode ${r.mode}${r.webgl2Reason ? ` (webgl2 unavailable: ${r.webgl2Reason})` : ''}, renderer ${r.renderer}, ` +
        `${r.kernelCount} kernels, results in ${r.storage}, ${CFG.steps} steps in ${r.ms.toFixed(0)} ms; ` +
        `losses ${r.gpujs.map((l) => l.toFixed(5)).join(', ')} (cpu in Node ${cpu.map((l) => l.toFixed(5)).join(', ')}; max rel diff ${rel.toExponential(1)})`,
    );
    // a GL mode really ran: no fallback, kernels were built, and results stayed in GL textures
    expect(r.mode).toBe(r.requestedMode);
    expect(r.kernelCount).toBeGreaterThan(0);
    expect(r.storage).toMatch(/Texture/);
    expect(r.renderer).not.toBe('none');
    // training makes progress, and every step matches cpu in Node (float32 on the GPU vs cpu)
    expect(r.gpujs).toHaveLength(CFG.steps);
    expect(r.gpujs[CFG.steps - 1]!).toBeLessThan(r.gpujs[0]!);
    r.gpujs.forEach((l, i) => expect(Math.abs(l - cpu[i]!)).toBeLessThanOrEqual(1e-3 * Math.abs(cpu[i]!)));
    // the bundled core on cpu in the page agrees with Node's
    r.cpu.forEach((l, i) => expect(Math.abs(l - cpu[i]!)).toBeLessThanOrEqual(1e-6 * Math.abs(cpu[i]!)));
  }

  it('trains a small MLP on WebGL2 (or WebGL) kernels, with the same losses as cpu in Node', async () => {
    const r = await runInPage();
    expect(['webgl2', 'webgl']).toContain(r.mode);
    // only where the page lacks WebGL2 may the default pick WebGL
    if (r.mode === 'webgl') expect(r.webgl2Reason).toMatch(/needs WebGL2/);
    expectTrainedLikeCpu(r);
  }, 60_000);

  it("trains the same MLP in mode 'webgl' (WebGL 1 kernels), with the same losses as cpu in Node", async () => {
    const r = await runInPage('webgl');
    expect(r.mode).toBe('webgl');
    expectTrainedLikeCpu(r);
  }, 60_000);

  it.each(['webgl2', 'webgl'] as const)("runs core's conformance suite in mode '%s' like cpu-reference", async (mode) => {
    const r = await inPage((api) => api.runConformance(mode));
    console.log(`gpujs ${r.mode} conformance in Chromium: ${r.cases} cases, ${r.kernelCount} kernels, ${r.ms.toFixed(0)} ms`);
    expect(r.mode).toBe(mode);
    expect(r.cases).toBeGreaterThan(40);
    expect(r.kernelCount).toBeGreaterThan(40);
    expect(r.problems).toEqual([]);
  }, 180_000);
});
