/**
 * The SUBS parameterisation of the denoiser's output (Sahoo et al. 2024): zero probability for the
 * mask token (its logit set to a large negative number before the softmax), and "carry-over" of
 * visible tokens (a visible position's distribution is the one-hot of its token).
 */
import { arange, checks, eq, fmt, logSoftmax, oneHot, where, type Tensor } from '@grokkit/core';

/** Added to (in fact: replaces) the mask token's logit. Finite, so no NaN in softmax or its gradient; exp of it is 0. */
export const NEG_INF = -1e9;

/** Logits [..., V] with column `maskId` replaced by NEG_INF, so the mask token is never predicted. */
export function suppressMask(logits: Tensor, maskId: number): Tensor {
  checks.int('suppressMask', 'maskId', maskId, 0);
  const v = logits.shape[logits.ndim - 1]!;
  if (maskId >= v) throw new Error(`suppressMask: maskId ${maskId} is outside the ${v} logits of shape ${fmt(logits.shape)}`);
  const isMask = eq(arange(0, v, 1, { device: logits.device }), maskId);
  return where(isMask, NEG_INF, logits);
}

/**
 * log p_θ(x₀ | x_t) under SUBS, [B, T, V]: at masked positions the log-softmax of the logits with
 * the mask suppressed; at visible positions 0 for the visible token and NEG_INF elsewhere (the
 * token is copied; no gradient reaches the logits there).
 */
export function subsLogProbs(logits: Tensor, xt: Tensor, maskId: number): Tensor {
  if (logits.ndim !== xt.ndim + 1 || xt.shape.some((s, i) => s !== logits.shape[i])) {
    throw new Error(`subsLogProbs: logits ${fmt(logits.shape)} need x_t of shape ${fmt(logits.shape.slice(0, -1))}, got ${fmt(xt.shape)}`);
  }
  const v = logits.shape[logits.ndim - 1]!;
  const logp = logSoftmax(suppressMask(logits, maskId), -1);
  const copy = where(eq(oneHot(xt, v), 1), 0, NEG_INF);
  return where(eq(xt, maskId).unsqueeze(-1), logp, copy);
}
