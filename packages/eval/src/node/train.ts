import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { train as trainInMemory, type TrainOptions as CoreTrainOptions, type TrainResult as CoreTrainResult } from '../train.js';
import { lockDir } from './dir-lock.js';
import { appendJsonl, writeJsonl } from './jsonl-files.js';
import { makeDir } from './make-dir.js';
import { UsageError } from './usage-error.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const LOG_FILE = 'log.jsonl';

export interface TrainOptions extends Omit<CoreTrainOptions, 'resumeFrom'> {
  /**
   * Folder for `log.jsonl` (one line per evaluation) and `checkpoint.safetensors`. It is locked
   * while the run lasts (see `lockDir`), and a folder that holds a previous run's log or
   * checkpoint is refused unless `resume`, `overwrite` or `resumeFrom` is given.
   */
  outDir?: string;
  /** A checkpoint written by `train`: a file path, a folder holding checkpoint.safetensors, or its bytes. */
  resumeFrom?: string | Uint8Array;
  /**
   * With `outDir`: continue the run there from its checkpoint (a run that finished — its step
   * budget spent or stopped by `shouldStop` — is not trained further; its history is returned).
   * Without a checkpoint there the run starts from step 0.
   */
  resume?: boolean;
  /** With `outDir`: replace a previous run's log and checkpoint there. */
  overwrite?: boolean;
  /** Where the note about taking over a stale lock goes (default stderr). */
  note?(message: string): void;
}

export interface TrainResult extends CoreTrainResult {
  /** Path of the last checkpoint written, if any. */
  checkpoint: string | undefined;
}

async function readCheckpointBytes(from: string | Uint8Array): Promise<Uint8Array> {
  if (typeof from !== 'string') return from;
  const s = await stat(from).catch(() => null);
  if (!s) throw new Error(`train: resumeFrom '${from}' does not exist`);
  return readFile(s.isDirectory() ? join(from, CHECKPOINT_FILE) : from);
}

// Checkpoints are written to `checkpoint.safetensors.<pid>-<random>.tmp`, then renamed.
const isCheckpointTemp = (name: string) => name.startsWith(`${CHECKPOINT_FILE}.`) && name.endsWith('.tmp');

/**
 * `train` (see `@grokkit/eval`) with files: every evaluation is appended to `outDir/log.jsonl`
 * (rewritten with the restored history on resume), checkpoints go to
 * `outDir/checkpoint.safetensors` (written to a temporary file of a unique name, then renamed),
 * and `resumeFrom` may be a path. The folder is created safely (`makeDir`) and locked for the
 * run; temporary files left by a killed run are removed. The caller's hooks run after the file
 * is written.
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  if (o.checkpointEvery !== undefined && !o.outDir && !o.hooks?.onCheckpoint) throw new Error('train: checkpointEvery needs outDir');
  const { outDir, resumeFrom, resume, overwrite, note, hooks = {}, ...rest } = o;
  if ((resume || overwrite) && !outDir) throw new Error(`train: ${resume ? 'resume' : 'overwrite'} needs outDir`);
  if (resume && overwrite) throw new Error('train: expected resume or overwrite, got both');
  if (resume && resumeFrom !== undefined) throw new Error('train: expected resume (from outDir) or resumeFrom, got both');
  if (!outDir) {
    const resumeBytes = resumeFrom === undefined ? undefined : await readCheckpointBytes(resumeFrom);
    const r = await trainInMemory({ ...rest, hooks, resumeFrom: resumeBytes });
    return { ...r, checkpoint: undefined };
  }
  try {
    makeDir(outDir);
  } catch (e) {
    throw e instanceof UsageError ? new UsageError(`train: outDir: ${e.message}`) : e;
  }
  const lock = lockDir(outDir, note);
  try {
    for (const name of readdirSync(outDir)) if (isCheckpointTemp(name)) rmSync(join(outDir, name), { force: true });
    const logPath = join(outDir, LOG_FILE);
    const ckptPath = join(outDir, CHECKPOINT_FILE);
    const previous = [LOG_FILE, CHECKPOINT_FILE].filter((f) => existsSync(join(outDir, f)));
    let from = resumeFrom;
    if (previous.length && resumeFrom === undefined) {
      if (resume) from = existsSync(ckptPath) ? ckptPath : undefined;
      else if (overwrite) for (const f of previous) rmSync(join(outDir, f));
      else throw new UsageError(`train: expected an outDir without a previous run, got '${outDir}', which holds ${previous.join(' and ')}; pass resume: true to continue it, overwrite: true to replace it, or another outDir`);
    }
    const resumeBytes = from === undefined ? undefined : await readCheckpointBytes(from);
    let checkpoint: string | undefined;
    const r = await trainInMemory({
      ...rest,
      resumeFrom: resumeBytes,
      hooks: {
        ...hooks,
        onStart: async (history, ctx) => {
          writeJsonl(logPath, history);
          await hooks.onStart?.(history, ctx);
        },
        onEval: (record, ctx) => {
          appendJsonl(logPath, record);
          hooks.onEval?.(record, ctx);
        },
        onCheckpoint: async (bytes, step) => {
          const tmp = `${ckptPath}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
          await writeFile(tmp, bytes);
          await rename(tmp, ckptPath);
          checkpoint = ckptPath;
          await hooks.onCheckpoint?.(bytes, step);
        },
      },
    });
    return { ...r, checkpoint: checkpoint ?? (from !== undefined && existsSync(ckptPath) ? ckptPath : undefined) };
  } finally {
    lock.release();
  }
}
