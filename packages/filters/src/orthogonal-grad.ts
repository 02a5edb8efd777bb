import { div, mapParams, mul, sqrt, sub, sum, add, type GradientTransform, checkSameTree } from '@grokkit/core';

export interface OrthogonalGradOptions {
  /** Added to w·w and to ‖g⊥‖ so that zero weights or gradients divide safely (default 1e-30). */
  eps?: number;
}

/**
 * ⊥Grad: per parameter w, remove the gradient's component along the weights and restore its norm,
 *   g⊥ = g − ((w·g)/(w·w + eps))·w,   ĝ = g⊥ · ‖g‖/(‖g⊥‖ + eps),
 * so the update cannot simply scale the weights up (the naive-loss-minimisation direction behind
 * softmax collapse). Stateless; put it before the optimizer in a chain.
 */
export function orthogonalGrad(opts: OrthogonalGradOptions = {}): GradientTransform<null> {
  const eps = opts.eps ?? 1e-30;
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new Error(`orthogonalGrad: expected a finite eps ≥ 0, got ${String(eps)}`);
  return {
    init: () => null,
    update(grads, state, params) {
      checkSameTree('orthogonalGrad', params, grads);
      const out = mapParams(grads, (g, k) => {
        const w = params[k]!;
        const proj = div(sum(mul(w, g)), add(sum(mul(w, w)), eps));
        const perp = sub(g, mul(w, proj));
        const scale = div(sqrt(sum(mul(g, g))), add(sqrt(sum(mul(perp, perp))), eps));
        return mul(perp, scale);
      });
      return { grads: out, state };
    },
  };
}
