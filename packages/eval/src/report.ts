import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { htmlReport, type HtmlReportOptions } from './html.js';

export interface WrittenReport {
  html: string;
  markdown: string;
  svgs: string[];
}

/** A file-name-safe slug of a heading ("Val acc (seed 0)" → "val-acc-seed-0"). */
export function slug(s: string): string {
  return s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'section';
}

/**
 * Write a report to `outDir`: `<name>.html` (self-contained, SVG inlined), `<name>.md` (the same
 * sections as Markdown, charts as image links) and each chart as `<name>-<section>[-i].svg`.
 * Returns the paths written.
 */
export async function writeReport(outDir: string, o: HtmlReportOptions & { name?: string }): Promise<WrittenReport> {
  const name = o.name ?? 'report';
  await mkdir(outDir, { recursive: true });
  const md: string[] = [`# ${o.title}`, ''];
  if (o.intro) md.push(o.intro, '');
  const svgs: string[] = [];
  const used = new Set<string>();
  for (const s of o.sections) {
    md.push(`## ${s.heading}`, '');
    if (s.markdown) md.push(s.markdown.trimEnd(), '');
    if (s.html && !s.markdown) md.push(s.html, '');
    const list = s.svg === undefined ? [] : typeof s.svg === 'string' ? [s.svg] : s.svg;
    for (const [i, svg] of list.entries()) {
      let file = `${name}-${slug(s.heading)}${list.length > 1 ? `-${i + 1}` : ''}.svg`;
      for (let k = 2; used.has(file); k++) file = file.replace(/(-\d+)?\.svg$/, `-${k}.svg`);
      used.add(file);
      await writeFile(join(outDir, file), svg);
      svgs.push(join(outDir, file));
      md.push(`![${s.heading}](${file})`, '');
    }
  }
  const html = join(outDir, `${name}.html`);
  const markdown = join(outDir, `${name}.md`);
  await writeFile(html, htmlReport(o));
  await writeFile(markdown, md.join('\n'));
  return { html, markdown, svgs };
}
