/**
 * @grokkit/queue/testing: real parts for tests of queued sweeps — a private redis-server on a free
 * loopback port, and `grokkit-worker` processes whose output can be awaited.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { checkRedis } from '../connect.js';
import { parseRedisUrl } from '../redis-target.js';

/** The redis-server executable: $REDIS_SERVER, or redis-server on the PATH; undefined when there is none. */
export function findRedisServer(): string | undefined {
  const bin = process.env.REDIS_SERVER || 'redis-server';
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? bin : undefined;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:PORT */
  url: string;
  /** The server's process (e.g. to kill -9 it). */
  process: ChildProcess;
  /** Stop it (SIGTERM) and wait until it has exited. */
  stop(): Promise<void>;
}

/**
 * Start `redis-server --port P --bind 127.0.0.1 --save '' --appendonly no` (plus `args`, which
 * may override those) and wait until it answers PING.
 */
export async function startRedisServer(o: { port?: number; args?: string[] } = {}): Promise<RedisServer> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server), or set REDIS_SERVER to its path');
  const port = o.port ?? (await freePort());
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(o.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `redis://127.0.0.1:${port}`;
  const target = parseRedisUrl(url);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (code ${child.exitCode}):\n${output}`);
    try {
      await checkRedis(target, 1);
      break;
    } catch (e) {
      if (/refused the connection's credentials/.test((e as Error).message)) break; // up, with a password

      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not answer within 10 s (${(e as Error).message}):\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    url,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface WorkerProcess {
  process: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  readonly output: string;
  /** Resolves with the first match of `pattern` in its output (rejects if it exits first, or after `timeoutSeconds`). */
  waitFor(pattern: RegExp, timeoutSeconds?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal) once it has exited. */
  readonly exited: Promise<number | string>;
}

/** The path of the grokkit-worker script in this package. */
export const WORKER_BIN = fileURLToPath(new URL('../bin/grokkit-worker.js', import.meta.url));

/**
 * Spawn `node grokkit-worker --queue URL ...args` in `cwd` and, unless `ready` is false, wait until
 * it listens.
 */
export async function startWorkerProcess(url: string, o: { args?: string[]; cwd?: string; ready?: boolean } = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER_BIN, '--queue', url, ...(o.args ?? [])], { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    output += b.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => {
    for (const l of listeners) l();
    r(code ?? signal ?? 'unknown');
  }));
  const w: WorkerProcess = {
    process: child,
    get output() {
      return output;
    },
    exited,
    waitFor(pattern, timeoutSeconds = 60) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = output.match(pattern);
          if (m) done(() => resolve(m));
          else if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`grokkit-worker exited before printing ${pattern}:\n${output}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`grokkit-worker did not print ${pattern} within ${timeoutSeconds} s:\n${output}`))), timeoutSeconds * 1000);
        const done = (f: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
  };
  if (o.ready !== false) await w.waitFor(/listening on queue/);
  return w;
}
