import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockDir, type DirLock } from './dir-lock.js';
import { makeDir } from './make-dir.js';
import { UsageError } from './usage-error.js';

/** The file in an experiment's folder that records the settings it was started with. */
export const SETTINGS_FILE = 'settings.json';

export interface ClaimOptions {
  /** The settings that decide the results (JSON-safe); a resumed run must have the same. */
  settings: unknown;
  /** Continue the run already in the folder (its settings must match). */
  resume?: boolean;
  /** Start over in a folder that holds a previous run. */
  overwrite?: boolean;
  /** Where a note about a stale lock goes (default stderr). */
  note?(message: string): void;
  /** What to call the folder at the start of an error message, e.g. '--out'. */
  name?: string;
}

export interface OutDirClaim {
  dir: string;
  /** Whether a previous run with the same settings is being continued. */
  resumed: boolean;
  /** Give up the folder's lock. */
  release(): void;
}

/** Leaf paths of a JSON value: 'a.b' → JSON text. */
function leaves(v: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v ?? null));
  return out;
}

/** "steps 2000 → 3000, lr 0.001 → 0.002" for the leaves that differ. */
function differences(before: unknown, now: unknown): string {
  const a = leaves(before);
  const b = leaves(now);
  const keys = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
  const shown = keys.slice(0, 4).map((k) => `${k || 'settings'} ${a.get(k) ?? 'unset'} → ${b.get(k) ?? 'unset'}`);
  return shown.join(', ') + (keys.length > 4 ? `, and ${keys.length - 4} more` : '');
}

/**
 * Claim a folder for an experiment of several runs: create it (see `makeDir`), lock it (see
 * `lockDir`), and check it against the run it may already hold. A folder whose `settings.json`
 * shows a previous run is refused unless `resume` (and then the settings must be the same) or
 * `overwrite` is given; the settings are then written. Errors are UsageErrors, one line each.
 * Release the claim when the experiment ends.
 */
export function claimOutDir(dir: string, o: ClaimOptions): OutDirClaim {
  if (o.resume && o.overwrite) throw new UsageError('expected either --resume or --overwrite, got both');
  let lock: DirLock;
  try {
    makeDir(dir);
    lock = lockDir(dir, o.note);
  } catch (e) {
    throw e instanceof UsageError && o.name ? new UsageError(`${o.name}: ${e.message}`) : e;
  }
  try {
    const path = join(dir, SETTINGS_FILE);
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      if (!o.resume && !o.overwrite) {
        throw new UsageError(`expected a folder without a previous run, got '${dir}', which holds one (${SETTINGS_FILE}); continue it with --resume, replace it with --overwrite, or choose another folder`);
      }
      if (o.resume) {
        let before: unknown;
        try {
          before = (JSON.parse(text) as { settings?: unknown }).settings;
        } catch {
          throw new UsageError(`expected ${path} to hold JSON, got unreadable text; start over with --overwrite`);
        }
        const diff = differences(before, JSON.parse(JSON.stringify(o.settings ?? null))); // as saved: undefined fields dropped
        if (diff) throw new UsageError(`expected --resume with the settings of the run in '${dir}', got different ones: ${diff}`);
      }
    }
    writeFileSync(`${path}.tmp`, JSON.stringify({ settings: o.settings }, null, 1) + '\n');
    renameSync(`${path}.tmp`, path);
    return { dir, resumed: text !== undefined && !!o.resume, release: lock.release };
  } catch (e) {
    lock.release();
    throw e;
  }
}
