import { createHash } from 'node:crypto';
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Job, Queue } from 'bullmq';
import type { SweepExecutor, SweepJob, SweepWork } from '@grokkit/eval/node';
import { redisCheckpointStore } from './checkpoint-store.js';
import { decode, encode } from './codec.js';
import { checkRedis, openRedis } from './connect.js';
import { DEFAULT_QUEUE, type RunJobData, type RunJobProgress, type RunJobResult } from './job.js';
import { parseRedisUrl } from './redis-target.js';

export interface QueueExecutorOptions {
  /** redis://[:password@]host:port[/db] or rediss://… (TLS). */
  url: string;
  /**
   * Names the sweep, so that a rerun finds its jobs (e.g. the sweep's output folder): the same
   * sweep id, run module, configs and seeds give the same jobs.
   */
  sweepId: string;
  /** Queue name (default 'grokkit'); workers must listen on the same. */
  queueName?: string;
  /** Ask runs for a checkpoint every this many updates (default 100). */
  checkpointEvery?: number;
  /**
   * Run again the runs an earlier session of this sweep finished, instead of collecting their results
   * (runs still waiting or running are kept: they are the same runs).
   */
  overwrite?: boolean;
  /** Seconds between looks at the jobs (default 1). */
  pollSeconds?: number;
  /** Folder that the run module's path is given relative to; workers resolve it under theirs (default: the working directory). */
  root?: string;
}

/** Jobs finished or not are removed from Redis this long after they end, if nobody collects them. */
const KEEP_SECONDS = 7 * 24 * 3600;

const positive = (name: string, v: number | undefined, int: boolean) => {
  if (v !== undefined && !(v > 0 && Number.isFinite(v) && (!int || Number.isInteger(v)))) throw new Error(`queueExecutor: expected ${name} to be a positive ${int ? 'integer' : 'number'}, got ${v}`);
};

/**
 * A `sweep()` executor that puts every run on a BullMQ queue in Redis for `grokkit-worker`
 * processes on any machine, shows how many are done, running (with each one's step) and
 * waiting, and hands each result to the sweep as it arrives. A run whose worker dies is resumed by
 * another worker from its last checkpoint. Ctrl-C leaves the runs queued: a rerun with the same
 * sweep id collects them (runs that had failed are tried again).
 */
export function queueExecutor(o: QueueExecutorOptions): SweepExecutor {
  if (!o.sweepId) throw new Error('queueExecutor: expected a sweepId (e.g. the output folder), got none');
  positive('checkpointEvery', o.checkpointEvery, true);
  positive('pollSeconds', o.pollSeconds, false);
  const target = parseRedisUrl(o.url);
  let checked = false;
  const check = async () => {
    try {
      await checkRedis(target);
    } catch (e) {
      throw new Error(`queue: ${(e as Error).message}`);
    }
    checked = true;
  };
  return {
    check,
    run: async (work) => {
      if (!checked) await check();
      return runOnQueue(o, work);
    },
  };
}

interface Entry<C> {
  id: string;
  job: SweepJob<C>;
  data: RunJobData;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runOnQueue<C>(o: QueueExecutorOptions, work: SweepWork<C>): Promise<void> {
  const target = parseRedisUrl(o.url);
  const queueName = o.queueName ?? DEFAULT_QUEUE;
  const redis = openRedis(target, {
    lost: (why) => work.log(`queue: lost the connection to Redis at ${target.label} (${why}); waiting for it to come back (the runs are kept there)`),
    back: () => work.log(`queue: Redis at ${target.label} is back`),
  });
  const queue = new Queue<RunJobData, RunJobResult>(queueName, { connection: redis });
  queue.on('error', () => undefined); // connection trouble is reported once, by openRedis

  try {
    const root = resolve(o.root ?? process.cwd());
    const module = relative(root, fileURLToPath(work.module)).split(sep).join('/');
    const key = createHash('sha256')
      .update(encode([o.sweepId, module, work.exportName, work.jobs.map((j) => [j.configIndex, j.config, j.seed])]))
      .digest('hex')
      .slice(0, 16);
    const entries: Entry<C>[] = work.jobs.map((job) => ({
      id: `${key}-${job.index}`,
      job,
      data: {
        module,
        moduleUrl: work.module,
        exportName: work.exportName,
        configIndex: job.configIndex,
        config: encode(job.config),
        seed: job.seed,
        checkpointEvery: o.checkpointEvery ?? 100,
        ...(work.timeoutSeconds !== undefined && { timeoutSeconds: work.timeoutSeconds }),
      },
    }));
    const add = async (list: readonly Entry<C>[]) => {
      for (let i = 0; i < list.length; i += 500) {
        await queue.addBulk(list.slice(i, i + 500).map((e) => ({
          name: `${work.label} config ${e.job.configIndex} seed ${e.job.seed}`,
          data: e.data,
          opts: { jobId: e.id, attempts: 1, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } },
        })));
      }
    };

    // jobs of an earlier session of this sweep are kept as they are, except failed ones (and with
    // overwrite, finished ones): those run again
    const before = await Promise.all(entries.map((e) => Job.fromId(queue, e.id)));
    let earlier = 0;
    let retried = 0;
    for (const [i, job] of before.entries()) {
      if (!job?.finishedOn) continue;
      if (o.overwrite) {
        await job.remove();
        before[i] = undefined;
        retried++;
      } else if ((await job.getState()) === 'failed') {
        await job.retry('failed');
        retried++;
      } else earlier++;
    }
    await add(entries.filter((_, i) => !before[i]));
    work.log(
      `queue: ${entries.length} runs on queue '${queueName}' at ${target.label}` +
        (earlier || retried ? ` (from an earlier session: ${earlier} finished, ${retried} ${o.overwrite ? 'finished' : 'failed'} and queued again)` : '') +
        `; start workers with: npx grokkit-worker --queue ${target.safeUrl}${queueName === DEFAULT_QUEUE ? '' : ` --queue-name ${queueName}`}` +
        ` — Ctrl-C here leaves the runs queued, and the same command collects them`,
    );

    const pending = new Map(entries.map((e) => [e.id, e]));
    const pollMs = (o.pollSeconds ?? 1) * 1000;
    for (;;) {
      const ids = [...pending.keys()];
      const [jobs, active] = await Promise.all([
        Promise.all(ids.map((id) => Job.fromId<RunJobData, RunJobResult>(queue, id))),
        queue.getActive().then((list) => new Set(list.map((j) => j.id))),
      ]);
      const missing: Entry<C>[] = [];
      const running: string[] = [];
      for (const [i, job] of jobs.entries()) {
        const e = pending.get(ids[i]!)!;
        if (!job) {
          missing.push(e);
          continue;
        }
        const state = job.finishedOn ? await job.getState() : undefined;
        if (state === 'completed' || state === 'failed') {
          pending.delete(e.id);
          work.finish(e.job.index, outcome(job, state));
          continue;
        }
        if (active.has(e.id)) running.push(`c${e.job.configIndex} s${e.job.seed} @${(job.progress as RunJobProgress | undefined)?.step ?? 0}`);
      }
      if (missing.length) {
        work.log(`queue: ${missing.length} runs were missing from Redis (restarted without its data?); queued them again`);
        await add(missing);
      }
      work.status({ running: `${running.length}${running.length ? ` (${running.join(', ')})` : ''}`, waiting: pending.size - running.length });
      if (pending.size === 0) break;
      await sleep(pollMs);
    }
    // every result is in the sweep now: leave nothing of it in Redis
    const checkpoints = redisCheckpointStore(redis, queueName, target.label);
    await Promise.all(entries.map(async (e) => {
      await queue.remove(e.id);
      await checkpoints.delete(e.id);
    }));
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

/** A finished job's outcome for the sweep. */
function outcome(job: Job<RunJobData, RunJobResult>, state: 'completed' | 'failed'): { result?: unknown; error?: string; seconds: number } {
  const seconds = job.finishedOn && job.processedOn ? (job.finishedOn - job.processedOn) / 1000 : 0;
  if (state === 'failed') return { error: job.failedReason || 'the job failed without a reason', seconds };
  try {
    return { result: decode(job.returnvalue.value), seconds: job.returnvalue.seconds };
  } catch (e) {
    return { error: `queue: the worker's result could not be read (${(e as Error).message})`, seconds };
  }
}
