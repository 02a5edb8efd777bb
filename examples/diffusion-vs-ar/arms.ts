/**
 * The two arms on one task: an autoregressive `Decoder` trained with cross-entropy on the answer
 * tokens and decoded greedily left to right, and a masked-diffusion `Encoder` (same width, depth,
 * heads and MLP) trained with the masked-diffusion loss on the answer positions (the prompt is
 * never masked) and decoded easy-first with the confidence-ordered sampler, one answer token per
 * step. Either loss can take MGDM's adaptive token reweighting.
 */
import {
  Module, adamw, argmax, chain, clipByGlobalNorm, linearWarmup, mean, noGrad, rng, tensor, tidy, warmupCosine,
  type Generator, type Tensor,
} from '@grokkit/core';
import { MaskedDenoiser, confidenceSample, maskedDiffusionLoss, reweightTokens, type TimeWeighting, type TokenReweighting } from '@grokkit/diffusion';
import type { EvalRecord, ProgressMode } from '@grokkit/eval';
import { train } from '@grokkit/eval/node';
import { grokfastEma } from '@grokkit/filters';
import { Decoder } from '@grokkit/transformer';
import { sequences, subset, type SeqSplit, type SeqTask } from './tasks.js';

export const ARMS = ['ar', 'diffusion'] as const;
export type ArmKind = (typeof ARMS)[number];

export interface ArmConfig {
  steps: number;
  evalEvery: number;
  batchSize: number;
  /** Examples per split for the accuracies logged during training (the final ones use the whole test sets). */
  evalSize: number;
  dim: number;
  depth: number;
  heads: number;
  /** Position encoding of both stacks: learned absolute, or rotary (relative: "the token before" is one rule for every position). */
  positional: 'learned' | 'sinusoidal' | 'rotary';
  /** Std of the N(0, std²) token and position embeddings at init. */
  embeddingStd: number;
  lr: number;
  /** After the warmup: a constant learning rate, or cosine decay to 0 at the last step. */
  lrSchedule: 'constant' | 'cosine';
  weightDecay: number;
  warmup: number;
  /** Grokfast-EMA on the gradients before clipping and AdamW (amplifies their slow part), or null. */
  grokfast: { alpha: number; lamb: number } | null;
  /** MGDM's token reweighting α(1 − p)^γ on each scored token, or null for the plain loss. */
  tokenReweighting: TokenReweighting | null;
  /** Diffusion: the weight of a row by its masking rate t (1/t, the bound; or 1 − t, MGDM's). */
  timeWeighting: TimeWeighting;
  seed: number;
  progress: ProgressMode | false;
  /** Stop at the first evaluation after this many seconds of training (default: no limit). */
  timeLimit?: number;
}

export interface ArmResult {
  arm: ArmKind;
  seed: number;
  params: number;
  steps: number;
  history: EvalRecord[];
  final: { train: number; id: number; ood: number | null };
  /** Final ID accuracy per answer position (e.g. the branch choice is position 1 of a star path). */
  idPerPosition: number[];
  /** Path-finding: final ID exact match and branch-choice accuracy per planning distance. */
  idByDistance: DistanceScore[];
  wallSeconds: number;
  msPerStep: number;
}

interface Model {
  module: Module;
  /** Loss on a batch of [prompt | answer] sequences. */
  loss(seq: Tensor, g: Generator): Tensor;
  /** Predicted answers, int32 [n·A], for prompts [n·P]. */
  predict(prompt: Int32Array, n: number): Int32Array;
}

export interface DistanceScore {
  /** Steps from the branch node to the goal. */
  distance: number;
  /** Test rows at this distance. */
  n: number;
  /** Exact match of the whole path. */
  exact: number;
  /** The answer token after the branch node (the arm chosen). */
  decision: number;
}

function arModel(task: SeqTask, c: ArmConfig): Model {
  const { promptLen: P, answerLen: A, vocabSize: V } = task;
  const m = new Decoder({ vocabSize: V, maxLen: P + A - 1, dim: c.dim, depth: c.depth, heads: c.heads, positional: c.positional, embeddingStd: c.embeddingStd, rng: rng(c.seed) });
  const reduce = (nll: Tensor) => mean(c.tokenReweighting ? reweightTokens(nll, c.tokenReweighting) : nll);
  return {
    module: m,
    loss(seq) {
      const input = seq.slice(1, 0, P + A - 1);
      const answers = seq.slice(1, P, P + A);
      if (A === 1) return reduce(m.loss(m.forward(input, { lastOnly: true }), answers.reshape([-1]), { reduction: 'none' }));
      // position P−1+j predicts answer token j
      return reduce(m.loss(m.forward(input).slice(1, P - 1, P + A - 1), answers, { reduction: 'none' }));
    },
    predict(prompt, n) {
      const cur = Int32Array.from(prompt);
      let width = P;
      let ctx = cur;
      const out = new Int32Array(n * A);
      for (let j = 0; j < A; j++) {
        const next = argmax(m.forward(tensor(ctx, { dtype: 'int32', shape: [n, width] }), { lastOnly: true }), -1).dataSync();
        for (let i = 0; i < n; i++) out[i * A + j] = next[i]!;
        if (j === A - 1) break;
        const grown = new Int32Array(n * (width + 1));
        for (let i = 0; i < n; i++) {
          grown.set(ctx.subarray(i * width, (i + 1) * width), i * (width + 1));
          grown[i * (width + 1) + width] = next[i]!;
        }
        ctx = grown;
        width++;
      }
      return out;
    },
  };
}

function diffusionModel(task: SeqTask, c: ArmConfig): Model {
  const { promptLen: P, answerLen: A, vocabSize: V } = task;
  const m = new MaskedDenoiser({ vocabSize: V, maxLen: P + A, dim: c.dim, depth: c.depth, heads: c.heads, positional: c.positional, embeddingStd: c.embeddingStd, rng: rng(c.seed) });
  const denoise = (x: Tensor) => m.forward(x);
  return {
    module: m,
    loss(seq, g) {
      return maskedDiffusionLoss(denoise, seq, {
        maskId: m.maskId, promptLength: P, rng: g, normalize: 'token', stratified: true,
        timeWeighting: c.timeWeighting, tokenReweighting: c.tokenReweighting ?? undefined,
      }).loss;
    },
    predict(prompt, n) {
      const x = new Int32Array(n * (P + A)).fill(m.maskId);
      for (let i = 0; i < n; i++) x.set(prompt.subarray(i * P, (i + 1) * P), i * (P + A));
      const out = confidenceSample(denoise, tensor(x, { dtype: 'int32', shape: [n, P + A] }), { maskId: m.maskId, steps: A }).dataSync();
      const ans = new Int32Array(n * A);
      for (let i = 0; i < n; i++) ans.set(out.subarray(i * (P + A) + P, (i + 1) * (P + A)), i * A);
      return ans;
    },
  };
}

interface Score {
  exact: number;
  perPosition: number[];
  byDistance: DistanceScore[];
}

/** Exact-match accuracy (every answer token right), accuracy per answer position and per planning distance on the first `limit` rows. */
function score(model: Model, task: SeqTask, s: SeqSplit, limit: number, batch = 256): Score {
  const { promptLen: P, answerLen: A } = task;
  const n = Math.min(limit, s.n);
  let exact = 0;
  const pos = new Array<number>(A).fill(0);
  const byD = new Map<number, { n: number; exact: number; decision: number }>();
  for (let off = 0; off < n; off += batch) {
    const k = Math.min(batch, n - off);
    const pred = model.predict(s.prompt.subarray(off * P, (off + k) * P), k);
    for (let i = 0; i < k; i++) {
      let all = true;
      for (let j = 0; j < A; j++) {
        const ok = pred[i * A + j] === s.answer[(off + i) * A + j];
        if (ok) pos[j]!++;
        else all = false;
      }
      if (all) exact++;
      if (s.distance) {
        const d = s.distance[off + i]!;
        const at = A - d; // the path node after the branch node, d steps before the goal
        const e = byD.get(d) ?? { n: 0, exact: 0, decision: 0 };
        e.n++;
        if (all) e.exact++;
        if (pred[i * A + at] === s.answer[(off + i) * A + at]) e.decision++;
        byD.set(d, e);
      }
    }
  }
  const byDistance = [...byD.entries()].sort((a, b) => a[0] - b[0]).map(([distance, e]) => ({ distance, n: e.n, exact: e.exact / e.n, decision: e.decision / e.n }));
  return { exact: exact / n, perPosition: pos.map((p) => p / n), byDistance };
}

export async function runArm(arm: ArmKind, task: SeqTask, c: ArmConfig, outDir?: string, overwrite?: boolean): Promise<ArmResult> {
  const model = arm === 'ar' ? arModel(task, c) : diffusionModel(task, c);
  const L = task.promptLen + task.answerLen;
  // a fixed sample of training rows to measure train accuracy on
  const pick = rng(1000 + c.seed).permutation(task.train.n).slice(0, Math.min(c.evalSize, task.train.n));
  const trainSample = subset(task, task.train, pick);
  const metrics = (limit: number) => {
    const id = score(model, task, task.id, limit);
    const r: Record<string, number> = { trainAcc: score(model, task, trainSample, limit).exact, idAcc: id.exact };
    if (id.byDistance.length > 0) r.idChoice = id.byDistance.reduce((a, d) => a + d.decision * d.n, 0) / id.byDistance.reduce((a, d) => a + d.n, 0);
    if (task.ood) r.oodAcc = score(model, task, task.ood, limit).exact;
    return r;
  };
  const t0 = performance.now();
  const res = await train({
    model: model.module,
    transform: chain(...(c.grokfast ? [grokfastEma(c.grokfast)] : []), clipByGlobalNorm(1), adamw({
      lr: c.lrSchedule === 'cosine' ? warmupCosine(c.lr, c.warmup, c.steps) : linearWarmup(c.lr, c.warmup),
      betas: [0.9, 0.98], weightDecay: c.weightDecay,
    })),
    steps: c.steps,
    evalEvery: c.evalEvery,
    seed: c.seed,
    outDir,
    overwrite,
    progress: c.progress,
    label: `${task.name} ${arm} s${c.seed}`,
    step(ctx) {
      const rows = task.fresh ? task.fresh(c.batchSize, ctx.rng) : task.train;
      const idx = new Int32Array(c.batchSize);
      for (let i = 0; i < c.batchSize; i++) idx[i] = task.fresh ? i : ctx.rng.int(0, task.train.n);
      const seq = tensor(sequences(task, rows, idx), { dtype: 'int32', shape: [c.batchSize, L] });
      return model.loss(seq, ctx.rng);
    },
    evaluate: () => metrics(c.evalSize),
    hooks: c.timeLimit === undefined ? undefined : { shouldStop: (r) => r.wallSeconds >= c.timeLimit! },
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  // final accuracies on the whole (capped) test sets, in eval mode
  model.module.eval();
  const fin = noGrad(() => ({
    train: tidy(() => score(model, task, trainSample, Infinity).exact),
    id: tidy(() => score(model, task, task.id, Infinity)),
    ood: task.ood ? tidy(() => score(model, task, task.ood!, Infinity).exact) : null,
  }));
  model.module.train();
  return {
    arm,
    seed: c.seed,
    params: model.module.numParameters(),
    steps: res.steps,
    history: res.history,
    final: { train: fin.train, id: fin.id.exact, ood: fin.ood },
    idPerPosition: fin.id.perPosition,
    idByDistance: fin.id.byDistance,
    wallSeconds,
    msPerStep: (1000 * wallSeconds) / Math.max(1, res.steps),
  };
}
