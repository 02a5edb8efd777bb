import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlReport, lineChart, markdownTable, renderReport, runChart, setupMarkdown, type LineChartOptions } from '../src/index.js';
import { commandLine, environment, writeReport } from '../src/node/index.js';
import { checkXml } from './helpers.js';

const chart = lineChart({ title: 'acc', series: [{ name: 'val', points: [{ x: 0, y: 0 }, { x: 10, y: 1 }] }] });
const records = [0, 10, 20, 30].map((step) => ({ step, trainAcc: Math.min(1, step / 10), valAcc: step / 30, valLoss: 3 - step / 20 }));

/** The chart specs a report page hands to its script. */
const specsIn = (html: string): LineChartOptions[] => JSON.parse(/<script type="application\/json" id="gk-charts">(.*?)<\/script>/s.exec(html)![1]!);

/** Everything in a page that would make the browser fetch something. */
function networkReferences(html: string): string[] {
  const markup = html.replace(/(<script[^>]*>).*?<\/script>/gs, '$1</script>');
  return [
    ...[...markup.matchAll(/<[^>]*>/g)].flatMap((tag) => [...tag[0].matchAll(/\s(?:src|href|action|poster|data|srcset)\s*=\s*["']?(?!#)[^"'\s>]+/gi)]),
    ...html.matchAll(/@import|url\(\s*["']?(?!data:|#)[^)]*\)|\bfetch\(|XMLHttpRequest|WebSocket|sendBeacon|\bimport\(|<link\b|<iframe\b/gi),
  ].map((m) => m[0]);
}

describe('htmlReport', () => {
  it('is one self-contained page with inline SVG and CSS; without charts it has no script', () => {
    const html = htmlReport({
      title: 'Run <1>',
      intro: 'Grokfast on *mod 97*.',
      sections: [
        { heading: 'Curves', svg: chart },
        { heading: 'Table', markdown: markdownTable([{ run: 'ema', steps: 910 }]) },
        { heading: 'Raw', html: '<p class="x">raw</p>' },
      ],
    });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>Run &lt;1&gt;</title>');
    expect(html).toContain('<style>');
    expect(html).toContain('<figure><svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toContain('<td style="text-align:right">910</td>');
    expect(html).toContain('<p class="x">raw</p>');
    expect(html).toContain('<em>mod 97</em>');
    expect(html).not.toMatch(/<script|<link|src=/);
    checkXml(html.replace(/<meta[^>]*>/g, ''));
  });

  it('draws charts with an inlined script, keeps the SVG for no-script readers, and references nothing on the network', () => {
    const specs = [runChart(records, { title: 'seed 0' }), runChart(records, { title: 'seed 1' })];
    const html = htmlReport({ title: 'T', sections: [{ heading: 'Per run', charts: specs }] });
    expect(html.match(/<figure class="gk-chart"/g)).toHaveLength(2);
    expect(html.match(/<noscript><svg /g)).toHaveLength(2);
    expect(specsIn(html)).toEqual(JSON.parse(JSON.stringify(specs)));
    const scripts = [...html.matchAll(/<script>(.*?)<\/script>/gs)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toContain('uPlot');
    expect(scripts[0]).toContain('grokkitCharts');
    expect(scripts[0]!.length).toBeGreaterThan(40_000); // the library itself, not a reference to it
    expect(networkReferences(html)).toEqual([]);
    // the check itself finds what it looks for
    expect(networkReferences('<script src="https://cdn/x.js"></script><link rel="stylesheet" href="a.css"><style>@import "b.css"</style><script>fetch("/c")</script>')).toHaveLength(5);
  });

  it('keeps chart data from closing its <script> element', () => {
    const html = htmlReport({ title: 'T', sections: [{ heading: 'C', charts: { title: '</script><b>', series: [{ name: '<!--', points: [{ x: 0, y: 1 }] }] } }] });
    const json = /<script type="application\/json" id="gk-charts">(.*?)<\/script>/s.exec(html)![1]!;
    expect(json).not.toMatch(/<\/script|<!--/i);
    expect(specsIn(html)[0]!.title).toBe('</script><b>');
  });

  it('states the setup first: per-arm hyperparameters, command, packages, runtime and machine', () => {
    const setup = {
      arms: { baseline: { 'weight decay': 0, λ: 0 }, 'Grokfast-EMA': { 'weight decay': 0.005, λ: 2, α: 0.98 }, 'Grokfast-MA': { 'weight decay': 0.01, λ: 5, window: 100 } },
      shared: { lr: 0.001, betas: [0.9, 0.98] },
      command: 'npx tsx examples/grokfast/main.ts --p 97',
      environment: { runtime: 'Node v20.19.0', os: 'linux x64', cpu: 'Some CPU', cores: 2, memoryGiB: 7.8, packages: { '@grokkit/core': '0.1.0' } },
    };
    const md = setupMarkdown(setup);
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[0]!.split('|').map((c) => c.trim()).filter(Boolean)).toEqual(['arm', 'weight decay', 'λ', 'α', 'window']);
    expect(rows[2]!.replace(/\s+/g, ' ')).toBe('| baseline | 0 | 0 | — | — |');
    expect(rows[3]!.replace(/\s+/g, ' ')).toBe('| Grokfast-EMA | 0.005 | 2 | 0.98 | — |');
    expect(rows[4]!.replace(/\s+/g, ' ')).toBe('| Grokfast-MA | 0.01 | 5 | — | 100 |');
    expect(md).toContain('Shared: lr 0.001, betas 0.9 / 0.98.');
    expect(md).toContain('- Command: `npx tsx examples/grokfast/main.ts --p 97`');
    expect(md).toContain('- Packages: @grokkit/core 0.1.0');
    expect(md).toContain('- Runtime: Node v20.19.0 on linux x64');
    expect(md).toContain('- Machine: Some CPU, 2 cores, 7.8 GiB memory');
    const html = htmlReport({ title: 'T', setup, sections: [{ heading: 'Results', markdown: 'x' }] });
    expect(html.indexOf('<h2>Setup</h2>')).toBeGreaterThan(0);
    expect(html.indexOf('<h2>Setup</h2>')).toBeLessThan(html.indexOf('<h2>Results</h2>'));
    expect(html).toContain('<td>Grokfast-MA</td>');
  });
});

describe('renderReport and writeReport', () => {
  it('renders the Markdown twin with one SVG per chart, without files', () => {
    const r = renderReport({ title: 'T', sections: [{ heading: 'Per run', charts: [runChart(records, { title: 'seed 0' }), runChart(records)] }] });
    expect(r.svgs.map((s) => s.file)).toEqual(['report-per-run-1.svg', 'report-per-run-2.svg']);
    expect(r.markdown).toContain('![seed 0](report-per-run-1.svg)');
    expect(r.markdown).toContain('![Per run](report-per-run-2.svg)');
    expect(checkXml(r.svgs[0]!.svg)).toBe('svg');
  });

  it('writes the HTML page, a Markdown twin and one SVG file per chart, with this process in the setup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grokkit-report-'));
    const r = await writeReport(dir, { title: 'T', sections: [{ heading: 'Val acc (seed 0)', svg: [chart, chart] }, { heading: 'Notes', markdown: 'hello' }] });
    expect(readdirSync(dir).sort()).toEqual(['report-val-acc-seed-0-1.svg', 'report-val-acc-seed-0-2.svg', 'report.html', 'report.md']);
    expect(r.svgs).toHaveLength(2);
    const md = readFileSync(r.markdown, 'utf8');
    expect(md).toContain('![Val acc (seed 0)](report-val-acc-seed-0-1.svg)');
    expect(md).toContain('## Notes\n\nhello');
    expect(md).toContain(`- Runtime: Node ${process.version}`);
    expect(md).toContain(`${cpus()[0]!.model.replace(/\s+/g, ' ').trim()}, `);
    expect(md).toMatch(/- Packages: .*@grokkit\/eval \d+\.\d+\.\d+/);
    expect(md).toContain('- Command: `');
    expect(readFileSync(r.html, 'utf8')).toContain('<svg');
    expect(checkXml(readFileSync(r.svgs[0]!, 'utf8'))).toBe('svg');
  });

  it('names the environment and the command line as a user would type them', () => {
    const e = environment();
    expect(e.runtime).toBe(`Node ${process.version}`);
    expect(e.cores).toBeGreaterThan(0);
    expect(Object.keys(e.packages ?? {})).toContain('@grokkit/core');
    expect(Object.keys(e.packages ?? {})).not.toContain('@grokkit/examples'); // private
    expect(commandLine(['/usr/bin/node', '/repo/examples/grokfast/main.ts', '--filter', 'ema', '--out', 'a b'], '/repo')).toBe("npx tsx examples/grokfast/main.ts --filter ema --out 'a b'");
    expect(commandLine(['/usr/bin/node', '/elsewhere/run.js'], '/repo')).toBe('node /elsewhere/run.js');
  });
});
