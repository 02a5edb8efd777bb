/**
 * The promise of the queue: kill -9 a worker in the middle of a run, and another worker resumes
 * that run from its last checkpoint; every result arrives, bit-identical to the same sweep on
 * worker threads. Real parts: a private redis-server and two grokkit-worker processes.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sweep } from '@grokkit/eval/node';
import { queueExecutor } from '@grokkit/queue';
import { startRedisServer, startWorkerProcess, type RedisServer, type WorkerProcess } from '@grokkit/queue/testing';
import { describeRedis, fixture, onThreads, strip } from './helpers.js';

describeRedis('a worker killed mid-run', () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const w of workers) w.process.kill('SIGKILL');
    await redis?.stop();
  });

  it('hands its run to the other worker, which resumes from the checkpoint; all results equal the threads executor\'s', async () => {
    // 2 configs × 2 seeds; a run is 80 steps of ≥ 10 ms, with a checkpoint every 20 steps
    const configs = [{ steps: 80, stepMs: 10 }, { steps: 80, stepMs: 10, lr: 3e-3 }];
    const seeds = [0, 1];
    const [a, b] = await Promise.all([0, 1].map(() => startWorkerProcess(redis.url, { args: ['--lock-seconds', '1.5'] })));
    workers.push(a!, b!);

    const sweeping = sweep({
      module: fixture, configs, seeds, progress: false,
      executor: queueExecutor({ url: redis.url, sweepId: 'kill-test', checkpointEvery: 20, pollSeconds: 0.2 }),
    });
    // once worker A has a checkpoint of the job it runs, kill it
    const [, victim] = await a!.waitFor(/job (\S+) \(.*\): starting/);
    const probe = new Redis(redis.port, '127.0.0.1');
    // the worker stores a checkpoint, then reports its step as the job's progress: wait for both,
    // so that the worker taking over can say which step it resumes from
    const reported = async () => (await probe.exists(`grokkit:checkpoint:grokkit:${victim}`)) && (await probe.hget(`bull:grokkit:${victim}`, 'progress'))?.includes('"step"');
    for (let i = 0; !(await reported()); i++) {
      expect(i, 'a checkpoint of the first job, and its step, within 30 s').toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 50));
    }
    probe.disconnect();
    a!.process.kill('SIGKILL');
    expect(await a!.exited).toBe('SIGKILL');

    const queued = await sweeping;
    const resumed = await b!.waitFor(new RegExp(`job ${victim} \\(.*\\): resuming from its checkpoint at step (\\d+)`), 5);
    expect(Number(resumed[1])).toBeGreaterThanOrEqual(20);
    expect(Number(resumed[1])).toBeLessThan(80);
    expect(queued.runs.map((r) => r.error)).toEqual([undefined, undefined, undefined, undefined]);

    const threads = await onThreads(configs, seeds);
    expect(strip(queued.runs)).toEqual(strip(threads.runs));
    expect(queued.summary).toEqual(threads.summary);
    // NaN and -0 crossed Redis intact
    expect(queued.runs[0]!.result).toMatchObject({ nan: NaN });
    expect(Object.is((queued.runs[0]!.result as { negativeZero: number }).negativeZero, -0)).toBe(true);
  });
});
