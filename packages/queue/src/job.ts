/**
 * What a queued run carries: its run module (a path relative to the folder the sweep started in,
 * and the absolute URL as a fallback on machines with the same layout), its config and seed, and
 * how the worker should treat it. Configs and results travel as `codec` JSON.
 */
export interface RunJobData {
  /** Path of the run module relative to the client's root folder, with forward slashes. */
  module: string;
  /** The run module's file URL on the client's machine. */
  moduleUrl: string;
  exportName: string;
  configIndex: number;
  /** The config, `codec`-encoded. */
  config: string;
  seed: number;
  /** Checkpoint every this many updates (the run module passes it on to `train`). */
  checkpointEvery: number;
  /** Fail the run when one attempt takes longer than this. */
  timeoutSeconds?: number;
}

/** A worker's return value: the run's result (`codec`-encoded) and the seconds the finishing attempt took. */
export interface RunJobResult {
  value: string;
  seconds: number;
}

/** What a worker reports while a job runs (BullMQ job progress). */
export interface RunJobProgress {
  /** The step of the last checkpoint kept. */
  step: number;
}

/** The queue every worker listens on unless told otherwise. */
export const DEFAULT_QUEUE = 'grokkit';
