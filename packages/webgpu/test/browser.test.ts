import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageApi } from './browser/page.js';

const CHROMIUM = '/usr/bin/chromium';
const has = existsSync(CHROMIUM);
if (!has) console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

// Network is closed here: keep Chromium from reaching out, and give it a fresh profile.
const FLAGS = [
  '--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

describe.skipIf(!has)('webgpu in headless Chromium', () => {
  let server: Server;
  let browser: BrowserContext;
  let url = '';
  let profile = '';

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
    });
    const js = bundle.outputFiles[0]!.text;
    const html = '<!doctype html><meta charset="utf-8"><title>grokkit webgpu</title><script type="module" src="/bundle.js"></script>';
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
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('trains a small MLP on navigator.gpu with the same losses as cpu', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => typeof (globalThis as unknown as Partial<PageApi>).runTraining === 'function');
    const r = await page.evaluate((steps) => (globalThis as unknown as PageApi).runTraining(steps), 4);
    expect(errors).toEqual([]);
    expect(r.webgpu).toHaveLength(4);
    // training makes progress, and every step matches cpu
    expect(r.webgpu[3]!).toBeLessThan(r.webgpu[0]!);
    r.webgpu.forEach((l, i) => expect(Math.abs(l - r.cpu[i]!)).toBeLessThanOrEqual(1e-3 * Math.abs(r.cpu[i]!)));
    console.log(`browser adapter ${r.adapter}: losses ${r.webgpu.map((l) => l.toFixed(5)).join(', ')}`);
  }, 120_000);
});
