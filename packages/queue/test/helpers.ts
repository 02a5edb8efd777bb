/** Shared by the tests that need a redis-server: a reason to skip, the fixture, and result comparison. */
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { sweep } from '@grokkit/eval/node';
import { findRedisServer } from '@grokkit/queue/testing';

export const skipReason = findRedisServer() ? '' : 'queue tests with Redis skipped: redis-server is not installed (apt-get install redis-server)';
if (skipReason) {
  // CI installs redis-server and sets this, so a missing server there is a failure, not a skip
  if (process.env.GROKKIT_REQUIRE_REDIS) throw new Error(`GROKKIT_REQUIRE_REDIS is set but ${skipReason}`);
  console.warn(skipReason);
}

/** `describe`, or `describe.skip` when there is no redis-server. */
export const describeRedis = skipReason ? describe.skip : describe;

/** The training fixture (see fixtures/train-run.mjs). */
export const fixture = fileURLToPath(new URL('./fixtures/train-run.mjs', import.meta.url));

/** Runs without their timing, for comparing executors. */
export const strip = (runs: readonly { seconds: number }[]) => runs.map(({ seconds: _s, ...rest }) => rest);

/** The same sweep on this machine's worker threads: what the queue must reproduce. */
export async function onThreads<C>(configs: C[], seeds: number[]) {
  return sweep({ module: fixture, configs, seeds, workers: 2, progress: false });
}

/** A stream that keeps what the sweep's progress and news printed. */
export function captured() {
  return {
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}
