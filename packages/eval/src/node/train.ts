import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { train as trainInMemory, type TrainOptions as CoreTrainOptions, type TrainResult as CoreTrainResult } from '../train.js';
import { appendJsonl, writeJsonl } from './jsonl-files.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const LOG_FILE = 'log.jsonl';

export interface TrainOptions extends Omit<CoreTrainOptions, 'resumeFrom'> {
  /** Folder for `log.jsonl` (one line per evaluation) and `checkpoint.safetensors`. */
  outDir?: string;
  /** A checkpoint written by `train`: a file path, a folder holding checkpoint.safetensors, or its bytes. */
  resumeFrom?: string | Uint8Array;
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

/**
 * `train` (see `@grokkit/eval`) with files: every evaluation is appended to `outDir/log.jsonl`
 * (rewritten with the restored history on resume), checkpoints go to
 * `outDir/checkpoint.safetensors` (written to a temporary file, then renamed), and `resumeFrom`
 * may be a path. The caller's hooks run after the file is written.
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  if (o.checkpointEvery !== undefined && !o.outDir && !o.hooks?.onCheckpoint) throw new Error('train: checkpointEvery needs outDir');
  const { outDir, resumeFrom, hooks = {}, ...rest } = o;
  const resumeBytes = resumeFrom === undefined ? undefined : await readCheckpointBytes(resumeFrom);
  if (!outDir) {
    const r = await trainInMemory({ ...rest, hooks, resumeFrom: resumeBytes });
    return { ...r, checkpoint: undefined };
  }
  const logPath = join(outDir, LOG_FILE);
  const ckptPath = join(outDir, CHECKPOINT_FILE);
  let checkpoint: string | undefined;
  const r = await trainInMemory({
    ...rest,
    resumeFrom: resumeBytes,
    hooks: {
      ...hooks,
      onStart: async (history, ctx) => {
        await mkdir(outDir, { recursive: true });
        writeJsonl(logPath, history);
        await hooks.onStart?.(history, ctx);
      },
      onEval: (record, ctx) => {
        appendJsonl(logPath, record);
        hooks.onEval?.(record, ctx);
      },
      onCheckpoint: async (bytes, step) => {
        const tmp = `${ckptPath}.tmp`;
        await writeFile(tmp, bytes);
        await rename(tmp, ckptPath);
        checkpoint = ckptPath;
        await hooks.onCheckpoint?.(bytes, step);
      },
    },
  });
  return { ...r, checkpoint };
}
