/**
 * One run of the implicit-reasoning experiment (Wang et al. 2024): a causal decoder learns the
 * atomic facts and a fraction φ of the inferred facts of a composition or comparison knowledge
 * base, and is followed on held-out inferred facts, in distribution (ID: both atomic facts are
 * ones it saw composed elsewhere) and out of distribution (OOD: both atomic facts were trained on
 * only as atomic facts). Optionally Grokfast-EMA filters the gradients. `sweep()` workers import
 * this module and call `run(config, seed)`.
 */
import { join } from 'node:path';
import { adamw, chain, clipByGlobalNorm, crossEntropy, indexSelect, linearWarmup, rng, tensor, type GradientTransform, type Tensor } from '@grokkit/core';
import { Batcher, comparison, composition, type Split } from '@grokkit/datasets';
import { accuracy, curve, stepsToThreshold } from '@grokkit/eval';
import { train } from '@grokkit/eval/node';
import { grokfastEma } from '@grokkit/filters';
import { Decoder } from '@grokkit/transformer';

export const TASKS = ['composition', 'comparison'] as const;
export type TaskName = (typeof TASKS)[number];
export const FILTERS = ['none', 'ema'] as const;
export type FilterKind = (typeof FILTERS)[number];

export interface ReasoningConfig {
  task: TaskName;
  /** 'ema': Grokfast-EMA (α, λ) between the clipping and AdamW. */
  filter: FilterKind;
  /** Inferred facts in train per ID atomic fact. */
  phi: number;
  /** |E|. */
  entities: number;
  /** Composition: |R| and atomic facts (distinct relations) per entity. */
  relations: number;
  degree: number;
  /** Comparison: ordinal attributes and values per attribute. */
  attributes: number;
  values: number;
  /**
   * Fraction of atomic facts that are OOD (Wang et al.: 5% of the atomic facts for composition,
   * 10% of the entities of each attribute for comparison; 10% for both here, so that the OOD test
   * sets of a 100-entity knowledge base hold hundreds of facts rather than tens).
   */
  oodFraction: number;
  /** Cap on each held-out set (ID, OOD). */
  testSize: number;
  /** Decoder width, blocks and heads. */
  dim: number;
  depth: number;
  heads: number;
  steps: number;
  batch: number;
  lr: number;
  weightDecay: number;
  /** Linear learning-rate warmup (updates). */
  warmup: number;
  /** Gradient clipping by global norm. */
  clip: number;
  /** Grokfast-EMA: μ ← αμ + (1−α)g, g + λμ. */
  alpha: number;
  lamb: number;
  evalEvery: number;
  /** Training rows (inferred facts) whose accuracy is followed. */
  evalSize: number;
  /** Stop at the first evaluation with ID accuracy ≥ this (> 1: never). */
  until: number;
  /**
   * Where runs keep their log and checkpoints: `dir/<runName>` (none: nothing is written).
   * `resume` continues a run from its checkpoint there; `overwrite` replaces a previous run.
   */
  files?: { dir: string; checkpointEvery: number; resume?: boolean; overwrite?: boolean };
}

/** The folder name of one run: task, φ, filter and seed. */
export function runName(c: Pick<ReasoningConfig, 'task' | 'phi' | 'filter'>, seed: number): string {
  return `${c.task}-phi${c.phi}-${c.filter}-seed${seed}`;
}

/** One evaluation: accuracy on inferred training facts, held-out ID and OOD facts. */
export interface RunPoint {
  step: number;
  /** Loss of the last step before the evaluation; null at step 0. */
  loss: number | null;
  train: number;
  id: number;
  ood: number;
}

export interface RunResult {
  task: TaskName;
  filter: FilterKind;
  phi: number;
  seed: number;
  params: number;
  trainRows: number;
  steps: number;
  /** Final accuracies (the last evaluation). */
  train: number;
  id: number;
  ood: number;
  /**
   * First evaluated step with train accuracy ≥ 0.95 (memorised: with weight decay the last few
   * percent of the training facts may stay unfitted), and with ID ≥ 0.9 (grokked); null if never.
   */
  stepsToTrain95: number | null;
  stepsToId90: number | null;
  /** stepsToId90 / stepsToTrain95: how many times longer generalising takes than memorising. */
  delayRatio: number | null;
  seconds: number;
  msPerStep: number;
  history: RunPoint[];
}

/** Settings shared by both tasks; TASK_DEFAULTS adds what differs. */
export const DEFAULTS: Omit<ReasoningConfig, 'task' | 'filter' | 'steps' | 'weightDecay'> = {
  phi: 9,
  entities: 100,
  relations: 20,
  degree: 12,
  attributes: 5,
  values: 20,
  oodFraction: 0.1,
  testSize: 1000,
  dim: 64,
  depth: 4,
  heads: 4,
  batch: 512,
  lr: 5e-3,
  warmup: 50,
  clip: 1,
  alpha: 0.98,
  lamb: 2,
  evalEvery: 100,
  evalSize: 1000,
  until: 2,
};

/**
 * What differs per task: comparison groks sooner than composition, and generalises OOD only with a
 * larger weight decay (0.3: OOD 0.55, 1: 0.77, 2: 0.84 on seed 10; docs/reproductions.md).
 */
export const TASK_DEFAULTS: Record<TaskName, Pick<ReasoningConfig, 'steps' | 'weightDecay'>> = {
  composition: { steps: 3000, weightDecay: 0.3 },
  comparison: { steps: 600, weightDecay: 2 },
};

/** The full config of a task: DEFAULTS, then TASK_DEFAULTS, then `over` (undefined fields are ignored). */
export function configFor(task: TaskName, filter: FilterKind, over: Partial<ReasoningConfig> = {}): ReasoningConfig {
  const given = Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined));
  return { ...DEFAULTS, ...TASK_DEFAULTS[task], ...given, task, filter };
}

/**
 * The dataset of a config; `seed` draws the knowledge base, its ID/OOD split and the inferred facts in
 * train. `trainAtomicRows`: how many rows train starts with that are atomic facts.
 */
export function makeData(c: ReasoningConfig, seed: number) {
  const common = { entities: c.entities, oodFraction: c.oodFraction, phi: c.phi, seed, testSize: c.testSize };
  if (c.task === 'composition') {
    const d = composition({ ...common, relations: c.relations, degree: c.degree });
    return { ...d, trainAtomicRows: d.description.nAtomic };
  }
  const d = comparison({ ...common, attributes: c.attributes, values: c.values });
  return { ...d, trainAtomicRows: d.description.nTrainAtomic };
}

/** The update rule: clipping, then (for 'ema') Grokfast-EMA, then AdamW with a linear warmup. */
export function transformFor(c: Pick<ReasoningConfig, 'filter' | 'clip' | 'alpha' | 'lamb' | 'lr' | 'warmup' | 'weightDecay'>): GradientTransform<any> {
  const opt = adamw({ lr: linearWarmup(c.lr, c.warmup), betas: [0.9, 0.98], weightDecay: c.weightDecay });
  return c.filter === 'ema' ? chain(clipByGlobalNorm(c.clip), grokfastEma({ alpha: c.alpha, lamb: c.lamb }), opt) : chain(clipByGlobalNorm(c.clip), opt);
}

/** Rows `idx` of a split, as a split of their own. */
function rows(s: Split, idx: Int32Array): Split {
  const w = s.inputs.shape[1]!;
  const inp = s.inputs.dataSync(), tgt = s.targets.dataSync();
  const x = new Int32Array(idx.length * w), y = new Int32Array(idx.length);
  idx.forEach((r, i) => {
    x.set(inp.subarray(r * w, (r + 1) * w), i * w);
    y[i] = tgt[r]!;
  });
  return { inputs: tensor(x, { dtype: 'int32', shape: [idx.length, w] }), targets: tensor(y, { dtype: 'int32', shape: [idx.length] }) };
}

export async function run(config: ReasoningConfig, seed: number): Promise<RunResult> {
  const c = configFor(config.task, config.filter, config);
  const t0 = performance.now();
  const data = makeData(c, seed);
  // train accuracy is followed on a fixed sample of the inferred facts in train (the atomic facts come first)
  const nInferred = data.train.inputs.shape[0]! - data.trainAtomicRows;
  const pick = rng(seed, 'train-sample').permutation(nInferred).slice(0, Math.min(c.evalSize, nInferred)).map((i) => i + data.trainAtomicRows);
  const trainSample = rows(data.train, pick);
  const model = new Decoder({ vocabSize: data.vocabSize, maxLen: data.seqLen, dim: c.dim, depth: c.depth, heads: c.heads, rng: rng(seed, 'init') });
  // each row's answer comes after its last token that is not PAD: after r for an atomic fact
  // [h, r, PAD], after r2 for an inferred one [h, r1, r2] (Wang et al.'s "h r t" and "h r1 r2 t")
  const x = data.train.inputs.dataSync();
  const answerPos = new Uint8Array(x.length / 3).map((_, i) => (x[i * 3 + 2] === data.vocab.pad ? 1 : 2));
  const batches = new Batcher(data.train, { batchSize: c.batch, seed, dropLast: data.train.inputs.shape[0]! > c.batch });
  const acc = (s: Split) => (s.targets.size === 0 ? NaN : accuracy(model.forward(s.inputs, { lastOnly: true }), s.targets));
  let loss: number | undefined;
  const res = await train({
    model,
    transform: transformFor(c),
    steps: c.steps,
    evalEvery: c.evalEvery,
    seed,
    progress: false,
    ...(c.files && {
      outDir: join(c.files.dir, runName(c, seed)),
      checkpointEvery: c.files.checkpointEvery,
      resume: c.files.resume,
      overwrite: c.files.overwrite,
    }),
    // the batch order is checkpointed, so a resumed run sees the same batches
    state: { get: () => batches.state(), set: (s) => batches.setState(s as ReturnType<Batcher['state']>) },
    step: () => {
      const b = batches.next();
      const n = b.indices.length;
      const pick = new Int32Array(n);
      for (let i = 0; i < n; i++) pick[i] = i * 3 + answerPos[b.indices[i]!]!;
      const logits = model.forward(b.inputs).reshape([n * 3, -1]);
      return crossEntropy(indexSelect(logits, 0, tensor(pick, { dtype: 'int32', shape: [n] })), b.targets);
    },
    hooks: {
      onStep: (s) => {
        loss = s.loss;
      },
      shouldStop: (r) => r.id! >= c.until,
    },
    evaluate: () => ({ ...(loss === undefined ? {} : { loss }), train: acc(trainSample), id: acc(data.testId), ood: acc(data.testOod) }),
  });
  const params = model.numParameters();
  const trainRows = data.train.inputs.shape[0]!;
  for (const t of [data.train, data.testId, data.testOod, trainSample].flatMap((s) => [s.inputs, s.targets])) t.dispose();
  for (const t of model.parameters()) t.dispose();
  // the history comes from the runner, so a resumed run's includes the evaluations before the resume
  const history: RunPoint[] = res.history.map(({ step, loss, train, id, ood }) => ({ step, loss: loss ?? null, train: train!, id: id!, ood: ood! }));
  const recs = res.history as unknown as Record<string, unknown>[];
  const stepsToTrain95 = stepsToThreshold(curve(recs, 'train'), 0.95);
  const stepsToId90 = stepsToThreshold(curve(recs, 'id'), 0.9);
  const last = history[history.length - 1]!;
  return {
    task: c.task,
    filter: c.filter,
    phi: c.phi,
    seed,
    params,
    trainRows,
    steps: res.steps,
    train: last.train,
    id: last.id,
    ood: last.ood,
    stepsToTrain95,
    stepsToId90,
    delayRatio: stepsToTrain95 && stepsToId90 !== null ? stepsToId90 / stepsToTrain95 : null,
    seconds: (performance.now() - t0) / 1000,
    msPerStep: (1000 * res.wallSeconds) / Math.max(1, res.steps),
    history,
  };
}
