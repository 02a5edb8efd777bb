#!/usr/bin/env node
/**
 * grokkit-worker: run sweep jobs from a BullMQ queue in Redis, on any machine with the packages
 * installed. `grokkit-worker --help` lists the options.
 */
import { parseArgs } from 'node:util';
import { startWorker } from '../worker.js';

const USAGE = `usage: grokkit-worker --queue redis://HOST:PORT [options]

Runs the jobs of sweeps started with --queue (one run each, on its own thread), keeps their
checkpoints where every worker reaches them, and resumes a job from its last checkpoint when the
worker that had it died.

  --queue URL          redis://[:PASSWORD@]HOST:PORT[/DB], or rediss://… for TLS (required)
  --concurrency N      jobs run at once, one thread each (default 1)
  --store DIR          keep checkpoints in this folder, shared by every worker (default: in Redis)
  --root DIR           folder the jobs' run module paths are relative to (default: the working directory,
                       which should be the folder the sweep was started from)
  --queue-name NAME    queue to listen on (default grokkit)
  --lock-seconds S     a job's lock lasts this long without renewal; a dead worker's jobs move on
                       within about twice this (default 30)
  --help               this text

Ctrl-C (or SIGTERM) stops taking jobs and finishes the running ones; a second Ctrl-C stops at once
(those jobs resume on another worker from their last checkpoints).`;

function fail(message: string, code: number): never {
  process.stderr.write(`grokkit-worker: ${message}\n`);
  process.exit(code);
}

function parse(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        queue: { type: 'string' },
        concurrency: { type: 'string' },
        store: { type: 'string' },
        root: { type: 'string' },
        'queue-name': { type: 'string' },
        'lock-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail(`${(e as Error).message.split('\n')[0]} (see --help)`, 2);
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  if (!values.queue) fail('expected --queue redis://HOST:PORT, got none (see --help)', 2);
  const num = (name: string, v: string | undefined, int: boolean): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!(x > 0 && Number.isFinite(x) && (!int || Number.isInteger(x)))) fail(`--${name}: expected a positive ${int ? 'integer' : 'number'}, got '${v}'`, 2);
    return x;
  };
  return {
    url: values.queue,
    concurrency: num('concurrency', values.concurrency, true),
    store: values.store,
    root: values.root,
    queueName: values['queue-name'],
    lockSeconds: num('lock-seconds', values['lock-seconds'], false),
  };
}

const o = parse(process.argv.slice(2));
// each line starts with the time (UTC), for logs of long sweeps
const log = (line: string) => process.stdout.write(`grokkit-worker ${new Date().toISOString().slice(11, 19)} ${line}\n`);
let worker;
try {
  worker = await startWorker({ ...o, log });
} catch (e) {
  fail((e as Error).message.split('\n')[0]!, 1);
}
let stopping = false;
const stop = (signal: string) => {
  if (stopping) {
    log(`${signal} again: stopping now; the running jobs resume on another worker from their last checkpoints`);
    process.exit(130);
  }
  stopping = true;
  log(`${signal}: taking no more jobs; finishing the ${worker.running} running (${signal} again stops now)`);
  worker.close().then(
    () => process.exit(0),
    (e: unknown) => fail(String((e as Error)?.message ?? e), 1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
