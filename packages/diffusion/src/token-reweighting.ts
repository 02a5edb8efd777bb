/**
 * Adaptive token reweighting (Ye et al. 2025, MGDM): each masked token's cross-entropy ℓ = −log p
 * is scaled by α·(1 − p)^γ with p = e^{−ℓ} the probability the denoiser gives the right token, a
 * focal loss (Lin et al. 2017). Tokens the model already predicts well (p → 1) weigh little, hard
 * ones (p → 0) up to α, so training concentrates on the hard subgoals, e.g. the branch choice of a
 * path, while the easy ones (copies) stop dominating the gradient. As in focal loss the gradient
 * also flows through the weight.
 */
import { exp, maximum, mul, pow, sub, type Tensor } from '@grokkit/core';

export interface TokenReweighting {
  /** Overall scale α (default 0.25, Ye et al.'s setting). */
  alpha?: number;
  /** Focusing exponent γ ≥ 0 (default 1, Ye et al.'s setting; 0 leaves only the scale α). */
  gamma?: number;
}

/** Resolved and validated α and γ; errors name the option and the value given. */
export function tokenReweightingParams(op: string, o: TokenReweighting): { alpha: number; gamma: number } {
  const alpha = o.alpha ?? 0.25;
  const gamma = o.gamma ?? 1;
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new Error(`${op}: expected tokenReweighting.alpha > 0, got ${alpha}`);
  if (!(gamma >= 0) || !Number.isFinite(gamma)) throw new Error(`${op}: expected tokenReweighting.gamma ≥ 0, got ${gamma}`);
  return { alpha, gamma };
}

/**
 * α·(1 − e^{−ℓ})^γ·ℓ for per-token cross-entropies ℓ (any shape, ℓ ≥ 0). The base 1 − p is kept
 * above 1e-12 for γ other than 0 and 1, so the power's gradient stays finite where p rounds to 1.
 */
export function reweightTokens(nll: Tensor, o: TokenReweighting = {}): Tensor {
  const { alpha, gamma } = tokenReweightingParams('reweightTokens', o);
  if (gamma === 0) return mul(nll, alpha);
  const miss = sub(1, exp(mul(nll, -1))); // 1 − p
  const focus = gamma === 1 ? miss : pow(maximum(miss, 1e-12), gamma);
  return mul(mul(focus, nll), alpha);
}
