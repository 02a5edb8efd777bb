import { lineChart } from './charts.js';
import { chartsOf, htmlReport, svgsOf, withSetup, type HtmlReportOptions } from './html.js';

/** A report as strings: the HTML page, its Markdown twin, and the SVG files the Markdown links to. */
export interface RenderedReport {
  html: string;
  markdown: string;
  /** File name (relative to the Markdown file) → SVG text. */
  svgs: { file: string; svg: string }[];
}

export interface ReportOptions extends HtmlReportOptions {
  /** File-name stem (default "report"): `<name>.html`, `<name>.md`, `<name>-<section>[-i].svg`. */
  name?: string;
}

/** A file-name-safe slug of a heading ("Val acc (seed 0)" → "val-acc-seed-0"). */
export function slug(s: string): string {
  return s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'section';
}

/**
 * Render a report without touching files (works in a page too): the self-contained HTML page,
 * the same sections as Markdown with charts as image links, and those charts as SVG.
 * `writeReport` in `@grokkit/eval/node` writes them to a folder.
 */
export function renderReport(o: ReportOptions): RenderedReport {
  const name = o.name ?? 'report';
  const md: string[] = [`# ${o.title}`, ''];
  if (o.intro) md.push(o.intro, '');
  const svgs: RenderedReport['svgs'] = [];
  const used = new Set<string>();
  for (const s of withSetup(o)) {
    md.push(`## ${s.heading}`, '');
    if (s.markdown) md.push(s.markdown.trimEnd(), '');
    if (s.html && !s.markdown) md.push(s.html, '');
    const list = [...svgsOf(s).map((svg) => ({ svg, alt: s.heading })), ...chartsOf(s).map((c) => ({ svg: lineChart(c), alt: c.title ?? s.heading }))];
    for (const [i, { svg, alt }] of list.entries()) {
      let file = `${name}-${slug(s.heading)}${list.length > 1 ? `-${i + 1}` : ''}.svg`;
      for (let k = 2; used.has(file); k++) file = file.replace(/(-\d+)?\.svg$/, `-${k}.svg`);
      used.add(file);
      svgs.push({ file, svg });
      md.push(`![${alt}](${file})`, '');
    }
  }
  return { html: htmlReport(o), markdown: md.join('\n'), svgs };
}
