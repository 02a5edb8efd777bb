import { checkSameTree, fmt, mapParams, polarFactor, type GradientTransform, type Tensor } from '@grokkit/core';

export interface EgalitarianOptions {
  /**
   * Which parameters are equalised (default: every matrix); the others pass through unchanged.
   * The reference code for the Grokfast comparison equalises only the MLP weights.
   */
  include?: (name: string, param: Tensor) => boolean;
  /** Singular values at or below rtol·σ_max are treated as zero (default 1e-6; see `polarFactor`). */
  rtol?: number;
}

/**
 * Egalitarian gradient descent (EGD; Saheb Pasand & Dohmatob, ICLR 2026): each chosen matrix
 * gradient G = USVᵀ is replaced by (GGᵀ)^{-1/2}G = UVᵀ, so every singular direction moves at the
 * same speed. Stateless; put it before the optimizer in a chain. The polar factor is computed
 * exactly on the host (float64 eigendecomposition of the smaller Gram matrix), so each matrix costs
 * a download, O(n²m) host work and an upload per step.
 */
export function egalitarianGrad(opts: EgalitarianOptions = {}): GradientTransform<null> {
  const include = opts.include ?? ((_: string, p: Tensor) => p.ndim === 2);
  const rtol = opts.rtol ?? 1e-6;
  if (typeof include !== 'function') throw new Error(`egalitarianGrad: expected include to be a function, got ${typeof include}`);
  return {
    init(params) {
      for (const [k, p] of Object.entries(params)) {
        if (include(k, p) && p.ndim !== 2) throw new Error(`egalitarianGrad: '${k}' expected a matrix, got shape ${fmt(p.shape)}`);
      }
      return null;
    },
    update(grads, state, params) {
      checkSameTree('egalitarianGrad', params, grads);
      return { grads: mapParams(grads, (g, k) => (include(k, params[k]!) ? polarFactor(g, { rtol }) : g)), state };
    },
  };
}
