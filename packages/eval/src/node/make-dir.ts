import { accessSync, constants, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './usage-error.js';

const statOrUndefined = (path: string): Stats | undefined => {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UsageError(`expected a folder to write into, got '${path}' (stat: ${code})`);
  }
};

/**
 * The folders to create, outermost first, for `dir` to exist; throws a UsageError when `dir` is a
 * file or its nearest existing parent is a file or not writable.
 */
function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    const s = statOrUndefined(d);
    if (s) {
      if (!s.isDirectory()) {
        throw new UsageError(d === resolve(dir) ? `expected a folder, got '${dir}', which is a file` : `expected a folder path, got '${dir}', but '${d}' is a file`);
      }
      try {
        accessSync(d, constants.W_OK);
      } catch {
        throw new UsageError(`expected a folder to write into, got '${dir}', but '${d}' is not writable`);
      }
      return missing;
    }
    missing.unshift(d);
    if (dirname(d) === d) return missing;
  }
}

/**
 * Why `dir` cannot be made into a folder to write into, as far as can be told without creating
 * anything (a file in the way, a parent that is not writable); undefined when it looks fine.
 */
export function folderProblem(dir: string): string | undefined {
  try {
    missingFolders(dir);
    return undefined;
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
}

/**
 * Create `dir` (and any missing parents) one level at a time. Unlike `mkdir(dir, { recursive: true })`,
 * which loops forever on Node 20 for paths such as /proc/x, this fails at once, with a UsageError
 * naming the folder that could not be created and why.
 */
export function makeDir(dir: string): void {
  for (const d of missingFolders(dir)) {
    try {
      mkdirSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statOrUndefined(d)?.isDirectory()) continue; // made meanwhile by someone else
      throw new UsageError(`expected a folder that can be created, got '${dir}' (mkdir '${d}': ${code})`);
    }
  }
}
