/**
 * A PNG of a report page as a browser shows it (headless Chromium), e.g. for the docs:
 *
 *   npx tsx examples/grokfast/screenshot.ts runs/grokfast/report.html docs/assets/grokfast-report.png [--width 1000] [--height H]
 *
 * Without --height the whole page is taken; with it, its top H pixels. The page is opened from its file:// URL; the command fails if the page requests anything else.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { width: { type: 'string' }, height: { type: 'string' }, chromium: { type: 'string' } } });
const [page, png] = positionals;
if (!page || !png) {
  console.error('usage: npx tsx examples/grokfast/screenshot.ts REPORT.html OUT.png [--width 1000] [--height H] [--chromium /usr/bin/chromium]');
  process.exit(2);
}
const width = Number(values.width ?? 1000);
const browser = await chromium.launch({ executablePath: values.chromium ?? '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--no-first-run'] });
try {
  const tab = await browser.newPage({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
  const url = pathToFileURL(resolve(page)).href;
  const other: string[] = [];
  tab.on('request', (r) => void (r.url() !== url && other.push(r.url())));
  await tab.goto(url);
  await tab.waitForFunction(() => Array.isArray((globalThis as { grokkitCharts?: unknown[] }).grokkitCharts));
  if (other.length) throw new Error(`the report requested ${other.join(', ')}; expected nothing beyond ${url}`);
  const height = values.height === undefined ? undefined : Number(values.height);
  await tab.screenshot({ path: resolve(png), fullPage: true, ...(height ? { clip: { x: 0, y: 0, width, height } } : {}) });
  console.log(`screenshot: ${resolve(png)}`);
} finally {
  await browser.close();
}
