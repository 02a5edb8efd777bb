import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseJsonl, toJsonl } from '../jsonl.js';
import { makeDir } from './make-dir.js';

/** Append one object as a JSON line (creating the folder and file as needed). */
export function appendJsonl(path: string, row: unknown): void {
  makeDir(dirname(path));
  appendFileSync(path, JSON.stringify(row) + '\n');
}

/** Replace the file with these rows, one JSON line each. */
export function writeJsonl(path: string, rows: readonly unknown[]): void {
  makeDir(dirname(path));
  writeFileSync(path, toJsonl(rows));
}

/** Read a JSON Lines file (blank lines skipped; a bad line throws naming its line number). */
export function readJsonl<T = Record<string, unknown>>(path: string): T[] {
  return parseJsonl<T>(readFileSync(path, 'utf8'));
}
