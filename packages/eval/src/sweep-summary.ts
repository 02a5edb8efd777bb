import { markdownTable, type Column } from './markdown.js';
import { summarize, type Summary } from './metrics.js';

/**
 * What an executor that can move a run between machines hands it besides its config and seed: a
 * checkpoint to resume from, and where to send new ones. Pass them on to `train` (`resumeFrom`,
 * `checkpointEvery`, `hooks.onCheckpoint`) and the run survives its worker. Worker threads pass none.
 */
export interface RunContext {
  /** The bytes of the run's last checkpoint, when an earlier attempt made one (resume from them). */
  resumeFrom?: Uint8Array;
  /** How often the executor wants a checkpoint, in updates. */
  checkpointEvery?: number;
  /** Keep a checkpoint; training goes on once it resolves. */
  onCheckpoint?(bytes: Uint8Array, step: number): Promise<void>;
}

export type RunFn<C, R> = (config: C, seed: number, context?: RunContext) => R | Promise<R>;

export interface SweepRun<C, R> {
  configIndex: number;
  config: C;
  seed: number;
  result?: R;
  /** The error message (with stack) when the run threw. */
  error?: string;
  seconds: number;
}

export interface ConfigSummary<C> {
  configIndex: number;
  config: C;
  runs: number;
  failed: number;
  /** Per numeric (or boolean, as 0/1) top-level field of the results: mean ± std over seeds, counting nulls as missing. */
  metrics: Record<string, Summary>;
}

export interface SweepResult<C, R> {
  /** Every (config, seed) run, config-major then seed order: the same whatever the worker count. */
  runs: SweepRun<C, R>[];
  summary: ConfigSummary<C>[];
  wallSeconds: number;
}

/** Mean ± std (over seeds) of each numeric top-level result field, per config. */
export function aggregate<C, R>(configs: readonly C[], runs: readonly SweepRun<C, R>[]): ConfigSummary<C>[] {
  return configs.map((config, configIndex) => {
    const mine = runs.filter((r) => r.configIndex === configIndex);
    const ok = mine.filter((r) => r.error === undefined && r.result && typeof r.result === 'object');
    const keys = new Set<string>();
    for (const r of ok) for (const [k, v] of Object.entries(r.result as object)) if (v === null || typeof v === 'number' || typeof v === 'boolean') keys.add(k);
    const metrics: Record<string, Summary> = {};
    for (const k of keys) {
      metrics[k] = summarize(ok.map((r) => {
        const v = (r.result as Record<string, unknown>)[k];
        return typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : null;
      }));
    }
    return { configIndex, config, runs: mine.length, failed: mine.length - ok.length, metrics };
  });
}

/** A Markdown table of a sweep's summary: one row per config, one column per metric (mean ± std). */
export function sweepTable<C>(summary: readonly ConfigSummary<C>[], opts: { metrics?: readonly string[]; label?: (config: C) => string; digits?: number } = {}): string {
  const metrics = opts.metrics ?? [...new Set(summary.flatMap((s) => Object.keys(s.metrics)))];
  const label = opts.label ?? ((c: C) => (typeof c === 'object' ? JSON.stringify(c) : String(c)));
  const rows = summary.map((s) => ({ config: label(s.config), runs: s.runs, failed: s.failed, ...Object.fromEntries(metrics.map((m) => [m, s.metrics[m] ?? null])) }));
  const cols: Column[] = [{ key: 'config' }, { key: 'runs' }, { key: 'failed' }, ...metrics.map((m) => ({ key: m, digits: opts.digits ?? 3 }))];
  return markdownTable(rows, cols);
}
