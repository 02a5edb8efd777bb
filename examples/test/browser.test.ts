/**
 * End to end: build the browser demo with Vite, serve it, and drive it in headless Chromium.
 * - The backend choice: on a software WebGPU adapter (SwiftShader here) the page trains on cpu,
 *   says why and links to `?backend=webgpu`, and its default task passes 95% validation accuracy
 *   within the time limit; on a hardware adapter it trains on WebGPU.
 * - With `?backend=webgpu` (and a small model) it trains on WebGPU anyway, says "compiling kernels…"
 *   until the first step lands, plots as it goes, and the filter can be switched from its control.
 * - Invalid URL parameters are reported on the page and fall back to the defaults.
 * With GROKKIT_REQUIRE_WEBGPU=1 the browser must offer a WebGPU adapter; otherwise a page without
 * one (on cpu) is accepted. Skips when /usr/bin/chromium is missing.
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
const SHOTS = fileURLToPath(new URL('../../runs/browser/', import.meta.url));
// a model small enough for SwiftShader's WebGPU on two cores: x·y mod 11, one layer of width 16
const QUERY = '?backend=webgpu&p=11&trainFraction=0.6&dim=16&depth=1&heads=2&batchSize=64&lr=0.003&evalEvery=2';
/** How long the default task may take to pass 95% validation accuracy (about 45 s on two idle cores). */
const GROK_LIMIT_S = 240;
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

  /** Open the page at `query` and wait until it is ready; page errors are collected in the returned list. */
  async function open(query: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(url + query);
    await page
      .waitForFunction(() => (globalThis as unknown as { grokkitDemo?: DemoState }).grokkitDemo?.ready === true, null, { timeout: 30_000 })
      .catch((e: Error) => {
        throw new Error(`the page never became ready (${e.message.split('\n')[0]}); page errors: ${errors.join(' | ') || 'none'}`);
      });
    return { page, errors };
  }

  it('picks cpu on a software WebGPU adapter, says why, links to WebGPU, and groks its default task in time', async () => {
    const { page, errors } = await open('?autostart=1');
    const ready = await demo(page);
    console.log(`browser demo, default settings: ${ready.backend} (${ready.backendNote})`);
    if (requireWebGPU) expect(ready.adapter).not.toBeNull();
    const link = page.locator('#force-webgpu');
    if (ready.adapter?.software) {
      expect(ready.backend).toBe('cpu');
      expect(ready.backendNote).toContain(`software renderer (${ready.adapter.vendor} ${ready.adapter.architecture})`);
      expect(await page.textContent('#backend-note')).toBe(ready.backendNote);
      expect(await link.isVisible()).toBe(true);
      expect(new URL((await link.getAttribute('href'))!, url).searchParams.get('backend')).toBe('webgpu');
      expect(new URL((await link.getAttribute('href'))!, url).searchParams.get('autostart')).toBe('1'); // the other settings are kept
    } else {
      expect(ready.backend).toBe(ready.adapter ? 'webgpu' : 'cpu');
      expect(await link.isVisible()).toBe(false);
    }
    expect(await page.isVisible('#url-problems')).toBe(false);

    const t0 = Date.now();
    await page
      .waitForFunction(() => (globalThis as unknown as { grokkitDemo: DemoState }).grokkitDemo.grokkedAt !== null, null, { timeout: GROK_LIMIT_S * 1000, polling: 500 })
      .catch(async (e: Error) => {
        const s = await demo(page);
        throw new Error(`no 95% val acc within ${GROK_LIMIT_S} s (${e.message.split('\n')[0]}): step ${s.step}, val acc ${s.valAcc}, error ${s.error}`);
      });
    const seconds = (Date.now() - t0) / 1000;
    const done = await demo(page);
    expect(done.valAcc!).toBeGreaterThanOrEqual(0.95);
    expect(await page.textContent('#stat-grokked')).toBe(`step ${done.grokkedAt}`);
    await page.click('#stop');
    await page.waitForFunction(() => !(globalThis as unknown as { grokkitDemo: DemoState }).grokkitDemo.running);
    expect(errors).toEqual([]);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'default-task.png') });
    console.log(`browser demo, default task on ${done.backend}: val acc ≥ 95% at step ${done.grokkedAt}, ${seconds.toFixed(1)} s after the page was ready`);
    await page.close();
  }, (GROK_LIMIT_S + 60) * 1000);

  it('reports invalid URL parameters on the page and keeps the defaults for them', async () => {
    const { page, errors } = await open('?backend=cpu&alpha=2&p=abc&foo=1&heads=3');
    const text = await page.textContent('#url-problems');
    expect(await page.isVisible('#url-problems')).toBe(true);
    expect(text).toContain("alpha must be in [0, 1), got '2' (using 0.98)");
    expect(text).toContain("p must be a number, got 'abc' (using 31)");
    expect(text).toContain("unknown setting 'foo'");
    expect(text).toContain('heads (3) must divide dim (32)');
    expect(await page.inputValue('#alpha')).toBe('0.98');
    expect(await page.inputValue('#p')).toBe('31');
    expect(await page.inputValue('#heads')).toBe('4');
    expect((await demo(page)).backendNote).toBe('cpu requested in the URL');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('with ?backend=webgpu trains on WebGPU, says it is compiling until the first step lands, plots live and switches the filter', async () => {
    const { page, errors } = await open(QUERY);
    const ready = await demo(page);
    console.log(`browser demo backend: ${ready.backend} (${ready.backendNote})`);
    if (requireWebGPU) expect(ready.backend).toBe('webgpu');
    else expect(['webgpu', 'cpu']).toContain(ready.backend);
    expect(await page.textContent('#backend')).toBe(ready.backend === 'webgpu' ? 'WebGPU' : 'cpu');
    expect(await page.isVisible('#force-webgpu')).toBe(false);
    expect(ready.filter.kind).toBe('ema');
    expect(await page.isVisible('#working')).toBe(false);

    // start from the button; the first step compiles the kernels, then evaluations reach the chart
    const t0 = Date.now();
    await page.click('#start');
    if (ready.backend === 'webgpu') {
      // a first step on SwiftShader takes seconds: the notice is up while it runs, gone once it lands
      await page.waitForSelector('#working', { state: 'visible', timeout: 5_000 });
      expect((await demo(page)).step).toBe(0);
      await page.waitForSelector('#working', { state: 'hidden', timeout: 60_000 });
      expect((await demo(page)).step).toBeGreaterThanOrEqual(1);
    }
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

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'webgpu.png') });
    const seconds = (Date.now() - t0) / 1000;
    console.log(
      `browser demo: ${stopped.step} steps in ${seconds.toFixed(1)} s on ${stopped.backend}, ${stopped.points} points, ` +
        `train acc ${stopped.trainAcc!.toFixed(3)}, val acc ${stopped.valAcc!.toFixed(3)}; screenshots in ${SHOTS}`,
    );
    await page.close();
  }, 180_000);
});
