/**
 * @grokkit/eval/node: the parts of @grokkit/eval that need Node — `train` with a log file and
 * checkpoints on disk, `sweep` over configs × seeds on worker threads, `writeReport` into a folder,
 * JSONL files, and the machine a run happened on.
 */
export { train, CHECKPOINT_FILE, LOG_FILE, type TrainOptions, type TrainResult } from './train.js';
export { sweep, loadInProcess as loadRunFunction, type SweepOptions } from './sweep.js';
export type { SweepExecutor, SweepWork, SweepJob, SweepOutcome } from './sweep-executor.js';
export { writeReport, type WrittenReport } from './write-report.js';
export { appendJsonl, writeJsonl, readJsonl } from './jsonl-files.js';
export { environment, commandLine, grokkitVersions } from './environment.js';
