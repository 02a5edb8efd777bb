import { describe, expect, it } from 'vitest';
import { markdownTable, markdownToHtml, summarize } from '../src/index.js';
import { checkXml } from './helpers.js';

describe('markdownTable', () => {
  const rows = [
    { run: 'baseline', steps: 39890, acc: 0.951234 },
    { run: 'ema', steps: 910, acc: null },
  ];

  it('right-aligns numeric columns, left-aligns text, pads cells to line up', () => {
    const t = markdownTable(rows, ['run', 'steps', 'acc']);
    expect(t).toBe(
      [
        '| run      | steps |    acc |',
        '| -------- | ----: | -----: |',
        '| baseline | 39890 | 0.9512 |',
        '| ema      |   910 |      — |',
        '',
      ].join('\n'),
    );
    const widths = t.trim().split('\n').map((l) => l.length);
    expect(new Set(widths).size).toBe(1);
  });

  it('takes headers, explicit alignment, formatters, and escapes pipes', () => {
    const t = markdownTable([{ a: 'x|y', b: 2 }], [{ key: 'a', header: 'A', align: 'center' }, { key: 'b', header: 'B', format: (v) => `${v} steps` }]);
    const lines = t.trim().split('\n');
    expect(lines[0]).toBe('|  A   |       B |'); // numbers stay right-aligned under a formatter
    expect(lines[1]).toBe('| :--: | ------: |');
    expect(lines[2]).toBe('| x\\|y | 2 steps |');
  });

  it('formats summaries as mean ± std and defaults columns to all keys', () => {
    const t = markdownTable([{ cfg: 'a', steps: summarize([10, 20, null]) }]);
    expect(t).toContain('| cfg | ');
    expect(t).toContain('15 ± 7.071 (1 missing)');
    expect(t.split('\n')[1]).toMatch(/^\| --- \| -+: \|$/);
  });
});

describe('markdownToHtml', () => {
  it('renders headings, paragraphs, lists, code, tables and inline marks, escaping HTML', () => {
    const html = markdownToHtml(
      [
        '# Title',
        '',
        'Some **bold** and *em* text with `a<b` and [a link](https://example.org).',
        '',
        '- one',
        '- two <script>',
        '',
        '```ts',
        'const x = 1 < 2;',
        '```',
        '',
        markdownTable([{ k: 'a', v: 1 }]),
      ].join('\n'),
    );
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>em</em>');
    expect(html).toContain('<code>a&lt;b</code>');
    expect(html).toContain('<a href="https://example.org">a link</a>');
    expect(html).toContain('<ul><li>one</li><li>two &lt;script&gt;</li></ul>');
    expect(html).toContain('<pre><code class="language-ts">const x = 1 &lt; 2;</code></pre>');
    expect(html).toContain('<th style="text-align:right">v</th>');
    expect(html).toContain('<td style="text-align:right">1</td>');
    expect(html).not.toContain('<script>');
    checkXml(`<div>${html.replace(/<hr>/g, '<hr/>')}</div>`);
  });
});
