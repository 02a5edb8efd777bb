/**
 * A report page in headless Chromium, opened from a file:// URL: it requests nothing beyond
 * itself, draws one interactive chart per chart spec, shows values under the cursor, and zooms on
 * a drag (double-click resets). Skips when /usr/bin/chromium is missing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compareChart, runChart } from '@grokkit/eval';
import { writeReport } from '@grokkit/eval/node';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const has = existsSync(CHROMIUM);
if (!has) console.warn(`report page test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

/** A run that memorises by `memorised` and generalises around `grokked`. */
const history = (memorised: number, grokked: number) =>
  Array.from({ length: 101 }, (_, i) => {
    const step = 20 * i;
    return {
      step,
      trainAcc: Math.min(1, step / memorised),
      valAcc: 0.01 + 0.98 / (1 + Math.exp(-(step - grokked) / 50)),
      valLoss: 4 * Math.exp(-step / 700) + 0.02,
    };
  });

interface ChartState {
  count: number;
  xs: [number, number][];
}

describe.skipIf(!has)('a report page in headless Chromium', () => {
  let browser: Browser;
  let dir = '';
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--no-first-run'] });
    dir = mkdtempSync(join(tmpdir(), 'grokkit-report-page-'));
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads from file:// with no other request, and hovers and zooms its charts', async () => {
    const runs = [{ name: 'baseline', records: history(300, 1600) }, { name: 'Grokfast-EMA', records: history(300, 700) }];
    const r = await writeReport(dir, {
      title: 'Report page',
      sections: [
        { heading: 'Validation accuracy', charts: compareChart(runs) },
        { heading: 'Each run', charts: runs.map((x) => runChart(x.records, { title: x.name })) },
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (q) => requests.push(q.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    const url = pathToFileURL(r.html).href;
    await page.goto(url);
    const state = () =>
      page.evaluate((): ChartState => {
        const charts = (globalThis as unknown as { grokkitCharts: { scales: { x: { min: number; max: number } } }[] }).grokkitCharts;
        return { count: charts.length, xs: charts.map((c) => [c.scales.x.min, c.scales.x.max]) };
      });
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    const before = await state();
    expect(before.count).toBe(3);
    expect(before.xs).toEqual([[0, 2000], [0, 2000], [0, 2000]]); // fitted to the data: step 0 to the last step

    // hover: the legend shows the values under the cursor
    const over = page.locator('figure.gk-chart').nth(1).locator('.u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    const legend = page.locator('figure.gk-chart').nth(1).locator('.u-legend .u-value');
    expect(await legend.allTextContents()).toContain('—');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await expect.poll(async () => (await legend.allTextContents())[0]).not.toBe('—');
    const values = await legend.allTextContents();
    expect(Number(values[0])).toBeGreaterThan(800); // the step near the middle of 0…2000
    expect(Number(values[0])).toBeLessThan(1200);
    expect(values.slice(1).every((v) => Number.isFinite(Number(v)))).toBe(true);

    // drag across the middle fifth: that chart zooms to it, the others stay
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.up();
    const zoomed = await state();
    const [lo, hi] = zoomed.xs[1]!;
    expect(lo).toBeGreaterThan(700);
    expect(hi).toBeLessThan(1300);
    expect(zoomed.xs[0]).toEqual([0, 2000]);
    await page.mouse.dblclick(box.x + box.width * 0.5, box.y + box.height * 0.5);
    expect((await state()).xs[1]).toEqual([0, 2000]);
    expect(requests).toEqual([url]);
    await page.close();
  }, 60_000);
});
