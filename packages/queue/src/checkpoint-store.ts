import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

/** Where runs' checkpoints are kept, reachable from every worker: one entry per job. */
export interface CheckpointStore {
  /** The job's last checkpoint, or undefined when it has none. */
  get(jobId: string): Promise<Uint8Array | undefined>;
  /** Replace the job's checkpoint (all or nothing: a reader sees the old bytes or the new). */
  set(jobId: string, bytes: Uint8Array): Promise<void>;
  delete(jobId: string): Promise<void>;
  /** Where the checkpoints are, for messages. */
  readonly where: string;
}

/** Checkpoints left behind (a job whose client never came back) expire after this long. */
export const CHECKPOINT_TTL_SECONDS = 7 * 24 * 3600;

/** Checkpoints as Redis strings `grokkit:checkpoint:<queue>:<job id>`, expiring a week after their last write. */
export function redisCheckpointStore(redis: Redis, queueName: string, label: string): CheckpointStore {
  const key = (id: string) => `grokkit:checkpoint:${queueName}:${id}`;
  return {
    where: `Redis at ${label}`,
    async get(id) {
      const b = await redis.getBuffer(key(id));
      return b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : undefined;
    },
    async set(id, bytes) {
      await redis.set(key(id), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', CHECKPOINT_TTL_SECONDS);
    },
    async delete(id) {
      await redis.del(key(id));
    },
  };
}

/**
 * Checkpoints as files `<dir>/<job id>.safetensors` in a folder every worker mounts (NFS, a shared
 * disk): written to a temporary file, then renamed over the old one.
 */
export function dirCheckpointStore(dir: string): CheckpointStore {
  const file = (id: string) => join(dir, `${id}.safetensors`);
  let made = false;
  return {
    where: dir,
    async get(id) {
      try {
        return new Uint8Array(await readFile(file(id)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async set(id, bytes) {
      if (!made) {
        await mkdir(dir, { recursive: true });
        made = true;
      }
      const tmp = `${file(id)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, file(id));
    },
    async delete(id) {
      await rm(file(id), { force: true });
    },
  };
}
