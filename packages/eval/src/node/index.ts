/**
 * @grokkit/eval/node: the parts of @grokkit/eval that need Node — `train` with a log file and
 * checkpoints on disk (locked, refusing to overwrite a previous run unless told), `sweep` over
 * configs × seeds on worker threads (with a per-run time limit), `writeReport` into a folder,
 * `defineCli` for experiment command lines, JSONL files, and the machine a run happened on.
 */
export { train, CHECKPOINT_FILE, LOG_FILE, type TrainOptions, type TrainResult } from './train.js';
export { sweep, loadInProcess as loadRunFunction, type SweepOptions } from './sweep.js';
export type { SweepExecutor, SweepWork, SweepJob, SweepOutcome } from './sweep-executor.js';
export { writeReport, type WrittenReport } from './write-report.js';
export { appendJsonl, writeJsonl, readJsonl } from './jsonl-files.js';
export { environment, commandLine, grokkitVersions } from './environment.js';
export {
  defineCli, flagOf,
  type Cli, type CliSpec, type CliOption, type CliValues, type NumberOption, type StringOption, type EnumOption, type BoolOption, type DirOption,
} from './cli.js';
export { UsageError } from './usage-error.js';
export { makeDir, folderProblem } from './make-dir.js';
export { lockDir, LOCK_FILE, type DirLock, type LockOwner } from './dir-lock.js';
export { claimOutDir, SETTINGS_FILE, type OutDirClaim, type ClaimOptions } from './out-dir.js';
