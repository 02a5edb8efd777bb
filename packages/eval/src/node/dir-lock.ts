import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './usage-error.js';

/** The lock file in a folder that a run owns. */
export const LOCK_FILE = '.grokkit.lock';

/** Who holds a lock: written as JSON into the lock file. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** A held lock; `release` removes the lock file if it is still this one. */
export interface DirLock {
  readonly path: string;
  release(): void;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const owner = (text: string): Partial<LockOwner> => {
  try {
    return JSON.parse(text) as Partial<LockOwner>;
  } catch {
    return {};
  }
};

/** Whether a process with this id runs on this machine. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take the lock of folder `dir` (which must exist): a file `.grokkit.lock` holding this process's
 * id and host, created atomically (written aside, then hard-linked into place, so it is never seen
 * half-written). A lock held by a running process, or by a process on another host, is refused
 * with a UsageError; a lock whose process is gone (killed, crashed) is taken over, and `note` is
 * told so.
 */
export function lockDir(dir: string, note: (message: string) => void = (m) => process.stderr.write(`${m}\n`)): DirLock {
  const path = join(dir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies LockOwner);
  const unique = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(`${unique}.tmp`, mine);
      try {
        linkSync(`${unique}.tmp`, path);
        return {
          path,
          release: () => {
            if (read(path) === mine) unlinkSync(path);
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      } finally {
        unlinkSync(`${unique}.tmp`);
      }
    } catch (e) {
      throw new UsageError(`expected to be able to write a lock file in '${dir}', got ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const text = read(path);
    if (text === undefined) continue; // released meanwhile: try again
    const o = owner(text);
    const who = `pid ${o.pid ?? '?'}${o.host && o.host !== hostname() ? ` on ${o.host}` : ''}${o.since ? ` since ${o.since}` : ''}`;
    if (o.host !== undefined && o.host !== hostname()) {
      throw new UsageError(`expected '${dir}' to be free, but it is locked by ${who}; if that run is over, delete ${path}`);
    }
    if (typeof o.pid === 'number' && running(o.pid)) {
      throw new UsageError(`expected '${dir}' to be free, but a run of ${o.pid === process.pid ? 'this process' : `pid ${o.pid}`} is using it (since ${o.since}); wait for it to finish or use another folder`);
    }
    // The owner is gone: set its lock aside, and make sure what was set aside is that lock (not
    // one another process took meanwhile; that one goes back).
    const aside = `${unique}.stale`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    if (read(aside) !== text) {
      try {
        linkSync(aside, path);
      } catch {
        // a third process holds it now; it will be seen on the next attempt
      }
      unlinkSync(aside);
      continue;
    }
    unlinkSync(aside);
    note(`note: took over the lock of '${dir}' from ${who}, which is no longer running`);
  }
  throw new UsageError(`expected to lock '${dir}', but other processes kept taking it`);
}
