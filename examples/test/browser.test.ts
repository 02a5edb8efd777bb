/**
 * End to end: build the browser demo with Vite, serve it, and drive it in headless Chromium —
 * start training, watch the chart grow, switch the filter from its control, stop, screenshot.
 * With GROKKIT_REQUIRE_WEBGPU=1 the page must train on WebGPU (SwiftShader here); otherwise cpu
 * is accepted too. Skips when /usr/bin/chromium is missing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoState } from '../browser/demo-state.js';

const CHROMIUM = '/usr/bin/chromium';
const has = existsSync(CHROMIUM);
if (!has) console.warn(`browser demo test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
const requireWebGPU = process.env.GROKKIT_REQUIRE_WEBGPU === '1';

// Network is closed here: keep Chromium from reaching out, and give it a fresh profile.
const FLAGS = [
  '--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

const ROOT = fileURLToPath(new URL('../browser/', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../runs/browser/screenshot.png', import.meta.url));
// a model small enough for SwiftShader's WebGPU on two cores: x·y mod 11, one layer of width 16
const QUERY = '?p=11&trainFraction=0.6&dim=16&depth=1&heads=2&batchSize=64&lr=0.003&evalEvery=2';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

const demo = (page: Page) => page.evaluate(() => ({ ...(globalThis as unknown as { grokkitDemo: DemoState }).grokkitDemo }));

describe.skipIf(!has)('the browser demo in headless Chromium', () => {
  let server: Server;
  let browser: BrowserContext;
  let url = '';
  let outDir = '';
  let profile = '';

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'grokkit-demo-'));
    await build({ root: ROOT, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const file = normalize(join(outDir, path === '/' ? 'index.html' : path));
      if (!file.startsWith(outDir) || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
    profile = mkdtempSync(join(tmpdir(), 'grokkit-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, viewport: { width: 1200, height: 820 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
    for (const dir of [profile, outDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trains with Grokfast, plots accuracy live and switches the filter from its control', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(url + QUERY);
    await page
      .waitForFunction(() => (globalThis as unknown as { grokkitDemo?: DemoState }).grokkitDemo?.ready === true, null, { timeout: 30_000 })
      .catch((e: Error) => {
        throw new Error(`the page never became ready (${e.message.split('\n')[0]}); page errors: ${errors.join(' | ') || 'none'}`);
      });
    const ready = await demo(page);
    console.log(`browser demo backend: ${ready.backend} (${ready.backendNote})`);
    if (requireWebGPU) expect(ready.backend).toBe('webgpu');
    else expect(['webgpu', 'cpu']).toContain(ready.backend);
    expect(await page.textContent('#backend')).toBe(ready.backend === 'webgpu' ? 'WebGPU' : 'cpu');
    expect(ready.filter.kind).toBe('ema');

    // start from the button; several evaluations reach the chart
    const t0 = Date.now();
    await page.click('#start');
    const until = (points: number) =>
      page.waitForFunction((n) => (globalThis as unknown as { grokkitDemo: DemoState }).grokkitDemo.points >= n, points, { timeout: 40_000 });
    // the chart canvas as a PNG data URL (the test's tsconfig has no DOM types)
    type Page = { document: { getElementById(id: string): { toDataURL(): string } } };
    const pixels = () => page.evaluate(() => (globalThis as unknown as Page).document.getElementById('chart').toDataURL());
    await until(3);
    const a = await demo(page);
    const before = await pixels();
    await until(a.points + 3);
    const b = await demo(page);
    // the canvas itself was redrawn with the new points
    await page.waitForFunction((old) => (globalThis as unknown as Page).document.getElementById('chart').toDataURL() !== old, before, { timeout: 10_000 });
    expect(await pixels()).not.toBe(before);
    expect(a.running && b.running).toBe(true);
    expect(b.step).toBeGreaterThan(a.step);
    expect(b.points).toBeGreaterThan(a.points);
    for (const s of [a, b]) {
      for (const acc of [s.trainAcc, s.valAcc]) {
        expect(acc).toBeTypeOf('number');
        expect(acc!).toBeGreaterThanOrEqual(0);
        expect(acc!).toBeLessThanOrEqual(1);
      }
    }
    expect(await page.textContent('#stat-step')).toMatch(/^\d+$/);

    // switch to Grokfast-MA with a short window while training runs
    await page.fill('#windowSize', '4');
    await page.selectOption('#filter', 'ma');
    await page.waitForFunction(() => (globalThis as unknown as { grokkitDemo: DemoState }).grokkitDemo.filter.kind === 'ma');
    const switched = await demo(page);
    expect(switched.filter).toEqual({ kind: 'ma', alpha: 0.98, windowSize: 4, lamb: 2 });
    expect(await page.isVisible('label[data-for="ema"].inactive')).toBe(true);
    await until(switched.points + 3);
    const c = await demo(page);
    expect(c.step).toBeGreaterThan(switched.step);
    // the MA history is allocated once: the live-tensor count stays put from step to step
    await until(c.points + 2);
    const d = await demo(page);
    expect(d.liveTensors).toBe(c.liveTensors);

    await page.click('#stop');
    await page.waitForFunction(() => !(globalThis as unknown as { grokkitDemo: DemoState }).grokkitDemo.running);
    const stopped = await demo(page);
    expect(stopped.error).toBeNull();
    expect(errors).toEqual([]);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    const seconds = (Date.now() - t0) / 1000;
    console.log(
      `browser demo: ${stopped.step} steps in ${seconds.toFixed(1)} s on ${stopped.backend}, ${stopped.points} points, ` +
        `train acc ${stopped.trainAcc!.toFixed(3)}, val acc ${stopped.valAcc!.toFixed(3)}; screenshot ${SCREENSHOT}`,
    );
  }, 120_000);
});
