/**
 * The two arms on one task: an autoregressive `Decoder` trained with cross-entropy on the answer
 * tokens and decoded greedily left to right, and a masked-diffusion `Encoder` (same width, depth,
 * heads and MLP) trained with the MDLM loss on the answer positions (the prompt is never masked)
 * and decoded with the confidence-ordered sampler, one answer token per step.
 */
import { Module, adamw, argmax, chain, clipByGlobalNorm, linearWarmup, noGrad, rng, tensor, tidy, type Generator, type Tensor } from '@grokkit/core';
import { MaskedDenoiser, confidenceSample, maskedDiffusionLoss } from '@grokkit/diffusion';
import type { EvalRecord, ProgressMode } from '@grokkit/eval';
import { train } from '@grokkit/eval/node';
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
  lr: number;
  weightDecay: number;
  warmup: number;
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
  /** Final ID accuracy per answer position (e.g. the branch choice is position 1 of a path). */
  idPerPosition: number[];
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

function arModel(task: SeqTask, c: ArmConfig): Model {
  const { promptLen: P, answerLen: A, vocabSize: V } = task;
  const m = new Decoder({ vocabSize: V, maxLen: P + A - 1, dim: c.dim, depth: c.depth, heads: c.heads, rng: rng(c.seed) });
  return {
    module: m,
    loss(seq) {
      const input = seq.slice(1, 0, P + A - 1);
      const answers = seq.slice(1, P, P + A);
      if (A === 1) return m.loss(m.forward(input, { lastOnly: true }), answers.reshape([-1]));
      // position P−1+j predicts answer token j
      return m.loss(m.forward(input).slice(1, P - 1, P + A - 1), answers);
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
  const m = new MaskedDenoiser({ vocabSize: V, maxLen: P + A, dim: c.dim, depth: c.depth, heads: c.heads, rng: rng(c.seed) });
  const denoise = (x: Tensor) => m.forward(x);
  return {
    module: m,
    loss(seq, g) {
      return maskedDiffusionLoss(denoise, seq, { maskId: m.maskId, promptLength: P, rng: g, normalize: 'token', stratified: true }).loss;
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

/** Exact-match accuracy (every answer token right) and accuracy per answer position on the first `limit` rows. */
function score(model: Model, task: SeqTask, s: SeqSplit, limit: number, batch = 256): { exact: number; perPosition: number[] } {
  const { promptLen: P, answerLen: A } = task;
  const n = Math.min(limit, s.n);
  let exact = 0;
  const pos = new Array<number>(A).fill(0);
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
    }
  }
  return { exact: exact / n, perPosition: pos.map((p) => p / n) };
}

export async function runArm(arm: ArmKind, task: SeqTask, c: ArmConfig, outDir?: string): Promise<ArmResult> {
  const model = arm === 'ar' ? arModel(task, c) : diffusionModel(task, c);
  const L = task.promptLen + task.answerLen;
  // a fixed sample of training rows to measure train accuracy on
  const pick = rng(1000 + c.seed).permutation(task.train.n).slice(0, Math.min(c.evalSize, task.train.n));
  const trainSample = subset(task, task.train, pick);
  const metrics = (limit: number) => {
    const r: Record<string, number> = { trainAcc: score(model, task, trainSample, limit).exact, idAcc: score(model, task, task.id, limit).exact };
    if (task.ood) r.oodAcc = score(model, task, task.ood, limit).exact;
    return r;
  };
  const t0 = performance.now();
  const res = await train({
    model: model.module,
    transform: chain(clipByGlobalNorm(1), adamw({ lr: linearWarmup(c.lr, c.warmup), betas: [0.9, 0.98], weightDecay: c.weightDecay })),
    steps: c.steps,
    evalEvery: c.evalEvery,
    seed: c.seed,
    outDir,
    progress: c.progress,
    label: `${task.name} ${arm} s${c.seed}`,
    step(ctx) {
      const idx = new Int32Array(c.batchSize);
      for (let i = 0; i < c.batchSize; i++) idx[i] = ctx.rng.int(0, task.train.n);
      const seq = tensor(sequences(task, task.train, idx), { dtype: 'int32', shape: [c.batchSize, L] });
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
    wallSeconds,
    msPerStep: (1000 * wallSeconds) / Math.max(1, res.steps),
  };
}
