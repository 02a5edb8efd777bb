import { Redis } from 'ioredis';
import { scrub, type RedisTarget } from './redis-target.js';

/**
 * Connect once, without retrying, and PING: resolves when Redis answers, or rejects with one line
 * naming host and port (never the password) and why, e.g. "cannot reach Redis at 10.0.0.5:6379
 * (connect ECONNREFUSED 10.0.0.5:6379)".
 */
export async function checkRedis(target: RedisTarget, timeoutSeconds = 5): Promise<void> {
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutSeconds * 1000,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined;
  client.on('error', (e: Error) => {
    lastError = e;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    const err = lastError ?? (e as Error);
    const code = (err as { code?: string }).code;
    const why = scrub(String(err?.message ?? err), target).split('\n')[0];
    const auth = /NOAUTH|WRONGPASS|invalid password|invalid username/i.test(why);
    throw new Error(auth
      ? `Redis at ${target.label} refused the connection's credentials (${why}); give the password in the URL: redis://:PASSWORD@${target.label}`
      : `cannot reach Redis at ${target.label} (${code && !why.includes(code) ? `${code}: ` : ''}${why})`);
  } finally {
    client.disconnect();
  }
}

export interface ConnectionNews {
  /** The connection dropped (said once until it is back). */
  lost?(why: string): void;
  /** It is back after a loss. */
  back?(): void;
}

/**
 * A long-lived connection that reconnects forever and holds commands while Redis is away (so
 * nothing fails during an outage; it waits), reporting a loss once and the return once.
 */
export function openRedis(target: RedisTarget, news: ConnectionNews = {}): Redis {
  const client = new Redis({
    ...target.options,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(250 * times, 2000),
  });
  let down = false;
  let announced = false;
  let lastError = '';
  client.on('error', (e: Error) => {
    lastError = scrub(String(e?.message ?? e), target).split('\n')[0]!;
  });
  client.on('close', () => {
    if (down) return;
    down = true;
    // 'close' comes before the 'error' that says why; wait a moment for it (and for a quick return)
    setTimeout(() => {
      if (!down || client.status === 'end') return;
      announced = true;
      news.lost?.(lastError || 'connection closed');
    }, 100).unref();
  });
  client.on('ready', () => {
    down = false;
    lastError = '';
    if (announced) news.back?.();
    announced = false;
  });
  return client;
}
