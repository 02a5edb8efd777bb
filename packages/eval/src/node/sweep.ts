import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Progress, type ProgressInfo, type ProgressMode, type ProgressStream } from '../progress.js';
import { aggregate, type RunFn, type SweepResult, type SweepRun } from '../sweep-summary.js';
import type { SweepExecutor } from './sweep-executor.js';

export interface SweepOptions<C, R> {
  /**
   * Absolute path or file URL of an ES module exporting `run(config, seed)` (or `exportName`).
   * Each worker imports it; `.ts` modules load through tsx when it is installed.
   */
  module?: string | URL;
  exportName?: string;
  /** An in-process run function instead of `module` (only with `workers: 0`). */
  run?: RunFn<C, R>;
  configs: readonly C[];
  seeds: readonly number[];
  /** Worker threads (default: min(jobs, available cores)); 0 runs every job in this thread, one after another. */
  workers?: number;
  progress?: ProgressMode;
  progressStream?: ProgressStream;
  progressInterval?: number;
  label?: string;
  /**
   * Time limit of one run, in seconds (default: none). A run over it is recorded as failed and the
   * sweep goes on: on a worker thread the worker is terminated and replaced; in this thread
   * (`workers: 0`) the sweep stops waiting for it, which frees nothing if the run never yields.
   */
  timeoutSeconds?: number;
  /** Called as each run finishes (in completion order). */
  onRun?(run: SweepRun<C, R>): void;
  /**
   * Where the runs happen (default: worker threads on this machine, see `workers`), e.g.
   * `queueExecutor` from `@grokkit/queue`. Needs `module`; `workers` is then unused.
   */
  executor?: SweepExecutor;
}

function moduleUrl(m: string | URL): string {
  if (m instanceof URL) return m.href;
  if (/^file:/i.test(m)) return m;
  return pathToFileURL(isAbsolute(m) ? m : resolve(m)).href;
}

const isTs = (url: string) => /\.(ts|mts|cts|tsx)$/i.test(new URL(url).pathname);

/** The ESM entry of tsx's API, resolved from the module's folder, this package, or the working directory. */
function findTsxApi(fromUrl: string): string | undefined {
  const bases = [fileURLToPath(fromUrl), fileURLToPath(import.meta.url), join(process.cwd(), 'index.js')];
  for (const base of bases) {
    try {
      const pj = createRequire(base).resolve('tsx/package.json');
      const entry = (JSON.parse(readFileSync(pj, 'utf8')) as { exports?: Record<string, { import?: string | { default?: string } }> }).exports?.['./esm/api']?.import;
      const rel = typeof entry === 'string' ? entry : entry?.default;
      if (rel) return join(dirname(pj), rel);
    } catch {
      // try the next base
    }
  }
  return undefined;
}

// The worker's code (CommonJS, run with eval: true). It imports the user's module once, then
// answers one job at a time.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const fail = (e) => String((e && e.stack) || e);
(async () => {
  let fn;
  try {
    if (workerData.tsx) (await import(pathToFileURL(workerData.tsx).href)).register();
    const mod = await import(workerData.module);
    fn = mod[workerData.exportName];
    if (typeof fn !== 'function') throw new Error('sweep: ' + workerData.module + " exports no function '" + workerData.exportName + "' (exports: " + (Object.keys(mod).join(', ') || 'none') + ')');
  } catch (e) {
    parentPort.postMessage({ type: 'init-error', error: fail(e) });
    return;
  }
  parentPort.on('message', async (m) => {
    const t0 = performance.now();
    try {
      const result = await fn(m.config, m.seed);
      parentPort.postMessage({ type: 'result', index: m.index, result, seconds: (performance.now() - t0) / 1000 });
    } catch (e) {
      parentPort.postMessage({ type: 'error', index: m.index, error: fail(e), seconds: (performance.now() - t0) / 1000 });
    }
  });
  parentPort.postMessage({ type: 'ready' });
})();
`;

type WorkerMsg =
  | { type: 'ready' }
  | { type: 'init-error'; error: string }
  | { type: 'result'; index: number; result: unknown; seconds: number }
  | { type: 'error'; index: number; error: string; seconds: number };

export async function loadInProcess<C, R>(url: string, exportName: string): Promise<RunFn<C, R>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const tsx = isTs(url) ? findTsxApi(url) : undefined;
    if (!tsx) throw e;
    const api = (await import(pathToFileURL(tsx).href)) as { tsImport(spec: string, parent: string): Promise<Record<string, unknown>> };
    mod = await api.tsImport(url, import.meta.url);
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`sweep: ${url} exports no function '${exportName}' (exports: ${Object.keys(mod).join(', ') || 'none'})`);
  return fn as RunFn<C, R>;
}

/**
 * Run every config × seed. With workers > 0, each worker thread imports `module` and runs jobs
 * one at a time; results are stored by job, so `runs` and `summary` do not depend on the worker
 * count or on timing (as long as `run` depends only on its config and seed). A run that throws is
 * recorded with its error; the sweep goes on.
 */
export async function sweep<C, R = Record<string, unknown>>(o: SweepOptions<C, R>): Promise<SweepResult<C, R>> {
  const jobs = o.configs.flatMap((config, configIndex) => o.seeds.map((seed) => ({ configIndex, config, seed })));
  const workers = o.workers ?? Math.min(jobs.length, availableParallelism());
  if (!Number.isInteger(workers) || workers < 0) throw new Error(`sweep: expected workers to be a non-negative integer, got ${o.workers}`);
  if (!o.module && !o.run) throw new Error('sweep: expected module (a path or file URL) or run (with workers: 0), got neither');
  if (o.run && workers > 0 && !o.executor) throw new Error('sweep: a run function cannot be sent to worker threads; pass module, or workers: 0');
  const limit = o.timeoutSeconds;
  if (limit !== undefined && !(limit > 0 && Number.isFinite(limit))) throw new Error(`sweep: expected timeoutSeconds to be a positive number, got ${limit}`);
  const exportName = o.exportName ?? 'run';
  const url = o.module ? moduleUrl(o.module) : undefined;
  const runs: SweepRun<C, R>[] = new Array(jobs.length);
  await o.executor?.check?.();
  const t0 = performance.now();
  const progress = new Progress({ total: jobs.length, label: o.label ?? 'sweep', unit: 'run', mode: o.progress ?? 'auto', stream: o.progressStream, interval: o.progressInterval });
  let done = 0;
  let failed = 0;
  const finish = (index: number, r: { result?: unknown; error?: string; seconds: number }) => {
    const j = jobs[index];
    if (!j || runs[index]) throw new Error(`sweep: expected each run to finish once, got run ${index} ${j ? 'again' : `of ${jobs.length}`}`);
    const run: SweepRun<C, R> = { ...j, seconds: r.seconds };
    if (r.error !== undefined) {
      run.error = r.error;
      failed++;
    } else run.result = r.result as R;
    runs[index] = run;
    done++;
    progress.update(done, { failed, last: `config ${j.configIndex} seed ${j.seed}` });
    o.onRun?.(run);
  };

  try {
    if (o.executor) {
      if (!url) throw new Error('sweep: an executor needs module (a path or file URL), not a run function');
      const log = (text: string) => (progress.mode === 'off' ? process.stderr.write(text + '\n') : progress.log(text));
      const work = { module: url, exportName, jobs: jobs.map((j, index) => ({ index, ...j })), label: o.label ?? 'sweep', ...(limit !== undefined && { timeoutSeconds: limit }), finish, status: (info: ProgressInfo) => progress.update(done, info), log };
      await o.executor.run(work);
      const missing = jobs.length - runs.filter(Boolean).length;
      if (missing) throw new Error(`sweep: the executor returned with ${missing} of ${jobs.length} runs unfinished`);
    } else if (workers === 0 || jobs.length === 0) {
      const fn = o.run ?? (jobs.length ? await loadInProcess<C, R>(url!, exportName) : undefined);
      for (const [index, j] of jobs.entries()) {
        const ts = performance.now();
        try {
          const result = limit === undefined ? await fn!(j.config, j.seed) : await withTimeout(Promise.resolve(fn!(j.config, j.seed)), limit);
          finish(index, { result, seconds: (performance.now() - ts) / 1000 });
        } catch (e) {
          finish(index, { error: String((e as Error)?.stack ?? e), seconds: (performance.now() - ts) / 1000 });
        }
      }
    } else {
      await runOnWorkers(url!, exportName, Math.min(workers, jobs.length), jobs, finish, limit);
    }
  } finally {
    progress.finish();
  }
  return { runs, summary: aggregate(o.configs, runs), wallSeconds: (performance.now() - t0) / 1000 };
}

const timeoutMessage = (seconds: number) => `sweep: the run took longer than its time limit of ${seconds} s (timeoutSeconds) and was stopped`;

/** The promise's value, or a rejection after `seconds`. */
function withTimeout<T>(p: Promise<T>, seconds: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(timeoutMessage(seconds))), seconds * 1000);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function runOnWorkers<C>(
  url: string,
  exportName: string,
  count: number,
  jobs: { config: C; seed: number }[],
  finish: (index: number, r: { result?: unknown; error?: string; seconds: number }) => void,
  limit: number | undefined,
): Promise<void> {
  const tsx = isTs(url) ? findTsxApi(url) : undefined;
  if (isTs(url) && !tsx) return Promise.reject(new Error(`sweep: ${url} is TypeScript; install tsx to run it on workers, or pass a .js/.mjs module`));
  return new Promise<void>((resolvePromise, reject) => {
    let next = 0;
    let finished = 0;
    let settled = false;
    let respawns = 0;
    const pool = new Set<Worker>();
    const end = (err?: Error) => {
      if (settled) return;
      settled = true;
      for (const w of pool) void w.terminate();
      pool.clear();
      if (err) reject(err);
      else resolvePromise();
    };
    const spawn = () => {
      const w = new Worker(workerSource, { eval: true, workerData: { module: url, exportName, tsx } });
      pool.add(w);
      let current = -1;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const give = () => {
        if (next >= jobs.length) {
          pool.delete(w);
          void w.terminate();
          return;
        }
        current = next++;
        const j = jobs[current]!;
        w.postMessage({ index: current, config: j.config, seed: j.seed });
        if (limit !== undefined) timer = setTimeout(timedOut, limit * 1000);
      };
      // a run over its time limit: drop this worker (so its exit is not a death) and start another
      const timedOut = () => {
        if (settled || current < 0) return;
        pool.delete(w);
        void w.terminate();
        settleJob(current, { error: timeoutMessage(limit!), seconds: limit! });
        if (!settled && next < jobs.length) spawn();
      };
      const settleJob = (index: number, r: { result?: unknown; error?: string; seconds: number }) => {
        clearTimeout(timer);
        current = -1;
        finish(index, r);
        if (++finished === jobs.length) end();
      };
      w.on('message', (m: WorkerMsg) => {
        if (settled) return;
        if (m.type === 'ready') give();
        else if (m.type === 'init-error') end(new Error(`sweep: a worker could not load ${url}:\n${m.error}`));
        else {
          settleJob(m.index, m.type === 'result' ? { result: m.result, seconds: m.seconds } : { error: m.error, seconds: m.seconds });
          if (!settled) give();
        }
      });
      const died = (why: string) => {
        if (settled || !pool.has(w)) return;
        pool.delete(w);
        if (current >= 0) settleJob(current, { error: `sweep: the worker died (${why})`, seconds: 0 });
        if (settled || next >= jobs.length) return;
        if (++respawns > jobs.length) end(new Error(`sweep: workers keep dying (last: ${why})`));
        else spawn();
      };
      w.on('error', (e) => died(String(e?.stack ?? e)));
      w.on('exit', (code) => died(`exit code ${code}`));
    };
    for (let i = 0; i < count; i++) spawn();
  });
}
