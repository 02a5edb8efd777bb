import type { ProgressInfo } from '../progress.js';

/** One run of a sweep as an executor sees it: its place in the sweep, its config and its seed. */
export interface SweepJob<C = unknown> {
  /** Position in the sweep (config-major, then seed): the key of `finish`. */
  index: number;
  configIndex: number;
  config: C;
  seed: number;
}

/** How one run ended: its result, or its error (with stack), and the seconds it took. */
export interface SweepOutcome {
  result?: unknown;
  error?: string;
  seconds: number;
}

/** What `sweep()` hands an executor: the run module, the jobs, and where outcomes and news go. */
export interface SweepWork<C = unknown> {
  /** File URL of the ES module whose export `exportName` is the run function. */
  module: string;
  exportName: string;
  jobs: readonly SweepJob<C>[];
  /** The sweep's label (for names an executor shows). */
  label: string;
  /** The sweep's time limit of one run in seconds (`timeoutSeconds`): the executor fails a run over it. */
  timeoutSeconds?: number;
  /** Record a job's outcome: exactly once per job, in any order. */
  finish(index: number, outcome: SweepOutcome): void;
  /** Extra fields for the progress line (e.g. running jobs and their steps). */
  status(info: ProgressInfo): void;
  /** A line for the user (printed above the progress bar, or on stderr when progress is off). */
  log(text: string): void;
}

/**
 * Where a sweep's runs happen. The default (no executor) is worker threads on this machine;
 * `@grokkit/queue`'s `queueExecutor` sends them to workers on other machines through Redis.
 * `run` resolves once every job has been finished.
 */
export interface SweepExecutor {
  /** Check what the executor needs (e.g. that its server is reachable), before the sweep shows anything. */
  check?(): Promise<void>;
  run<C>(work: SweepWork<C>): Promise<void>;
}
