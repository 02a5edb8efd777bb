/**
 * The worker thread that trains: it imports run modules (once each; `.ts` through tsx), runs one
 * job at a time with a `RunContext` whose `onCheckpoint` sends the bytes to the main thread and
 * waits until they are kept, and posts the result or the error. The main thread's event loop stays
 * free meanwhile, so BullMQ renews the job's lock however long a step takes.
 */
import { parentPort } from 'node:worker_threads';
import type { RunContext, RunFn } from '@grokkit/eval';
import { loadRunFunction } from '@grokkit/eval/node';
import type { FromThread, ToThread } from './thread-messages.js';

const port = parentPort!;
const loaded = new Map<string, Promise<RunFn<unknown, unknown>>>();
let stored: { resolve(): void; reject(e: Error): void } | undefined;

const post = (m: FromThread) => port.postMessage(m);

port.on('message', (m: ToThread) => {
  if (m.type === 'stored') {
    const s = stored;
    stored = undefined;
    if (m.error === undefined) s?.resolve();
    else s?.reject(new Error(m.error));
    return;
  }
  void run(m);
});

async function run(m: Extract<ToThread, { type: 'run' }>): Promise<void> {
  try {
    const key = `${m.module}#${m.exportName}`;
    if (!loaded.has(key)) loaded.set(key, loadRunFunction(m.module, m.exportName));
    const fn = await loaded.get(key)!;
    const context: RunContext = {
      resumeFrom: m.resumeFrom,
      checkpointEvery: m.checkpointEvery,
      onCheckpoint: (bytes, step) =>
        new Promise<void>((resolve, reject) => {
          stored = { resolve, reject };
          post({ type: 'checkpoint', bytes, step });
        }),
    };
    post({ type: 'started' });
    const result = await fn(m.config, m.seed, context);
    post({ type: 'result', result });
  } catch (e) {
    post({ type: 'error', error: String((e as Error)?.stack ?? e) });
  }
}
