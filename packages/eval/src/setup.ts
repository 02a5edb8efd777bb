import { formatCell, markdownTable } from './markdown.js';

/** Where a run happened. `environment()` in `@grokkit/eval/node` fills it in on Node. */
export interface Environment {
  /** Runtime and version, e.g. "Node v20.19.0". */
  runtime?: string;
  /** e.g. "linux x64". */
  os?: string;
  /** CPU model. */
  cpu?: string;
  /** Logical cores available to the process. */
  cores?: number;
  memoryGiB?: number;
  /** Package name → version. */
  packages?: Readonly<Record<string, string>>;
}

/** What a reader needs to rerun an experiment; a report shows it under its title. */
export interface ReportSetup {
  /**
   * Hyperparameters per arm, one table row each, e.g.
   * `{ baseline: { 'weight decay': 0 }, 'Grokfast-EMA': { 'weight decay': 0.005, λ: 2, α: 0.98 } }`.
   * A parameter an arm does not have shows as —.
   */
  arms?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Settings every arm shares. */
  shared?: Readonly<Record<string, unknown>>;
  /** The command line that produced the report. */
  command?: string;
  environment?: Environment;
}

const value = (v: unknown) => (Array.isArray(v) ? v.map((x) => formatCell(x)).join(' / ') : formatCell(v));

/** The setup as Markdown: a table of per-arm hyperparameters, then shared settings, command and environment. */
export function setupMarkdown(s: ReportSetup): string {
  const out: string[] = [];
  const arms = Object.entries(s.arms ?? {});
  if (arms.length) {
    const keys = [...new Set(arms.flatMap(([, p]) => Object.keys(p)))];
    const rows = arms.map(([arm, p]) => ({ arm, ...Object.fromEntries(keys.map((k) => [k, k in p ? value(p[k]) : '—'])) }));
    out.push(markdownTable(rows, ['arm', ...keys.map((k) => ({ key: k, align: 'right' as const }))]));
  }
  const shared = Object.entries(s.shared ?? {});
  if (shared.length) out.push(`Shared: ${shared.map(([k, v]) => `${k} ${value(v)}`).join(', ')}.`);
  const lines: string[] = [];
  if (s.command) lines.push(`- Command: \`${s.command.replace(/`/g, "'")}\``);
  const e = s.environment;
  if (e) {
    const packages = Object.entries(e.packages ?? {});
    if (packages.length) lines.push(`- Packages: ${packages.map(([n, v]) => `${n} ${v}`).join(', ')}`);
    const machine = [e.cpu, e.cores !== undefined ? `${e.cores} cores` : undefined, e.memoryGiB !== undefined ? `${e.memoryGiB} GiB memory` : undefined].filter(Boolean);
    const where = [e.runtime, e.os ? `on ${e.os}` : undefined].filter(Boolean).join(' ');
    if (where) lines.push(`- Runtime: ${where}`);
    if (machine.length) lines.push(`- Machine: ${machine.join(', ')}`);
  }
  if (lines.length) out.push(lines.join('\n'));
  return out.join('\n');
}
