/**
 * Turning runs into the bench's numbers: steps to 95% per method × task as a median and range over
 * seeds (a run that never got there counts as "more than its cap"), and the speed-up over the
 * baseline, a lower bound when the baseline itself did not get there.
 */
import type { BenchRun, Task } from './run.js';

export interface Cell {
  method: string;
  task: Task;
  seeds: number[];
  /** Per seed (null: not reached within `cap` steps); median null when the median run did not reach it. */
  stepsTo95: { median: number | null; values: (number | null)[] };
  /** The step cap of these runs (the largest, if they differ). */
  cap: number;
  finalValAcc: { mean: number };
  /** Mean wall time of one run, and mean milliseconds per step (evaluation included). */
  wallSeconds: number;
  msPerStep: number;
  /** Baseline median / this median on the same task (lowerBound when the baseline's median is "> cap"). */
  speedup: { value: number; lowerBound: boolean } | null;
}

/** Median with nulls as +∞ (null if the median itself is infinite). */
export function medianSteps(values: readonly (number | null)[]): number | null {
  if (values.length === 0) return null;
  const v = values.map((x) => x ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  const mid = v.length >> 1;
  const m = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return Number.isFinite(m) ? m : null;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** One cell per (method, task) in the order given, from the runs of those seeds. */
export function summarise(runs: readonly BenchRun[], methods: readonly string[], tasks: readonly Task[]): Cell[] {
  const cells: Cell[] = [];
  for (const task of tasks) {
    for (const method of methods) {
      const mine = runs.filter((r) => r.method === method && r.task === task).sort((a, b) => a.seed - b.seed);
      if (mine.length === 0) continue;
      const values = mine.map((r) => r.stepsTo95);
      cells.push({
        method,
        task,
        seeds: mine.map((r) => r.seed),
        stepsTo95: { median: medianSteps(values), values },
        cap: Math.max(...mine.map((r) => r.steps)),
        finalValAcc: { mean: mean(mine.map((r) => r.finalValAcc)) },
        wallSeconds: mean(mine.map((r) => r.wallSeconds)),
        msPerStep: mean(mine.map((r) => r.msPerStep)),
        speedup: null,
      });
    }
  }
  for (const c of cells) {
    const base = cells.find((b) => b.method === 'baseline' && b.task === c.task);
    if (!base || c.method === 'baseline' || c.stepsTo95.median === null) continue;
    const b = base.stepsTo95.median ?? base.cap;
    c.speedup = { value: b / c.stepsTo95.median, lowerBound: base.stepsTo95.median === null };
  }
  return cells;
}

/** "710 (650–790)", "> 3000", or "900 (650–> 3000)". */
export function formatSteps(c: Pick<Cell, 'stepsTo95' | 'cap'>): string {
  const { median, values } = c.stepsTo95;
  const show = (x: number | null) => (x === null ? `> ${c.cap}` : String(Math.round(x)));
  if (values.length === 1) return show(values[0]!);
  const reached = values.filter((x): x is number => x !== null);
  const lo = reached.length ? Math.min(...reached) : null;
  const hi = reached.length === values.length ? Math.max(...reached) : null;
  if (median === null && lo === null) return `> ${c.cap}`;
  return `${show(median)} (${show(lo)}–${show(hi)})`;
}

export function formatSpeedup(c: Cell): string {
  if (c.method === 'baseline') return '1';
  if (!c.speedup) return '—';
  return `${c.speedup.lowerBound ? '≥ ' : ''}×${c.speedup.value.toFixed(1)}`;
}

/** The last stdout line's `results`. */
export function resultsJson(cells: readonly Cell[]) {
  return cells.map((c) => ({
    method: c.method,
    task: c.task,
    stepsTo95: { median: c.stepsTo95.median, values: c.stepsTo95.values },
    finalValAcc: { mean: Math.round(c.finalValAcc.mean * 1e4) / 1e4 },
    wallSeconds: Math.round(c.wallSeconds * 10) / 10,
  }));
}
