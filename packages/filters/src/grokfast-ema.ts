import { axpby, zeros, checks, type Tensor } from '@grokkit/core';
import { perParamFilter, type PerParamState } from './per-param.js';
import { withSpec, type FilterTransform } from './spec.js';
import { checkAlpha } from './validate.js';

export interface GrokfastEmaOptions {
  /** EMA decay α in [0, 1) (default 0.98). */
  alpha?: number;
  /** Amplification λ of the slow component (default 2). */
  lamb?: number;
}

export type GrokfastEmaState = PerParamState<{ mu: Tensor }>;

/** g + λ·y, skipping the multiply when λ = 1. */
export function addScaled(g: Tensor, y: Tensor, lamb: number): Tensor {
  return axpby(1, g, lamb, y);
}

/**
 * Grokfast-EMA: μ ← α·μ + (1−α)·g per parameter, with μ starting as the first gradient (not zero);
 * the output is ĝ = g + λ·μ. Five elementwise ops per parameter per step.
 */
export function grokfastEma(opts: GrokfastEmaOptions = {}): FilterTransform<GrokfastEmaState> {
  const alpha = checkAlpha('grokfastEma', opts.alpha ?? 0.98);
  const lamb = checks.number('grokfastEma', 'lamb', opts.lamb ?? 2);
  const t = perParamFilter<{ mu: Tensor }>({
    name: 'grokfastEma',
    init: (p) => ({ mu: zeros(p.shape, { dtype: p.dtype, device: p.device }) }),
    step(g, s, { count }) {
      const mu = count === 0 ? g : axpby(alpha, s.mu, 1 - alpha, g);
      return { grad: addScaled(g, mu, lamb), state: { mu } };
    },
  });
  return withSpec(t, { kind: 'ema', alpha, lamb });
}
