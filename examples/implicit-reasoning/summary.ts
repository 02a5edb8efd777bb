/**
 * Summaries over seeds of the implicit-reasoning runs: mean ± std of the final accuracies and the
 * median (with range) of the steps to ID 90%, per task, filter and φ.
 */
import type { FilterKind, RunResult, TaskName } from './run.js';

export interface MeanStd {
  mean: number | null;
  std: number | null;
}

/** Median and range over seeds of a step count; runs that never got there count as later than any that did. */
export interface StepStats {
  /** null when fewer than half of the runs got there. */
  median: number | null;
  min: number | null;
  max: number | null;
  /** Runs that got there, of `runs`. */
  reached: number;
  runs: number;
}

export interface ArmStats {
  phi: number;
  runs: number;
  train: MeanStd;
  id: MeanStd;
  ood: MeanStd;
  stepsToId90: StepStats;
  stepsToTrain95: StepStats;
  /** Steps to ID 90% over steps to train 95%. */
  delayRatio: StepStats;
}

export function meanStd(xs: readonly number[]): MeanStd {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return { mean: null, std: null };
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1)) : null;
  return { mean: m, std };
}

export function stepStats(xs: readonly (number | null)[]): StepStats {
  const got = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  // nulls sort after every reached value; the median is defined when it falls on a reached one
  const sorted = [...got, ...xs.filter((x) => x === null).map(() => Infinity)];
  const n = sorted.length;
  const med = n === 0 ? Infinity : n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return {
    median: Number.isFinite(med) ? med : null,
    min: got.length ? got[0]! : null,
    max: got.length ? got[got.length - 1]! : null,
    reached: got.length,
    runs: n,
  };
}

export function armStats(phi: number, runs: readonly RunResult[]): ArmStats {
  return {
    phi,
    runs: runs.length,
    train: meanStd(runs.map((r) => r.train)),
    id: meanStd(runs.map((r) => r.id)),
    ood: meanStd(runs.map((r) => r.ood)),
    stepsToId90: stepStats(runs.map((r) => r.stepsToId90)),
    stepsToTrain95: stepStats(runs.map((r) => r.stepsToTrain95)),
    delayRatio: stepStats(runs.map((r) => r.delayRatio)),
  };
}

/** task → filter → φ → stats. */
export type ByPhi = Partial<Record<TaskName, Partial<Record<FilterKind, Record<string, ArmStats>>>>>;
/** task → filter → stats, for a task run at one φ. */
export type Summary = Partial<Record<TaskName, Partial<Record<FilterKind, ArmStats>>>>;

/** Group finished runs by task, filter and φ. */
export function summarize(runs: readonly RunResult[]): { summary: Summary; byPhi: ByPhi } {
  const byPhi: ByPhi = {};
  const groups = new Map<string, RunResult[]>();
  for (const r of runs) {
    const k = JSON.stringify([r.task, r.filter, r.phi]);
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
  }
  for (const [k, rs] of groups) {
    const [task, filter, phi] = JSON.parse(k) as [TaskName, FilterKind, number];
    ((byPhi[task] ??= {})[filter] ??= {})[String(phi)] = armStats(phi, rs);
  }
  const summary: Summary = {};
  for (const [task, filters] of Object.entries(byPhi) as [TaskName, Record<FilterKind, Record<string, ArmStats>>][]) {
    for (const [filter, phis] of Object.entries(filters) as [FilterKind, Record<string, ArmStats>][]) {
      const only = Object.values(phis);
      if (only.length === 1) (summary[task] ??= {})[filter] = only[0]!;
    }
  }
  return { summary, byPhi };
}
