/**
 * The masked-diffusion (MDLM / LLaDA) training loss, the continuous-time negative ELBO under the
 * log-linear schedule:
 *
 *   L = E_{t ~ U(ε,1)} E_{x_t ~ q(·|x₀)} [ (1/t) Σ_{i masked in x_t} −log p_θ(x₀ⁱ | x_t) ].
 */
import { checks, div, eq, fmt, gather, logSoftmax, mul, neg, sum, where, type Generator, type Tensor } from '@grokkit/core';
import { checkTokens2d } from './check-tokens.js';
import { maskTokens } from './masking.js';
import { sampleTimes } from './mask-schedule.js';
import { suppressMask } from './subs.js';

export const NORMALIZATIONS = ['token', 'sequence'] as const;
/**
 * - `'token'`: the weighted sum over the batch divided by the number of maskable positions in the
 *   batch, an unbiased estimate of the bound per maskable token (nats/token; comparable to an
 *   autoregressive per-token cross-entropy, and independent of sequence length). LLaDA's choice.
 * - `'sequence'`: divided by the batch size, the bound per sequence (nats/sequence), MDLM's ELBO.
 */
export type Normalization = (typeof NORMALIZATIONS)[number];

export interface MaskedLossInputs {
  /** Denoiser logits [B, T, V] on x_t (V includes the mask token). */
  logits: Tensor;
  /** Clean tokens, int32 [B, T]. */
  x0: Tensor;
  /** Noised tokens, int32 [B, T] (`maskId` at masked positions). */
  xt: Tensor;
  /** Per-row times, float [B] (or one number for all rows). */
  t: Tensor | number;
  maskId: number;
  /** The count of maskable positions for `'token'` normalisation (default B·T). */
  maskableCount?: number;
  normalize?: Normalization;
}

/**
 * The loss from logits already computed on x_t. Only masked positions contribute; the mask token's
 * logit is suppressed first (SUBS), so the model never puts probability on it.
 */
export function maskedLossFromLogits(o: MaskedLossInputs): Tensor {
  const op = 'maskedDiffusionLoss';
  const [b, len] = checkTokens2d(op, 'x0', o.x0);
  checkTokens2d(op, 'xt', o.xt);
  if (o.xt.shape[0] !== b || o.xt.shape[1] !== len) throw new Error(`${op}: expected xt of shape ${fmt(o.x0.shape)}, got ${fmt(o.xt.shape)}`);
  if (o.logits.ndim !== 3 || o.logits.shape[0] !== b || o.logits.shape[1] !== len) {
    throw new Error(`${op}: expected logits of shape [${b}, ${len}, V], got ${fmt(o.logits.shape)}`);
  }
  const maskId = checks.int(op, 'maskId', o.maskId, 0);
  const normalize = checks.oneOf(op, 'normalize', o.normalize ?? 'token', NORMALIZATIONS);
  if (typeof o.t !== 'number' && (o.t.ndim !== 1 || o.t.shape[0] !== b)) throw new Error(`${op}: expected t of shape [${b}], got ${fmt(o.t.shape)}`);
  const logp = logSoftmax(suppressMask(o.logits, maskId), -1);
  const nll = neg(gather(logp, 2, o.x0.unsqueeze(-1)).squeeze(-1)); // [B, T]
  const picked = where(eq(o.xt, maskId), nll, 0);
  const weighted = typeof o.t === 'number' ? div(picked, o.t) : div(picked, o.t.unsqueeze(1));
  const total = sum(weighted);
  const denom = normalize === 'sequence' ? b : o.maskableCount ?? b * len;
  if (!(denom > 0)) throw new Error(`${op}: expected a positive number of maskable positions, got ${denom}`);
  return mul(total, 1 / denom);
}

export interface MaskedDiffusionLossOptions {
  maskId: number;
  /** bool [T] or [B, T]: positions that may be masked (default all). */
  maskable?: Tensor;
  /** The first `promptLength` positions are never masked (conditioning on a prompt). */
  promptLength?: number;
  normalize?: Normalization;
  /** Smallest t (default 1e-3). */
  eps?: number;
  /** Stratified times over the batch (default true: lower variance, same expectation). */
  stratified?: boolean;
  rng?: Generator;
}

export interface MaskedDiffusionLoss {
  loss: Tensor;
  xt: Tensor;
  t: Tensor;
  masked: Tensor;
}

/**
 * One Monte-Carlo estimate of the loss for clean tokens x₀ [B, T]: draw t, mask, run
 * `denoise(x_t)` → logits [B, T, V], and score the masked positions.
 */
export function maskedDiffusionLoss(denoise: (xt: Tensor) => Tensor, x0: Tensor, opts: MaskedDiffusionLossOptions): MaskedDiffusionLoss {
  const [b] = checkTokens2d('maskedDiffusionLoss', 'x0', x0);
  const t = sampleTimes(b, { eps: opts.eps, rng: opts.rng, stratified: opts.stratified ?? true });
  const m = maskTokens(x0, t, { maskId: opts.maskId, maskable: opts.maskable, promptLength: opts.promptLength, rng: opts.rng });
  const maskableCount = sum(m.maskable).item();
  const logits = denoise(m.xt);
  const loss = maskedLossFromLogits({ logits, x0, xt: m.xt, t, maskId: opts.maskId, maskableCount, normalize: opts.normalize });
  return { loss, xt: m.xt, t, masked: m.masked };
}

