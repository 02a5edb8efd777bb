import { formatNumber, formatSummary, type Summary } from './metrics.js';

export type Align = 'left' | 'right' | 'center';

export interface Column<R = Record<string, unknown>> {
  /** Field of the row to show. */
  key: string;
  /** Header text (default: the key). */
  header?: string;
  /** Default: right for columns whose values are all numbers (or summaries), left otherwise. */
  align?: Align;
  /** Turn a value into cell text (default: numbers compactly, summaries as mean ± std, null as —). */
  format?: (value: unknown, row: R) => string;
  /** Significant digits for the default number format (default 4). */
  digits?: number;
}

function isSummary(v: unknown): v is Summary {
  return !!v && typeof v === 'object' && 'mean' in v && 'std' in v && 'n' in v;
}

/** The default cell text of a value. */
export function formatCell(v: unknown, digits = 4): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return formatNumber(v, digits);
  if (isSummary(v)) return formatSummary(v, digits);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const escapeCell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/**
 * A GitHub-flavoured Markdown table. Cells are padded so the source lines up; `|` in a cell is
 * escaped. Columns are keys or `Column` specs.
 */
export function markdownTable<R extends Record<string, unknown>>(rows: readonly R[], columns?: readonly (string | Column<R>)[]): string {
  const cols: Column<R>[] = (columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))]).map((c) => (typeof c === 'string' ? { key: c } : c));
  if (cols.length === 0) throw new Error('markdownTable: expected at least one column, got none');
  const aligns = cols.map((c) => c.align ?? (rows.length > 0 && rows.every((r) => r[c.key] == null || typeof r[c.key] === 'number' || isSummary(r[c.key])) ? 'right' : 'left'));
  const header = cols.map((c) => escapeCell(c.header ?? c.key));
  const body = rows.map((r) => cols.map((c) => escapeCell(c.format ? c.format(r[c.key], r) : formatCell(r[c.key], c.digits))));
  const widths = cols.map((_, j) => Math.max(3, header[j]!.length, ...body.map((b) => b[j]!.length)));
  const pad = (s: string, j: number) => {
    const w = widths[j]!;
    const a = aligns[j];
    if (a === 'right') return s.padStart(w);
    if (a === 'center') return s.padStart(Math.floor((w + s.length) / 2)).padEnd(w);
    return s.padEnd(w);
  };
  const rule = aligns.map((a, j) => {
    const w = widths[j]!;
    if (a === 'right') return '-'.repeat(w - 1) + ':';
    if (a === 'center') return ':' + '-'.repeat(w - 2) + ':';
    return '-'.repeat(w);
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header.map(pad)), line(rule), ...body.map((b) => line(b.map(pad)))].join('\n') + '\n';
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Inline Markdown: `code`, **strong**, *em* / _em_, [text](url). Everything else is escaped. */
function inline(s: string): string {
  const parts = s.split(/(`[^`]*`)/);
  return parts
    .map((p) => {
      if (p.length >= 2 && p.startsWith('`') && p.endsWith('`')) return `<code>${escapeHtml(p.slice(1, -1))}</code>`;
      return escapeHtml(p)
        .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, t: string, u: string) => (/^(javascript|data):/i.test(u) ? t : `<a href="${u}">${t}</a>`))
        .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
        .replace(/(^|[^\w*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
        .replace(/(^|\W)_([^_\s][^_]*)_(?=\W|$)/g, '$1<em>$2</em>');
    })
    .join('');
}

function splitRow(line: string): string[] {
  const t = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return t.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|').replace(/\\\\/g, '\\'));
}

const isTableRule = (l: string) => /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(l) && l.includes('-');

/**
 * A small Markdown subset to HTML, enough for reports: ATX headings, paragraphs, `-`/`*`/`1.`
 * lists (one level), fenced code, pipe tables with alignment, `---` rules, and inline code,
 * strong, emphasis and links. Raw HTML in the source is escaped, not passed through.
 */
export function markdownToHtml(md: string): string {
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = /^\s*```(\S*)/.exec(line);
    if (fence) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i]!)) code.push(lines[i++]!);
      i++;
      const cls = fence[1] ? ` class="language-${escapeHtml(fence[1])}"` : '';
      out.push(`<pre><code${cls}>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      out.push(`<h${h[1]!.length}>${inline(h[2]!)}</h${h[1]!.length}>`);
      i++;
      continue;
    }
    if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && isTableRule(lines[i + 1]!)) {
      const head = splitRow(line);
      const aligns = splitRow(lines[i + 1]!).map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : ''));
      const cell = (tag: string, c: string, j: number) => `<${tag}${aligns[j] ? ` style="text-align:${aligns[j]}"` : ''}>${inline(c)}</${tag}>`;
      const rows: string[] = [`<thead><tr>${head.map((c, j) => cell('th', c, j)).join('')}</tr></thead>`, '<tbody>'];
      i += 2;
      while (i < lines.length && lines[i]!.includes('|') && lines[i]!.trim() !== '') {
        rows.push(`<tr>${splitRow(lines[i]!).map((c, j) => cell('td', c, j)).join('')}</tr>`);
        i++;
      }
      rows.push('</tbody>');
      out.push(`<table>${rows.join('')}</table>`);
      continue;
    }
    const item = /^\s*([-*]|\d+\.)\s+/;
    const m = item.exec(line);
    if (m) {
      const tag = /\d/.test(m[1]!) ? 'ol' : 'ul';
      const items: string[] = [];
      while (i < lines.length && item.test(lines[i]!)) {
        let text = lines[i]!.replace(item, '');
        i++;
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]!) && !item.test(lines[i]!)) text += ' ' + lines[i++]!.trim();
        items.push(`<li>${inline(text)}</li>`);
      }
      out.push(`<${tag}>${items.join('')}</${tag}>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !/^\s*(```|#{1,6}\s)/.test(lines[i]!) && !item.test(lines[i]!)) para.push(lines[i++]!.trim());
    out.push(`<p>${inline(para.join(' '))}</p>`);
  }
  return out.join('\n');
}
