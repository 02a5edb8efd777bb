import { escapeHtml, markdownToHtml } from './markdown.js';

export interface ReportSection {
  heading: string;
  /** Markdown text (a small subset: see `markdownToHtml`). */
  markdown?: string;
  /** Trusted HTML, inserted as is. */
  html?: string;
  /** An SVG string (e.g. from `lineChart`), inlined. */
  svg?: string | readonly string[];
}

export interface HtmlReportOptions {
  title: string;
  sections: readonly ReportSection[];
  /** Markdown shown under the title. */
  intro?: string;
}

const css = `
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:1rem 0;font-variant-numeric:tabular-nums}th,td{border:1px solid #ddd;padding:.3rem .6rem}th{background:#f5f5f5}
code{background:#f3f3f3;padding:0 .2rem;border-radius:3px}pre{background:#f6f6f6;padding:.8rem;overflow:auto}pre code{background:none;padding:0}
figure{margin:1rem 0}svg{max-width:100%;height:auto}
`.trim();

/** One self-contained HTML page: inline CSS, sections with Markdown or HTML text and inline SVG charts. No scripts, no external files. */
export function htmlReport(o: HtmlReportOptions): string {
  const body: string[] = [`<h1>${escapeHtml(o.title)}</h1>`];
  if (o.intro) body.push(markdownToHtml(o.intro));
  for (const s of o.sections) {
    body.push(`<section>`, `<h2>${escapeHtml(s.heading)}</h2>`);
    if (s.markdown) body.push(markdownToHtml(s.markdown));
    if (s.html) body.push(s.html);
    const svgs = s.svg === undefined ? [] : typeof s.svg === 'string' ? [s.svg] : s.svg;
    for (const svg of svgs) body.push(`<figure>${svg.replace(/^<\?xml[^>]*>\s*/, '')}</figure>`);
    body.push(`</section>`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
<style>${css}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
