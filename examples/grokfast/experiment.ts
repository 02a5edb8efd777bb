/**
 * One arm of the Grokfast experiment: a causal transformer learns x∘y mod p with Adam, with or
 * without a Grokfast gradient filter, and is evaluated on the held-out half of the equations.
 * Defaults are the paper's (REFERENCES §1): width 128, 2 layers, 4 heads, batch 512, Adam
 * lr 1e-3 with betas (0.9, 0.98) and a 10-step linear warmup. `run(config, seed, context)` is the
 * arm as a sweep run (what grokkit-worker imports with --queue).
 */
import { join } from 'node:path';
import * as g from '@grokkit/core';
import { Batcher, modularArithmetic, type ModularOp } from '@grokkit/datasets';
import { accuracy, meanOverChunks, stepsToThreshold, curve, type EvalRecord, type ProgressMode, type RunContext } from '@grokkit/eval';
import { train } from '@grokkit/eval/node';
import { grokfastEma, grokfastMa } from '@grokkit/filters';
import { Decoder, grokfastConfig } from '@grokkit/transformer';

export type FilterKind = 'none' | 'ema' | 'ma';
export const FILTERS: readonly FilterKind[] = ['none', 'ema', 'ma'];

/** Held-out rows per forward pass when evaluating (bounds the evaluation's memory; any size gives the same accuracy). */
const EVAL_ROWS = 1024;

export interface ArmOptions {
  filter: FilterKind;
  p: number;
  op: ModularOp;
  /** Smallest y (default: the operation's own, 0 for + and −, 1 for · and ÷). */
  yMin?: 0 | 1;
  seed: number;
  /** Most optimizer steps. */
  steps: number;
  /** Stop once validation accuracy reaches this (1 or more: never stop early). */
  until: number;
  batchSize: number;
  evalEvery: number;
  lr: number;
  /** Adam's L2 weight decay; default per filter as in the paper (none 0, EMA 0.005, MA 0.01). */
  weightDecay?: number;
  alpha: number;
  lamb?: number;
  windowSize: number;
  /** Model width and depth (paper: 128, 2). */
  dim: number;
  depth: number;
  /** Folder for the arm's log and checkpoints (none: nothing is written). */
  outDir?: string;
  /** Checkpoint every this many steps (with outDir). */
  checkpointEvery?: number;
  /** Continue the arm in outDir from its checkpoint (a finished arm is not trained again). */
  resume?: boolean;
  /** Replace a previous arm's log and checkpoint in outDir. */
  overwrite?: boolean;
  progress: ProgressMode;
  /** Progress label (default: the filter and seed). */
  label?: string;
}

/**
 * What another experiment may change in an arm while keeping its model, data, batch order,
 * schedule and evaluation (GrokBench's methods are these).
 */
export interface ArmHooks {
  /** The update rule (default `transformFor(o)`). */
  transform?: g.GradientTransform<any>;
  /** Training and validation loss on the answer logits (default cross-entropy). */
  loss?: (logits: g.Tensor, targets: g.Tensor) => g.Tensor;
  /** A term added to a step's loss, or null for none at this step. */
  penalty?: (params: g.Params) => g.Tensor | null;
  /** After each evaluation, with its metrics (under noGrad); returns more metrics to record with them. */
  afterEval?: (metrics: { trainAcc: number; valAcc: number; valLoss: number }, step: number, params: g.Params) => Record<string, number> | void;
  /** JSON state to checkpoint with the run (e.g. whether a penalty is on). */
  state?: { get(): unknown; set(value: unknown): void };
}

export const DEFAULTS: Omit<ArmOptions, 'filter' | 'seed'> = {
  p: 97,
  op: 'mul',
  steps: 2000,
  until: 0.95,
  batchSize: 512,
  evalEvery: 10,
  lr: 1e-3,
  alpha: 0.98,
  windowSize: 100,
  dim: 128,
  depth: 2,
  progress: 'auto',
};

/** The per-arm defaults of the paper's runs: weight decay and λ. */
export const PAPER = {
  none: { weightDecay: 0, lamb: 0 },
  ema: { weightDecay: 0.005, lamb: 2 },
  ma: { weightDecay: 0.01, lamb: 5 },
} as const;

export interface ArmResult {
  filter: FilterKind;
  seed: number;
  /** First evaluated step with validation accuracy ≥ 95% (null if never). */
  stepsTo95: number | null;
  finalValAcc: number;
  finalTrainAcc: number;
  steps: number;
  wallSeconds: number;
  msPerStep: number;
  history: EvalRecord[];
}

/** The hyperparameters that differ between arms, as one arm uses them (for the report's setup table). */
export function armSettings(o: Pick<ArmOptions, 'filter' | 'alpha' | 'windowSize' | 'weightDecay' | 'lamb'>): Record<string, number | string> {
  const paper = PAPER[o.filter];
  const out: Record<string, number | string> = { 'weight decay': o.weightDecay ?? paper.weightDecay };
  if (o.filter !== 'none') out['λ'] = o.lamb ?? paper.lamb;
  if (o.filter === 'ema') out['α'] = o.alpha;
  if (o.filter === 'ma') Object.assign(out, { window: o.windowSize, 'MA warmup': 'yes' });
  return out;
}

/** The update rule of one arm: the filter (if any) then Adam with its warmup. */
export function transformFor(o: Pick<ArmOptions, 'filter' | 'lr' | 'alpha' | 'windowSize' | 'weightDecay' | 'lamb'>): g.GradientTransform<any> {
  const paper = PAPER[o.filter];
  const lamb = o.lamb ?? paper.lamb;
  // LambdaLR(lambda t: 1 if t > 10 else t / 10), as the reference code
  const lr = (t: number) => o.lr * Math.min(1, t / 10);
  const adam = g.adam({ lr, betas: [0.9, 0.98], weightDecay: o.weightDecay ?? paper.weightDecay });
  if (o.filter === 'ema') return g.chain(grokfastEma({ alpha: o.alpha, lamb }), adam);
  if (o.filter === 'ma') return g.chain(grokfastMa({ windowSize: o.windowSize, lamb, filterType: 'mean', warmup: true }), adam);
  return adam;
}

/** An arm as a sweep config: everything but the seed; its log and checkpoint go to `outRoot/<filter>-seed<seed>` (none: no files). */
export type ArmConfig = Omit<ArmOptions, 'seed' | 'outDir'> & { outRoot?: string };

/** One arm as a sweep run: on the queue, `context` holds the checkpoint to resume from and where to send new ones. */
export function run(config: ArmConfig, seed: number, context: RunContext = {}): Promise<ArmResult> {
  const { outRoot, ...arm } = config;
  return runArm({ ...arm, seed, outDir: outRoot === undefined ? undefined : join(outRoot, `${arm.filter}-seed${seed}`) }, {}, context);
}

/**
 * Validation accuracy and mean loss of `model` on a held-out split, in chunks of `EVAL_ROWS` rows so
 * that one chunk's activations are alive at a time (the same accuracy as one batch). Call it under
 * noGrad.
 */
export function evaluateHeldOut(
  model: Decoder,
  split: { inputs: g.Tensor; targets: g.Tensor },
  loss: (logits: g.Tensor, targets: g.Tensor) => g.Tensor = g.crossEntropy,
): { valAcc: number; valLoss: number } {
  return meanOverChunks(split.targets.size, EVAL_ROWS, (a, b) => {
    const logits = model.forward(split.inputs.slice(0, a, b), { lastOnly: true });
    const targets = split.targets.slice(0, a, b);
    return { valAcc: accuracy(logits, targets), valLoss: loss(logits, targets).item() };
  });
}

/**
 * What a seed draws for an arm: the split, the initial model and the batch order. One seed, three
 * unrelated streams (split, init, batch order): see rng()'s note on streams.
 */
export function armDraws(o: Pick<ArmOptions, 'p' | 'op' | 'yMin' | 'seed' | 'dim' | 'depth' | 'batchSize'>) {
  const data = modularArithmetic({ p: o.p, op: o.op, yMin: o.yMin, trainFraction: 0.5, seed: o.seed });
  const model = new Decoder(grokfastConfig(o.p, { dim: o.dim, depth: o.depth, rng: g.rng(o.seed, 'init') }));
  const batches = new Batcher(data.train, { batchSize: o.batchSize, seed: o.seed });
  return { data, model, batches };
}

/**
 * Train one arm and return its curve and summary. `hooks` change the update rule, loss or
 * evaluation (GrokBench's methods). Its checkpoints go to `outDir`, or (without one) to
 * `context.onCheckpoint`, and it resumes from `context.resumeFrom` when given (on the queue).
 */
export async function runArm(o: ArmOptions, hooks: ArmHooks = {}, context: RunContext = {}): Promise<ArmResult> {
  const { data, model, batches } = armDraws(o);
  // training accuracy and loss are measured on the minibatches seen since the last evaluation
  // (about one epoch); the sums are checkpointed with the batcher, so a resumed arm counts the same
  let seen = 0;
  let correct = 0;
  let lossSum = 0;
  let lossSteps = 0;
  const loss = hooks.loss ?? g.crossEntropy;
  type Saved = { batches: ReturnType<Batcher['state']>; seen: number; correct: number; lossSum: number; lossSteps: number; hooks?: unknown };
  const result = await train({
    model,
    transform: hooks.transform ?? transformFor(o),
    steps: o.steps,
    evalEvery: o.evalEvery,
    seed: o.seed,
    outDir: o.outDir,
    checkpointEvery: o.outDir ? o.checkpointEvery : context.checkpointEvery,
    resumeFrom: context.resumeFrom,
    resume: o.resume,
    overwrite: o.overwrite,
    progress: o.progress,
    label: o.label ?? `${o.filter} seed ${o.seed}`,
    state: {
      get: (): Saved => ({ batches: batches.state(), seen, correct, lossSum, lossSteps, ...(hooks.state ? { hooks: hooks.state.get() } : {}) }),
      set: (s) => {
        const v = s as Saved;
        batches.setState(v.batches);
        ({ seen, correct, lossSum, lossSteps } = v);
        hooks.state?.set(v.hooks);
      },
    },
    step: ({ params }) => {
      const { inputs, targets } = batches.next();
      const logits = model.forward(inputs, { lastOnly: true });
      seen += targets.size;
      correct += g.noGrad(() => logits.argmax(-1).eq(targets).sum().item());
      const l = loss(logits, targets);
      const extra = hooks.penalty?.(params) ?? null;
      return extra ? l.add(extra) : l;
    },
    evaluate: ({ step, params }) => {
      const { valAcc, valLoss } = evaluateHeldOut(model, data.val, loss);
      const trainAcc = seen > 0 ? correct / seen : 0;
      // no training loss before the first step (a key left out, which a JSON round trip keeps as it is)
      const trainLoss: Record<string, number> = lossSteps > 0 ? { trainLoss: lossSum / lossSteps } : {};
      seen = correct = lossSum = lossSteps = 0;
      const metrics = { trainAcc, valAcc, valLoss };
      return { trainAcc, valAcc, ...trainLoss, valLoss, ...(hooks.afterEval?.(metrics, step, params) ?? {}) };
    },
    hooks: {
      onStep: ({ loss }) => {
        lossSum += loss;
        lossSteps++;
      },
      shouldStop: (r) => r.valAcc! >= o.until,
      onCheckpoint: context.onCheckpoint,
    },
  });
  const last = result.final!;
  return {
    filter: o.filter,
    seed: o.seed,
    stepsTo95: stepsToThreshold(curve(result.history, 'valAcc'), 0.95),
    finalValAcc: last.valAcc!,
    finalTrainAcc: last.trainAcc!,
    steps: result.steps,
    wallSeconds: result.wallSeconds,
    msPerStep: (1000 * result.wallSeconds) / Math.max(1, result.steps),
    history: result.history,
  };
}
