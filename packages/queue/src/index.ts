/**
 * @grokkit/queue: sweeps beyond one machine. `queueExecutor` makes `sweep()` from
 * `@grokkit/eval/node` put its runs on a BullMQ queue in Redis; `grokkit-worker` processes on any
 * machine run them, keep checkpoints in Redis (or a shared folder), and resume a run from its last
 * checkpoint when its worker dies.
 */
export { queueExecutor, type QueueExecutorOptions } from './queue-executor.js';
export { startWorker, resolveRunModule, type WorkerOptions, type RunningWorker } from './worker.js';
export { checkRedis } from './connect.js';
export { parseRedisUrl, type RedisTarget } from './redis-target.js';
export { redisCheckpointStore, dirCheckpointStore, CHECKPOINT_TTL_SECONDS, type CheckpointStore } from './checkpoint-store.js';
export { encode, decode } from './codec.js';
export { DEFAULT_QUEUE, type RunJobData, type RunJobResult, type RunJobProgress } from './job.js';
