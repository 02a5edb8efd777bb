import { Worker } from 'node:worker_threads';
import type { FromThread, ToThread } from './thread-messages.js';

export interface ThreadTask {
  /** File URL of the run module. */
  module: string;
  exportName: string;
  config: unknown;
  seed: number;
  resumeFrom?: Uint8Array;
  checkpointEvery: number;
}

/**
 * Worker threads that run jobs, one job per thread at a time; an idle thread is reused (its run
 * modules stay loaded). A thread whose run timed out or died is dropped.
 */
export class RunThreads {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  private readonly script = new URL('./run-thread.js', import.meta.url);

  /**
   * Run one job; `onCheckpoint` is awaited before training goes on. Rejects with the run's error,
   * or when it takes longer than `timeoutSeconds` (the thread is then terminated), counted from the
   * call of the run function: starting the thread and importing the run module are not part of it,
   * as on the sweep's worker threads.
   */
  run(task: ThreadTask, onCheckpoint: (bytes: Uint8Array, step: number) => Promise<void>, timeoutSeconds?: number): Promise<unknown> {
    const w = this.idle.pop() ?? new Worker(this.script);
    this.busy.add(w);
    return new Promise<unknown>((resolve, reject) => {
      let over = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const startClock = () => {
        if (timeoutSeconds === undefined) return;
        timer = setTimeout(() => {
          over = true;
          end(new Error(`the run took longer than its time limit of ${timeoutSeconds} s (timeoutSeconds) and was stopped`), false);
        }, timeoutSeconds * 1000);
      };
      const end = (error: Error | undefined, keep: boolean, result?: unknown) => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        this.busy.delete(w);
        if (keep) this.idle.push(w);
        else void w.terminate();
        if (error) reject(error);
        else resolve(result);
      };
      const onMessage = (m: FromThread) => {
        if (over) return;
        if (m.type === 'started') startClock();
        else if (m.type === 'checkpoint') {
          onCheckpoint(m.bytes, m.step).then(
            () => w.postMessage({ type: 'stored' } satisfies ToThread),
            (e: unknown) => w.postMessage({ type: 'stored', error: `could not keep the checkpoint at step ${m.step}: ${(e as Error)?.message ?? e}` } satisfies ToThread),
          );
        } else if (m.type === 'result') end(undefined, true, m.result);
        else end(new Error(m.error), true);
      };
      const onError = (e: Error) => end(new Error(`the run's thread failed: ${e?.stack ?? e}`), false);
      const onExit = (code: number) => end(new Error(`the run's thread exited (code ${code})`), false);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ type: 'run', ...task } satisfies ToThread);
    });
  }

  /** Terminate every thread (running jobs are abandoned). */
  async close(): Promise<void> {
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }
}
