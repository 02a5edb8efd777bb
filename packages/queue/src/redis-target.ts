import type { RedisOptions } from 'ioredis';

/** Where a Redis server is: connection options, and a label for messages that never shows the password. */
export interface RedisTarget {
  /** ioredis options (host, port, username, password, db, tls). */
  options: RedisOptions;
  /** "host:port", for messages. */
  label: string;
  /** The URL without its password, e.g. for a command line to copy. */
  safeUrl: string;
  /** The password, when the URL has one (to keep it out of error messages). */
  secret: string | undefined;
}

/**
 * Parse `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS. Throws a one-line
 * error naming what was expected; the password never appears in an error.
 */
export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`expected a Redis URL like redis://HOST:PORT or rediss://:PASSWORD@HOST:PORT, got '${url.replace(/:[^:@/]*@/, ':***@')}'`);
  }
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  if (password) u.password = '***';
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`expected a redis:// or rediss:// URL, got '${u.href}'`);
  if (!u.hostname) throw new Error(`expected a host in the Redis URL, got '${u.href}'`);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new Error(`expected a database number after the port (redis://HOST:PORT/0), got '/${dbText}'`);
  // an IPv6 hostname comes in brackets
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = { host, port, db };
  if (u.username) options.username = decodeURIComponent(u.username);
  if (password) options.password = password;
  if (u.protocol === 'rediss:') options.tls = { servername: host };
  const safe = new URL(u.href);
  if (password) safe.password = '';
  return { options, label: `${u.hostname}:${port}`, safeUrl: safe.href.replace(/\/$/, ''), secret: password };
}

/** An error's message with the password (if any) replaced by ***. */
export function scrub(text: string, target: RedisTarget): string {
  return target.secret ? text.split(target.secret).join('***') : text;
}
