/**
 * Failures on the queue: a run that throws is recorded failed with its error and the others go
 * on; a run over its time limit is stopped and failed (and its worker goes on); an unreachable or
 * refusing Redis is one line naming host and port, never the password.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sweep } from '@grokkit/eval/node';
import { queueExecutor } from '@grokkit/queue';
import { freePort, startRedisServer, startWorkerProcess, type RedisServer, type WorkerProcess } from '@grokkit/queue/testing';
import { describeRedis, fixture } from './helpers.js';

describeRedis('failures on the queue', () => {
  let redis: RedisServer;
  let locked: RedisServer;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
    locked = await startRedisServer({ args: ['--requirepass', 's3cret'] });
  });
  afterAll(async () => {
    worker?.process.kill('SIGKILL');
    await Promise.all([redis?.stop(), locked?.stop()]);
  });

  it('records a run that throws and one over the time limit as failed, with their errors; the others finish', async () => {
    worker = await startWorkerProcess(redis.url);
    const configs = [{ steps: 20 }, { fail: true }, { hang: true }, { steps: 30 }];
    const r = await sweep({
      module: fixture, configs, seeds: [0], progress: false, timeoutSeconds: 3,
      executor: queueExecutor({ url: redis.url, sweepId: 'failures', pollSeconds: 0.2 }),
    });
    expect(r.runs.map((x) => x.error?.split('\n')[0])).toEqual([
      undefined,
      'Error: planned failure for seed 0',
      'the run took longer than its time limit of 3 s (timeoutSeconds) and was stopped',
      undefined,
    ]);
    expect(r.runs[1]!.error).toMatch(/train-run\.mjs/); // the stack came along
    expect(r.runs.map((x) => (x.result as { steps?: number } | undefined)?.steps)).toEqual([20, undefined, undefined, 30]);
    expect(r.summary.map((s) => s.failed)).toEqual([0, 1, 1, 0]);
    expect(worker.process.exitCode).toBeNull(); // the worker outlived the stopped thread
  });

  it('counts a run\'s time limit from the call of its run function, not from the import of its module', async () => {
    worker ??= await startWorkerProcess(redis.url);
    const slowImport = fileURLToPath(new URL('./fixtures/slow-import-run.mjs', import.meta.url));
    const r = await sweep({
      module: slowImport, configs: [{}], seeds: [0, 1], progress: false, timeoutSeconds: 1,
      executor: queueExecutor({ url: redis.url, sweepId: 'slow-import', pollSeconds: 0.2 }),
    });
    expect(r.runs.map((x) => x.error)).toEqual([undefined, undefined]);
    expect(r.runs.map((x) => x.result)).toEqual([{ seed: 0, imported: true }, { seed: 1, imported: true }]);
  });

  it('says in one line that Redis cannot be reached, naming host and port but not the password', async () => {
    const port = await freePort();
    const run = sweep({ module: fixture, configs: [{ steps: 1 }], seeds: [0], progress: false, executor: queueExecutor({ url: `redis://:s3cret@127.0.0.1:${port}`, sweepId: 'x' }) });
    const e = await run.then(() => undefined, (err: Error) => err);
    expect(e?.message).toMatch(new RegExp(`^queue: cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\)$`));
    expect(e?.message).not.toContain('s3cret');

    const w = await startWorkerProcess(`redis://:s3cret@127.0.0.1:${port}`, { ready: false });
    expect(await w.exited).toBe(1);
    expect(w.output).toMatch(new RegExp(`^grokkit-worker: cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(.*\\)\\n$`));
    expect(w.output).not.toContain('s3cret');
  });

  it('says in one line that Redis refused the password, without showing it', async () => {
    const url = `redis://:wrong-secret@127.0.0.1:${locked.port}`;
    const e = await sweep({ module: fixture, configs: [{ steps: 1 }], seeds: [0], progress: false, executor: queueExecutor({ url, sweepId: 'x' }) }).then(() => undefined, (err: Error) => err);
    expect(e?.message).toMatch(new RegExp(`^queue: Redis at 127\\.0\\.0\\.1:${locked.port} refused the connection's credentials \\(WRONGPASS[^\\n]*\\); give the password in the URL: redis://:PASSWORD@127\\.0\\.0\\.1:${locked.port}$`));
    expect(e?.message).not.toContain('wrong-secret');
    const none = await sweep({ module: fixture, configs: [{ steps: 1 }], seeds: [0], progress: false, executor: queueExecutor({ url: locked.url, sweepId: 'x' }) }).then(() => undefined, (err: Error) => err);
    expect(none?.message).toMatch(/refused the connection's credentials \(NOAUTH/);
  });
});
