import {
  Optimizer, Tensor, loadCheckpoint, noGrad, restoreCheckpoint, rng as makeRng, saveCheckpoint, tensorsIn, tidy,
  type Generator, type GradientTransform, type Module, type Params, type RngState,
} from '@grokkit/core';
import { Progress, type ProgressMode, type ProgressStream } from './progress.js';

/** What `step` and `evaluate` are given. */
export interface TrainContext {
  /** Optimizer updates done so far (in `step`: the index of the update being computed). */
  step: number;
  /** The run's generator, seeded with `seed`; saved in checkpoints and restored on resume. */
  rng: Generator;
  model: Module | undefined;
  params: Params;
  optimizer: Optimizer;
}

/** One evaluation: the step (updates done), the metrics `evaluate` returned, and seconds since the run began. */
export type EvalRecord = { step: number; wallSeconds: number } & Record<string, number>;

export interface TrainHooks {
  /** Before the first update, with the history restored from a checkpoint (empty on a fresh run). */
  onStart?(history: readonly EvalRecord[], ctx: TrainContext): void | Promise<void>;
  /** After every update, with that step's loss (read back from the device every step when this hook is set). */
  onStep?(info: { step: number; loss: number }, ctx: TrainContext): void;
  /** After every evaluation. */
  onEval?(record: EvalRecord, ctx: TrainContext): void;
  /** After every evaluation: return true to stop training (e.g. `sustained('valAcc', 0.99, 3)`). */
  shouldStop?(record: EvalRecord, history: readonly EvalRecord[]): boolean;
  /** Every `checkpointEvery` updates and at the end: the checkpoint's bytes (safetensors), to store or send. */
  onCheckpoint?(bytes: Uint8Array, step: number): void | Promise<void>;
}

export interface TrainOptions {
  /** Switched to eval mode while evaluating; its parameters are the default `params`. */
  model?: Module;
  params?: Params;
  transform: GradientTransform<any>;
  /** Draw a batch and return the scalar loss. Synchronous; the runner does backward, update and zeroGrad. */
  step(ctx: TrainContext): Tensor;
  /** Return metrics, e.g. `{ trainAcc, valAcc }`. Synchronous; runs under noGrad and tidy, with the model in eval mode. */
  evaluate(ctx: TrainContext): Record<string, number>;
  /** Total optimizer updates. */
  steps: number;
  /** Evaluate after every `evalEvery` updates, and after the last one. */
  evalEvery: number;
  /** Also evaluate before the first update, as step 0 (default true). */
  evalAtStart?: boolean;
  /** Read the loss back every `logEvery` updates for the progress line (default 10). */
  logEvery?: number;
  /** Seed of `ctx.rng` (default 0). */
  seed?: number;
  /** More generators whose states go into checkpoints (e.g. the data batcher's); the name "train" is taken by `ctx.rng`. */
  rngs?: Record<string, Generator>;
  /** Any other JSON-safe state to checkpoint (e.g. a data loader's position). */
  state?: { get(): unknown; set(value: unknown): void };
  /** Make a checkpoint every this many updates and at the end, and hand it to `hooks.onCheckpoint`. */
  checkpointEvery?: number;
  /**
   * The bytes of a checkpoint made by `train`, to resume from. A run that `shouldStop` had ended
   * (or whose step budget was spent) is not trained further: its history is returned.
   */
  resumeFrom?: Uint8Array;
  hooks?: TrainHooks;
  /** Progress display (default 'auto': a bar on a TTY, plain lines otherwise). */
  progress?: ProgressMode;
  /** Where progress goes (default process.stderr; none in a page) and seconds between plain lines (default 5). */
  progressStream?: ProgressStream;
  progressInterval?: number;
  label?: string;
}

export interface TrainResult {
  history: EvalRecord[];
  /** The last evaluation. */
  final: EvalRecord | undefined;
  /** Updates done (including those before a resume). */
  steps: number;
  /** Whether `shouldStop` ended the run. */
  stoppedEarly: boolean;
  /** Seconds of training, including the time before a resume. */
  wallSeconds: number;
  /** The step of the last checkpoint handed to `onCheckpoint`, if any. */
  checkpointStep: number | undefined;
}

/** A `shouldStop` hook: stop once the last `count` evaluations all have `key` ≥ `threshold`. */
export function sustained(key: string, threshold: number, count = 1): NonNullable<TrainHooks['shouldStop']> {
  return (_record, history) => history.length >= count && history.slice(-count).every((r) => typeof r[key] === 'number' && r[key]! >= threshold);
}

function positiveInt(name: string, v: number | undefined, optional = false): void {
  if (v === undefined && optional) return;
  if (!Number.isInteger(v) || (v as number) < (name === 'steps' ? 0 : 1)) throw new Error(`train: expected ${name} to be a ${name === 'steps' ? 'non-negative' : 'positive'} integer, got ${v}`);
}

/** Let other tasks run (timers, I/O, a page's rendering) between evaluations. */
const yieldToEventLoop = (): Promise<void> =>
  new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));

/**
 * Train with a gradient transform: run `steps` updates of `step` (backward, update and zeroGrad
 * inside `tidy`, so a step leaks no tensors), evaluate on schedule, show progress, checkpoint,
 * resume bit-exactly, and stop early on request. Touches no files, so it runs in a page too;
 * `train` from `@grokkit/eval/node` adds `outDir` (a JSONL log and checkpoint files).
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  positiveInt('steps', o.steps);
  positiveInt('evalEvery', o.evalEvery);
  positiveInt('logEvery', o.logEvery, true);
  positiveInt('checkpointEvery', o.checkpointEvery, true);
  if (o.checkpointEvery !== undefined && !o.hooks?.onCheckpoint) throw new Error('train: checkpointEvery needs hooks.onCheckpoint (or outDir, with train from @grokkit/eval/node)');
  const params = o.params ?? o.model?.namedParameters();
  if (!params || Object.keys(params).length === 0) throw new Error('train: expected params or a model with parameters, got none');
  const rngs: Record<string, Generator> = { ...(o.rngs ?? {}) };
  if ('train' in rngs) throw new Error(`train: the rng name 'train' is reserved for ctx.rng; rename it`);
  const optimizer = new Optimizer(params, o.transform);
  const ctx: TrainContext = { step: 0, rng: makeRng(o.seed ?? 0), model: o.model, params, optimizer };
  rngs.train = ctx.rng;

  let history: EvalRecord[] = [];
  let start = 0;
  let wallBase = 0;
  let resumedStopped = false;
  try {
    if (o.resumeFrom !== undefined) {
      const loaded = loadCheckpoint(o.resumeFrom);
      const extra = loaded.extra as { step?: unknown; rngs?: Record<string, RngState>; userState?: unknown; history?: EvalRecord[]; wallSeconds?: number; stoppedEarly?: boolean };
      const saved = extra.rngs ?? {};
      try {
        if (typeof extra.step !== 'number') throw new Error('train: the checkpoint has no step (was it written by train()?)');
        const missing = Object.keys(rngs).filter((k) => !Object.hasOwn(saved, k));
        if (missing.length) throw new Error(`train: the checkpoint has no state for rng(s) ${missing.join(', ')} (it has: ${Object.keys(saved).join(', ') || 'none'})`);
        // all or nothing: RNG states are checked on scratch generators and the user state is set
        // before any parameter, optimizer state or generator changes
        for (const k of Object.keys(rngs)) makeRng(0).setState(saved[k]!);
        restoreCheckpoint(loaded, {
          params,
          optimizer,
          alsoRestore: () => {
            if (o.state) o.state.set(extra.userState);
            for (const [k, g] of Object.entries(rngs)) g.setState(saved[k]!);
          },
        });
      } catch (e) {
        for (const t of tensorsIn(loaded)) t.dispose();
        throw e;
      }
      history = extra.history ?? [];
      start = extra.step as number;
      wallBase = extra.wallSeconds ?? 0;
      resumedStopped = extra.stoppedEarly === true;
    }
  } catch (e) {
    optimizer.dispose();
    throw e;
  }

  try {
    await o.hooks?.onStart?.(history, ctx);
  } catch (e) {
    optimizer.dispose();
    throw e;
  }
  const t0 = performance.now();
  const wall = () => wallBase + (performance.now() - t0) / 1000;
  const progress = new Progress({ total: o.steps, label: o.label, mode: o.progress ?? 'auto', stream: o.progressStream, interval: o.progressInterval, initial: start });
  const logEvery = o.logEvery ?? 10;
  // a resumed run's checkpoint is the one it was resumed from; a run that `shouldStop` ended stays ended
  let lastCheckpointStep: number | undefined = o.resumeFrom !== undefined ? start : undefined;
  let stoppedEarly = resumedStopped;
  let step = start;

  const evaluate = (): boolean => {
    ctx.step = step;
    o.model?.eval();
    let metrics: Record<string, number>;
    try {
      metrics = tidy(() => noGrad(() => o.evaluate(ctx)));
    } finally {
      o.model?.train();
    }
    if (!metrics || typeof metrics !== 'object') throw new Error(`train: evaluate should return an object of numbers, got ${String(metrics)}`);
    const record = { step, ...metrics, wallSeconds: wall() } as EvalRecord;
    history.push(record);
    o.hooks?.onEval?.(record, ctx);
    progress.update(step, metrics);
    return o.hooks?.shouldStop?.(record, history) ?? false;
  };

  const checkpoint = async (): Promise<void> => {
    if (!o.hooks?.onCheckpoint || lastCheckpointStep === step) return;
    const rngStates: Record<string, RngState> = {};
    for (const [k, g] of Object.entries(rngs)) rngStates[k] = g.state();
    const bytes = await saveCheckpoint({
      params,
      state: optimizer.state,
      extra: { step, optimizerStep: optimizer.step, rngs: rngStates, userState: o.state?.get() ?? null, history, wallSeconds: wall(), label: o.label ?? null, stoppedEarly },
    });
    await o.hooks.onCheckpoint(bytes, step);
    lastCheckpointStep = step;
  };

  try {
    o.model?.train();
    if (step === 0 && (o.evalAtStart ?? true) && history.length === 0) stoppedEarly = evaluate();
    while (!stoppedEarly && step < o.steps) {
      ctx.step = step;
      const loss = tidy(() => {
        const l = o.step(ctx);
        if (!(l instanceof Tensor) || l.size !== 1) throw new Error(`train: step should return a scalar loss tensor, got ${l instanceof Tensor ? `shape [${l.shape.join(', ')}]` : typeof l}`);
        l.backward();
        optimizer.update();
        optimizer.zeroGrad();
        return l;
      });
      step++;
      const wantLoss = !!o.hooks?.onStep || step % logEvery === 0 || step === o.steps;
      try {
        if (wantLoss) {
          const value = (await loss.data())[0]!;
          o.hooks?.onStep?.({ step, loss: value }, ctx);
          progress.update(step, { loss: value });
        } else progress.update(step);
      } finally {
        loss.dispose();
      }
      if (step % o.evalEvery === 0 || step === o.steps) {
        stoppedEarly = evaluate();
        await yieldToEventLoop();
      }
      if (o.checkpointEvery && step % o.checkpointEvery === 0) await checkpoint();
    }
    if (o.checkpointEvery) await checkpoint();
  } finally {
    progress.finish();
    optimizer.dispose();
  }
  return { history, final: history[history.length - 1], steps: step, stoppedEarly, wallSeconds: wall(), checkpointStep: lastCheckpointStep };
}
