/**
 * One run of the cluster ablation (one down-sampling factor f, one seed): build Carvalho et al.'s
 * cluster data, down-sample one subclass per class, train with AdamW from a ×k initialisation,
 * and follow the accuracy on the removed subclasses over training. `sweep()` workers (threads, or
 * grokkit-worker processes with --queue) import this module and call `run(config, seed, context)`.
 */
import { join } from 'node:path';
import { Batcher, downsample, hammingClusters, onePerClass, perSubclassAccuracy } from '@grokkit/datasets';
import { adamw, crossEntropy, rng, scaleParameters, type Forward, type Module } from '@grokkit/core';
import { curve, grokkingSummary, type RunContext } from '@grokkit/eval';
import { train } from '@grokkit/eval/node';
import { BlockTransformer, buildMlp } from './models.js';

export type Preset = 'equidistant' | 'equivariant';
export type ModelKind = 'mlp' | 'transformer';

export interface ClusterConfig {
  preset: Preset;
  /** Down-sampling factor of the removed subclasses (0 removes them). */
  f: number;
  /** γ_D, the training-set size before rounding (Eq. 1). */
  size: number;
  /** Noise standard deviation of every block, Σ = σ²I. */
  sigma: number;
  /** ‖μ⁰ − μ¹‖ per block. */
  separation: number;
  /** Binary blocks and dimensions per block (x ∈ ℝ^{p·r}). */
  p: number;
  r: number;
  model: ModelKind;
  /** Hidden width (MLP) or model width (transformer). */
  width: number;
  /** Hidden layers (MLP) or blocks (transformer). */
  depth: number;
  heads: number;
  steps: number;
  /** Minibatch size; ≥ the training set means full batch. */
  batch: number;
  lr: number;
  weightDecay: number;
  /** Every initial parameter ×initScale (Omnigrok). */
  initScale: number;
  evalEvery: number;
  /** Balanced test set: this many examples of every subclass. */
  testPerSubclass: number;
  /**
   * Seed of the cluster means and samples: a fixed number (the same data for every seed, only the
   * initialisation and batches change) or 'seed' (a fresh draw of the data per seed).
   */
  dataSeed: number | 'seed';
  /**
   * Where runs keep their log and checkpoints: `dir/f<f>-seed<seed>` (none: nothing is written).
   * `resume` continues a run from its checkpoint there; `overwrite` replaces a previous run.
   */
  files?: { dir: string; checkpointEvery: number; resume?: boolean; overwrite?: boolean };
}

/** One evaluation point of a run. */
export interface RunPoint {
  step: number;
  /** Training loss of the step just taken (none at step 0). */
  loss?: number;
  trainAcc: number;
  testAcc: number;
  /** Mean accuracy over the removed (down-sampled) subclasses of the balanced test set. */
  removedAcc: number;
  /** Mean accuracy over the other subclasses. */
  keptAcc: number;
}

export interface RunResult {
  finalTrainAcc: number;
  finalTestAcc: number;
  finalRemovedAcc: number;
  finalKeptAcc: number;
  /** Best removed-subclass accuracy seen during training. */
  peakRemovedAcc: number;
  /** Grokking numbers of the removed-subclass test curve against the train curve. */
  alpha0: number | null;
  alpha1: number | null;
  deltaS: number | null;
  deltaT: number | null;
  grokked: boolean;
  /** α₁ of the overall (balanced) test curve. */
  alpha1Test: number | null;
  trainSize: number;
  perRemoved: number;
  perRemaining: number;
  removed: number[];
  seconds: number;
  history: RunPoint[];
}

export const DEFAULTS: Omit<ClusterConfig, 'preset' | 'f'> = {
  size: 200,
  sigma: 0.05,
  separation: 1,
  p: 9,
  r: 13,
  model: 'mlp',
  width: 64,
  depth: 2,
  heads: 4,
  steps: 3000,
  batch: 200,
  lr: 1e-3,
  weightDecay: 1e-4,
  initScale: 8,
  evalEvery: 50,
  testPerSubclass: 100,
  dataSeed: 'seed',
};

/** The subclasses down-sampled for a preset: the last subclass of each class, the same for every f and seed. */
export function removedSubclasses(preset: Preset, p = 9): number[] {
  return onePerClass(hammingClusters({ p, sigma: 1, preset }).classOf);
}

function meanOf(xs: readonly number[], ids: readonly number[]): number {
  const v = ids.map((i) => xs[i]!).filter((x) => !Number.isNaN(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/**
 * One run. On the queue, `context` holds the checkpoint to resume from (when the run was handed over
 * from a worker that died) and where to send new ones; worker threads pass none.
 */
export async function run(config: ClusterConfig, seed: number, context: RunContext = {}): Promise<RunResult> {
  const c = { ...DEFAULTS, ...config };
  const t0 = performance.now();
  const ds = hammingClusters({ p: c.p, r: c.r, sigma: c.sigma, preset: c.preset, separation: c.separation, seed: c.dataSeed === 'seed' ? seed : c.dataSeed });
  const removed = onePerClass(ds.classOf);
  const kept = Array.from({ length: ds.nSubclasses }, (_, s) => s).filter((s) => !removed.includes(s));
  const plan = downsample({ f: c.f, total: c.size, subclasses: ds.nSubclasses, downsampled: removed });
  const trainSet = ds.train(plan);
  const testSet = ds.test(c.testPerSubclass);

  const g = rng(seed * 7919 + 1);
  const model: Module & Forward =
    c.model === 'mlp'
      ? buildMlp({ inputs: ds.dim, classes: ds.nClasses, width: c.width, depth: c.depth, rng: g })
      : new BlockTransformer({ tokens: c.p, tokenDim: c.r, classes: ds.nClasses, width: c.width, depth: c.depth, heads: c.heads, rng: g });
  scaleParameters(model, c.initScale);

  const batcher = new Batcher({ inputs: trainSet.inputs, targets: trainSet.targets }, { batchSize: c.batch, seed: seed + 1 });
  let lastLoss: number | undefined;
  const result = await train({
    model,
    transform: adamw({ lr: c.lr, weightDecay: c.weightDecay }),
    steps: c.steps,
    evalEvery: c.evalEvery,
    seed,
    progress: false,
    // the batch order is checkpointed, so a resumed run sees the same batches
    state: { get: () => batcher.state(), set: (v) => batcher.setState(v as ReturnType<Batcher['state']>) },
    // checkpoints go to this run's folder (threads), or to the queue's store through the context
    ...(c.files
      ? { outDir: join(c.files.dir, `f${c.f}-seed${seed}`), checkpointEvery: c.files.checkpointEvery, resume: c.files.resume, overwrite: c.files.overwrite }
      : { resumeFrom: context.resumeFrom, checkpointEvery: context.checkpointEvery }),
    // the batch lives until the runner's tidy ends the step, after backward
    step: () => {
      const b = batcher.next();
      return crossEntropy(model.forward(b.inputs), b.targets);
    },
    hooks: {
      onStep: ({ loss }) => {
        lastLoss = loss;
      },
      onCheckpoint: context.onCheckpoint,
    },
    evaluate: () => {
      const tr = perSubclassAccuracy(model.forward(trainSet.inputs), trainSet.targets, trainSet.subclasses, ds.nSubclasses);
      const te = perSubclassAccuracy(model.forward(testSet.inputs), testSet.targets, testSet.subclasses, ds.nSubclasses);
      return {
        ...(lastLoss === undefined ? {} : { loss: lastLoss }),
        trainAcc: tr.overall,
        testAcc: te.overall,
        removedAcc: meanOf(te.perSubclass, removed),
        keptAcc: meanOf(te.perSubclass, kept),
      };
    },
  });
  for (const t of [trainSet.inputs, trainSet.targets, trainSet.subclasses, testSet.inputs, testSet.targets, testSet.subclasses]) t.dispose();
  for (const t of model.parameters()) t.dispose();

  // the history comes from the runner, so a resumed run's includes the evaluations before the resume
  const history: RunPoint[] = result.history.map(({ step, loss, trainAcc, testAcc, removedAcc, keptAcc }) => ({
    step, ...(loss === undefined ? {} : { loss }), trainAcc: trainAcc!, testAcc: testAcc!, removedAcc: removedAcc!, keptAcc: keptAcc!,
  }));
  const recs = result.history as unknown as Record<string, unknown>[];
  const trainCurve = curve(recs, 'trainAcc');
  const removedSummary = grokkingSummary(trainCurve, curve(recs, 'removedAcc'));
  const testSummary = grokkingSummary(trainCurve, curve(recs, 'testAcc'));
  const last = history[history.length - 1]!;
  return {
    finalTrainAcc: last.trainAcc,
    finalTestAcc: last.testAcc,
    finalRemovedAcc: last.removedAcc,
    finalKeptAcc: last.keptAcc,
    peakRemovedAcc: Math.max(...history.map((h) => h.removedAcc)),
    alpha0: removedSummary.alpha0,
    alpha1: removedSummary.alpha1,
    deltaS: removedSummary.deltaS,
    deltaT: removedSummary.deltaT,
    grokked: removedSummary.grokked,
    alpha1Test: testSummary.alpha1,
    trainSize: plan.size,
    perRemoved: plan.perDownsampled,
    perRemaining: plan.perRemaining,
    removed,
    seconds: (performance.now() - t0) / 1000,
    history,
  };
}
