import { axpby, elementwise, ex, checks, zeros, type Tensor } from '@grokkit/core';
import type { PerParamState } from './per-param.js';
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
 * the output is ĝ = g + λ·μ. An elementwise rule: in an optimizer chain of elementwise transforms
 * (Adam, weight decay, the learning rate) the filter and the update run in one pass per parameter.
 */
export function grokfastEma(opts: GrokfastEmaOptions = {}): FilterTransform<GrokfastEmaState> {
  const alpha = checkAlpha('grokfastEma', opts.alpha ?? 0.98);
  const lamb = checks.number('grokfastEma', 'lamb', opts.lamb ?? 2);
  const t = elementwise<GrokfastEmaState>(
    (params) => {
      const out: GrokfastEmaState['params'] = Object.create(null);
      for (const [k, p] of Object.entries(params)) out[k] = { mu: zeros(p.shape, { dtype: p.dtype, device: p.device }) };
      return { count: 0, params: out };
    },
    {
      name: 'grokfastEma',
      slotCount: 1,
      slots: (state, name) => {
        const s = state.params[name];
        if (!s) throw new Error(`grokfastEma: the filter state has no entry for parameter '${name}' (was it made for other parameters?)`);
        return [s.mu];
      },
      // on the first step μ (zeros) is weighted 0 and g 1, so μ starts as the first gradient
      scalars: ({ count }) => ({ a: count === 0 ? 0 : alpha, b: count === 0 ? 1 : 1 - alpha, lamb }),
      apply: (g, _p, [mu], k) => {
        const next = ex.add(ex.mul(mu!, k('a')), ex.mul(g, k('b')));
        return { g: ex.add(g, ex.mul(next, k('lamb'))), slots: [next] };
      },
      next: (state, slots) => {
        const params: GrokfastEmaState['params'] = Object.create(null);
        for (const [k, [mu]] of Object.entries(slots)) params[k] = { mu: mu! };
        return { count: state.count + 1, params };
      },
    },
  );
  return withSpec(t, { kind: 'ema', alpha, lamb });
}
