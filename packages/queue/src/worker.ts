import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type Job } from 'bullmq';
import { dirCheckpointStore, redisCheckpointStore, type CheckpointStore } from './checkpoint-store.js';
import { decode, encode } from './codec.js';
import { checkRedis, openRedis } from './connect.js';
import { DEFAULT_QUEUE, type RunJobData, type RunJobProgress, type RunJobResult } from './job.js';
import { parseRedisUrl } from './redis-target.js';
import { RunThreads } from './run-threads.js';

export interface WorkerOptions {
  /** redis://[:password@]host:port[/db] or rediss://… (TLS). */
  url: string;
  /** Queue name (default 'grokkit'); the sweep's client must use the same. */
  queueName?: string;
  /** Jobs run at once, each on its own thread (default 1). */
  concurrency?: number;
  /** A folder every worker reaches for checkpoints (default: Redis). */
  store?: string;
  /** Folder that job module paths are relative to (default: the working directory). */
  root?: string;
  /**
   * Seconds a job's lock lasts without renewal (default 30): after a worker dies, its jobs go to
   * another worker within about twice this.
   */
  lockSeconds?: number;
  /** How often one job may be handed over after its worker stopped answering (default 5); then it fails. */
  maxStalls?: number;
  /** Where news lines go (default: stdout). */
  log?: (line: string) => void;
}

export interface RunningWorker {
  /** Stop taking jobs, wait for the running ones to finish, and disconnect. */
  close(): Promise<void>;
  /** Jobs running now. */
  readonly running: number;
}

/** The job's run module on this machine: under `root` at the client's relative path, else at the client's absolute path. */
export function resolveRunModule(data: Pick<RunJobData, 'module' | 'moduleUrl'>, root: string): string {
  const here = resolve(root, data.module);
  if (existsSync(here)) return pathToFileURL(here).href;
  const there = fileURLToPath(data.moduleUrl);
  if (existsSync(there)) return data.moduleUrl;
  throw new Error(`the run module ${data.module} is not under ${root} (nor at ${there}); start the worker in the folder the sweep was started from, or pass --root`);
}

/**
 * Start a worker: take jobs from the queue at `url`, run each on a worker thread, keep its
 * checkpoints in Redis (or `store`), and resume a job from its last checkpoint when it was handed
 * over from a worker that died. Resolves once connected; rejects with one line when Redis cannot
 * be reached.
 */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const target = parseRedisUrl(o.url);
  const queueName = o.queueName ?? DEFAULT_QUEUE;
  const concurrency = o.concurrency ?? 1;
  const lockSeconds = o.lockSeconds ?? 30;
  const maxStalls = o.maxStalls ?? 5;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`expected concurrency to be a positive integer, got ${o.concurrency}`);
  if (!(lockSeconds > 0)) throw new Error(`expected lockSeconds to be a positive number, got ${o.lockSeconds}`);
  if (!Number.isInteger(maxStalls) || maxStalls < 0) throw new Error(`expected maxStalls to be a non-negative integer, got ${o.maxStalls}`);
  const root = resolve(o.root ?? process.cwd());
  const log = o.log ?? ((line: string) => process.stdout.write(line + '\n'));
  await checkRedis(target);

  const redis = openRedis(target, {
    lost: (why) => log(`lost the connection to Redis at ${target.label} (${why}); running jobs go on, waiting for it to come back`),
    back: () => log(`Redis at ${target.label} is back`),
  });
  const store: CheckpointStore = o.store ? dirCheckpointStore(resolve(o.store)) : redisCheckpointStore(redis, queueName, target.label);
  const threads = new RunThreads();
  let running = 0;
  const name = (job: Job) => `job ${job.id} (${job.name})`;

  const processJob = async (job: Job<RunJobData, RunJobResult>): Promise<RunJobResult> => {
    const id = job.id!;
    const d = job.data;
    const module = resolveRunModule(d, root);
    const resumeFrom = await store.get(id);
    const from = (job.progress as RunJobProgress | undefined)?.step;
    log(`${name(job)}: ${resumeFrom ? `resuming from its checkpoint${from === undefined ? '' : ` at step ${from}`}` : 'starting'}`);
    running++;
    const t0 = performance.now();
    try {
      const result = await threads.run(
        { module, exportName: d.exportName, config: decode(d.config), seed: d.seed, resumeFrom, checkpointEvery: d.checkpointEvery },
        async (bytes, step) => {
          await store.set(id, bytes);
          await job.updateProgress({ step } satisfies RunJobProgress);
        },
        d.timeoutSeconds,
      );
      const seconds = (performance.now() - t0) / 1000;
      return { value: encode(result), seconds };
    } finally {
      running--;
    }
  };

  const worker = new Worker<RunJobData, RunJobResult>(queueName, processJob, {
    connection: { ...target.options, maxRetriesPerRequest: null },
    concurrency,
    lockDuration: lockSeconds * 1000,
    stalledInterval: lockSeconds * 1000,
    maxStalledCount: maxStalls,
    name: `${hostname()}:${process.pid}`,
    autorun: false,
  });
  worker.on('error', (e) => log(`worker: ${String(e?.message ?? e).split('\n')[0]}`));
  worker.on('completed', (job) => {
    log(`${name(job)}: done in ${job.returnvalue.seconds.toFixed(1)} s`);
    void store.delete(job.id!).catch(() => undefined);
  });
  worker.on('failed', (job, e) => {
    if (!job) return;
    log(`${name(job)}: failed: ${String(e?.message ?? e).split('\n')[0]}`);
    void store.delete(job.id!).catch(() => undefined);
  });
  void worker.run().catch((e: unknown) => log(`worker stopped: ${String((e as Error)?.message ?? e)}`));
  await worker.waitUntilReady();
  log(`listening on queue '${queueName}' at ${target.label} (concurrency ${concurrency}, checkpoints in ${store.where})`);

  return {
    get running() {
      return running;
    },
    async close() {
      await worker.close();
      await threads.close();
      redis.disconnect();
    },
  };
}
