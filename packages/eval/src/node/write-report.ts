import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReport, type ReportOptions } from '../report.js';
import { commandLine, environment } from './environment.js';
import { makeDir } from './make-dir.js';

/** Paths written by `writeReport`. */
export interface WrittenReport {
  html: string;
  markdown: string;
  svgs: string[];
}

/**
 * Write a report to `outDir`: `<name>.html` (self-contained, interactive charts, opens from a
 * file:// URL), `<name>.md` (the same sections, charts as image links) and each chart as
 * `<name>-<section>[-i].svg`. The setup gets this process's command line and `environment()`
 * unless the caller gives them. Returns the paths written.
 */
export async function writeReport(outDir: string, o: ReportOptions): Promise<WrittenReport> {
  const setup = { ...o.setup, command: o.setup?.command ?? commandLine(), environment: o.setup?.environment ?? environment() };
  const r = renderReport({ ...o, setup });
  const name = o.name ?? 'report';
  makeDir(outDir);
  const svgs: string[] = [];
  for (const { file, svg } of r.svgs) {
    await writeFile(join(outDir, file), svg);
    svgs.push(join(outDir, file));
  }
  const html = join(outDir, `${name}.html`);
  const markdown = join(outDir, `${name}.md`);
  await writeFile(html, r.html);
  await writeFile(markdown, r.markdown);
  return { html, markdown, svgs };
}
