import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlReport, lineChart, markdownTable, writeReport } from '../src/index.js';
import { checkXml } from './helpers.js';

const chart = lineChart({ title: 'acc', series: [{ name: 'val', points: [{ x: 0, y: 0 }, { x: 10, y: 1 }] }] });

describe('htmlReport', () => {
  it('is one self-contained page with inline SVG and CSS, no scripts or external files', () => {
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
});

describe('writeReport', () => {
  it('writes the HTML page, a Markdown twin and one SVG file per chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grokkit-report-'));
    const r = await writeReport(dir, { title: 'T', sections: [{ heading: 'Val acc (seed 0)', svg: [chart, chart] }, { heading: 'Notes', markdown: 'hello' }] });
    expect(readdirSync(dir).sort()).toEqual(['report-val-acc-seed-0-1.svg', 'report-val-acc-seed-0-2.svg', 'report.html', 'report.md']);
    expect(r.svgs).toHaveLength(2);
    const md = readFileSync(r.markdown, 'utf8');
    expect(md).toContain('![Val acc (seed 0)](report-val-acc-seed-0-1.svg)');
    expect(md).toContain('## Notes\n\nhello');
    expect(readFileSync(r.html, 'utf8')).toContain('<svg');
    expect(checkXml(readFileSync(r.svgs[0]!, 'utf8'))).toBe('svg');
  });
});
