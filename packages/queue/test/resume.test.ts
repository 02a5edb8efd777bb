/**
 * Interruptions: Ctrl-C on the client leaves the runs queued and running, and a rerun collects
 * them without training any run twice; Redis lost mid-sweep is reported, waited for, and nothing
 * is lost when it returns.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { sweep } from '@grokkit/eval/node';
import { queueExecutor } from '@grokkit/queue';
import { startRedisServer, startWorkerProcess, type RedisServer, type WorkerProcess } from '@grokkit/queue/testing';
import { captured, describeRedis, fixture, onThreads, strip } from './helpers.js';

const client = fileURLToPath(new URL('./fixtures/client.mjs', import.meta.url));

/** Run the client fixture; `until` (if given) is awaited on its stderr, then the client gets SIGINT. */
function runClient(url: string, until?: RegExp): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [client, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (until && until.test(stderr) && child.exitCode === null) child.kill('SIGINT');
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describeRedis('interruptions', () => {
  const servers: RedisServer[] = [];
  const workers: WorkerProcess[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const w of workers) w.process.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('Ctrl-C on the client leaves the runs to the workers; a rerun collects them and trains none twice', async () => {
    const redis = await startRedisServer();
    servers.push(redis);
    const worker = await startWorkerProcess(redis.url);
    workers.push(worker);
    const first = await runClient(redis.url, /sweep 1\/4/);
    expect(first.signal).toBe('SIGINT');
    expect(first.stdout).toBe('');
    // the worker goes on without a client
    for (let done = 0; done < 4; done = worker.output.match(/: done in /g)?.length ?? 0) await new Promise((r) => setTimeout(r, 100));
    const second = await runClient(redis.url);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('from an earlier session: 4 finished, 0 failed and queued again');
    expect(worker.output.match(/: starting/g)).toHaveLength(4);
    const threads = await onThreads([{ steps: 60, stepMs: 5 }, { steps: 60, stepMs: 5, lr: 3e-3 }], [0, 1]);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(JSON.stringify(strip(threads.runs))));
  });

  it('says when Redis is lost mid-sweep, waits, and loses nothing when it returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grokkit-redis-'));
    dirs.push(dir);
    // an append-only file synced on every write: a restart brings back every job
    const args = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
    const redis = await startRedisServer({ args });
    servers.push(redis);
    const worker = await startWorkerProcess(redis.url);
    workers.push(worker);
    const configs = [{ steps: 60, stepMs: 5 }, { steps: 60, stepMs: 5, lr: 3e-3 }];
    const seeds = [0, 1];
    const news = captured();
    let restarted: Promise<void> | undefined;
    const r = await sweep({
      module: fixture, configs, seeds, progress: 'lines', progressStream: news,
      executor: queueExecutor({ url: redis.url, sweepId: 'redis-lost', pollSeconds: 0.2 }),
      // after the first result, Redis dies (kill -9) and comes back on the same port 2 s later
      onRun: () => {
        restarted ??= (async () => {
          redis.process.kill('SIGKILL');
          await redis.stop();
          await new Promise((res) => setTimeout(res, 2000));
          servers.push(await startRedisServer({ port: redis.port, args }));
        })();
      },
    });
    await restarted;
    expect(news.text).toContain(`queue: lost the connection to Redis at 127.0.0.1:${redis.port}`);
    expect(news.text).toContain(`queue: Redis at 127.0.0.1:${redis.port} is back`);
    expect(worker.output).toContain(`lost the connection to Redis at 127.0.0.1:${redis.port}`);
    expect(r.runs.map((x) => x.error)).toEqual([undefined, undefined, undefined, undefined]);
    const threads = await onThreads(configs, seeds);
    expect(strip(r.runs)).toEqual(strip(threads.runs));
  });

  it('queues runs again when Redis comes back without its data; with --store, they resume from their checkpoints', async () => {
    const store = mkdtempSync(join(tmpdir(), 'grokkit-store-'));
    dirs.push(store);
    const redis = await startRedisServer();
    servers.push(redis);
    const worker = await startWorkerProcess(redis.url, { args: ['--store', store] });
    workers.push(worker);
    const configs = [{ steps: 100, stepMs: 10 }];
    const seeds = [0, 1];
    const news = captured();
    const sweeping = sweep({
      module: fixture, configs, seeds, progress: 'lines', progressStream: news,
      executor: queueExecutor({ url: redis.url, sweepId: 'redis-emptied', checkpointEvery: 20, pollSeconds: 0.2 }),
    });
    // once the first run has a checkpoint on disk, Redis dies and comes back empty
    const [, id] = await worker.waitFor(/job (\S+) \(.*\): starting/);
    for (let i = 0; !existsSync(join(store, `${id}.safetensors`)); i++) {
      expect(i, 'a checkpoint file within 30 s').toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 50));
    }
    redis.process.kill('SIGKILL');
    await redis.stop();
    servers.push(await startRedisServer({ port: redis.port }));
    const r = await sweeping;
    expect(news.text).toMatch(/queue: [12] runs were missing from Redis \(restarted without its data\?\); queued them again/);
    expect(worker.output).toMatch(new RegExp(`job ${id} \\(.*\\): resuming from its checkpoint`));
    expect(r.runs.map((x) => x.error)).toEqual([undefined, undefined]);
    const threads = await onThreads(configs, seeds);
    expect(strip(r.runs)).toEqual(strip(threads.runs));
  });
});
