/**
 * The sweeping examples on the queue: cluster-ablation and grokfast (two seeds) with --queue give
 * the same summary as in this process, with two real grokkit-worker processes on a private
 * redis-server. Skips when redis-server is missing, unless GROKKIT_REQUIRE_REDIS is set (as CI sets it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRedisServer, freePort, startRedisServer, startWorkerProcess, type RedisServer, type WorkerProcess } from '@grokkit/queue/testing';
import { clusterAblation, type AblationOptions, type AblationSummary } from '../cluster-ablation/main.js';
import { main as grokfast, parse as parseGrokfast } from '../grokfast/main.js';

const skipReason = findRedisServer() ? '' : 'queue example tests skipped: redis-server is not installed (apt-get install redis-server)';
if (skipReason) {
  if (process.env.GROKKIT_REQUIRE_REDIS) throw new Error(`GROKKIT_REQUIRE_REDIS is set but ${skipReason}`);
  console.warn(skipReason);
}

/** The summary without what depends on the machine or the folder. */
const comparable = ({ wallSeconds: _w, out: _o, ...s }: AblationSummary) => s;

(skipReason ? describe.skip : describe)('sweeping examples with --queue', () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'queue-example-'));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    redis = await startRedisServer();
    workers.push(...(await Promise.all([0, 1].map(() => startWorkerProcess(redis.url)))));
  });
  afterAll(async () => {
    for (const w of workers) w.process.kill('SIGKILL');
    await redis?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('cluster-ablation: the same summary on the queue as in this process', async () => {
    const tiny = { fs: [0, 1], seeds: [0, 1], steps: 40, evalEvery: 10, size: 48, testPerSubclass: 5, width: 16, sigma: 0.2, progress: false } satisfies AblationOptions;
    const queued = await clusterAblation({ ...tiny, queue: redis.url, out: dir() });
    const local = await clusterAblation({ ...tiny, workers: 0, out: dir() });
    expect(queued.results.map((r) => r.failed)).toEqual([0, 0]);
    expect(comparable(queued)).toEqual(comparable(local));
    expect(workers.map((w) => w.output.match(/: done in /g)?.length ?? 0).reduce((a, b) => a + b)).toBe(4);
  });

  it('grokfast with two seeds: the same runs on the queue as in this process', async () => {
    const args = ['--p', '7', '--steps', '12', '--eval-every', '4', '--dim', '16', '--depth', '1', '--batch', '8', '--seeds', '0,1', '--progress', 'false'];
    const queued = await grokfast(parseGrokfast([...args, '--out', dir(), '--queue', redis.url]));
    const local = await grokfast(parseGrokfast([...args, '--out', dir()]));
    const untimed = (s: typeof local) => ({ ...s, runs: s.runs.map(({ wallSeconds: _w, msPerStep: _m, ...r }) => r) });
    expect(queued.runs.map((r) => `${r.filter} ${r.seed}`)).toEqual(['none 0', 'ema 0', 'ma 0', 'none 1', 'ema 1', 'ma 1']);
    expect(untimed(queued)).toEqual(untimed(local));
  });

  it('says in one line when the queue cannot be reached', async () => {
    const port = await freePort();
    const r = spawnSync('npx', ['tsx', 'cluster-ablation/main.ts', '--f', '0', '--seeds', '1', '--steps', '1', '--out', dir(), '--queue', `redis://:pw@127.0.0.1:${port}`], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^cluster-ablation: queue: cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(.*\\)\\n$`));
  });
});
