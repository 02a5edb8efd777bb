import { lineChart, type LineChartOptions } from './charts.js';
import { PAGE_CSS, PAGE_SCRIPT } from './generated/page-bundle.js';
import { escapeHtml, markdownToHtml } from './markdown.js';
import { setupMarkdown, type ReportSetup } from './setup.js';

export interface ReportSection {
  heading: string;
  /** Markdown text (a small subset: see `markdownToHtml`). */
  markdown?: string;
  /** Trusted HTML, inserted as is. */
  html?: string;
  /** An SVG string (e.g. from `lineChart`), inlined. */
  svg?: string | readonly string[];
  /** Charts described by data: interactive in the HTML page (hover values, drag to zoom), SVG in Markdown. */
  charts?: LineChartOptions | readonly LineChartOptions[];
}

export interface HtmlReportOptions {
  title: string;
  sections: readonly ReportSection[];
  /** Markdown shown under the title. */
  intro?: string;
  /** Per-arm hyperparameters, command, versions and machine, shown as the first section ("Setup"). */
  setup?: ReportSetup;
}

/** A section's charts as a list. */
export const chartsOf = (s: ReportSection): readonly LineChartOptions[] => (s.charts === undefined ? [] : Array.isArray(s.charts) ? s.charts : [s.charts as LineChartOptions]);
/** A section's SVG strings as a list. */
export const svgsOf = (s: ReportSection): readonly string[] => (s.svg === undefined ? [] : typeof s.svg === 'string' ? [s.svg] : s.svg);

/** The report's sections with the setup (when there is one) first. */
export function withSetup(o: HtmlReportOptions): readonly ReportSection[] {
  const setup = o.setup ? setupMarkdown(o.setup) : '';
  return setup ? [{ heading: 'Setup', markdown: setup }, ...o.sections] : o.sections;
}

const css = `
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:1rem 0;font-variant-numeric:tabular-nums}th,td{border:1px solid #ddd;padding:.3rem .6rem}th{background:#f5f5f5}
code{background:#f3f3f3;padding:0 .2rem;border-radius:3px}pre{background:#f6f6f6;padding:.8rem;overflow:auto}pre code{background:none;padding:0}
figure{margin:1rem 0}svg{max-width:100%;height:auto}figcaption{color:#666;font-size:.85rem}
`.trim();

/** JSON that is safe inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/**
 * One self-contained HTML page: inline CSS, sections with Markdown or HTML text, inline SVG, and
 * interactive charts (a small inlined charting library, uPlot, draws `charts`; the static SVG is
 * kept in <noscript>). No external files and no network: it opens from a file:// URL.
 */
export function htmlReport(o: HtmlReportOptions): string {
  const body: string[] = [`<h1>${escapeHtml(o.title)}</h1>`];
  if (o.intro) body.push(markdownToHtml(o.intro));
  const specs: LineChartOptions[] = [];
  for (const s of withSetup(o)) {
    body.push(`<section>`, `<h2>${escapeHtml(s.heading)}</h2>`);
    if (s.markdown) body.push(markdownToHtml(s.markdown));
    if (s.html) body.push(s.html);
    for (const svg of svgsOf(s)) body.push(`<figure>${svg.replace(/^<\?xml[^>]*>\s*/, '')}</figure>`);
    for (const c of chartsOf(s)) {
      body.push(`<figure class="gk-chart" data-chart="${specs.length}"><div class="gk-plot"></div><noscript>${lineChart(c)}</noscript><figcaption>Hover for values; drag across to zoom, double-click to reset.</figcaption></figure>`);
      specs.push(c);
    }
    body.push(`</section>`);
  }
  const interactive = specs.length
    ? `\n<style>${PAGE_CSS}</style>\n<script type="application/json" id="gk-charts">${scriptJson(specs)}</script>\n<script>${PAGE_SCRIPT}</script>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
<style>${css}</style>
</head>
<body>
${body.join('\n')}${interactive}
</body>
</html>
`;
}
