/** Messages between a worker's main thread and the thread that runs a job (see run-thread.ts). */
export type ToThread =
  | { type: 'run'; module: string; exportName: string; config: unknown; seed: number; resumeFrom?: Uint8Array; checkpointEvery: number }
  /** The checkpoint just sent is kept (or could not be: `error`). */
  | { type: 'stored'; error?: string };

export type FromThread =
  /** The run module is loaded and the run function called: its time limit starts now. */
  | { type: 'started' }
  | { type: 'checkpoint'; bytes: Uint8Array; step: number }
  | { type: 'result'; result: unknown }
  | { type: 'error'; error: string };
