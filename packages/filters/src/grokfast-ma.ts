import { add, sub, zeros, checks, type Tensor } from '@grokkit/core';
import { addScaled } from './grokfast-ema.js';
import { perParamFilter, type PerParamState } from './per-param.js';
import { withSpec, type FilterTransform } from './spec.js';

export interface GrokfastMaOptions {
  /** Number of past gradients kept, w (default 100). */
  windowSize?: number;
  /** Amplification λ (default 5). */
  lamb?: number;
  /** 'mean': add λ·(sum of the queue)/(entries in the queue); 'sum': add λ·(sum of the queue). Default 'mean'. */
  filterType?: 'mean' | 'sum';
  /** When true (default), nothing is added until the queue holds w gradients. */
  warmup?: boolean;
}

/** Per parameter: a ring of w gradient slots (slot = step mod w) and their running sum. */
export type GrokfastMaState = PerParamState<{ queue: Tensor[]; sum: Tensor }>;

/**
 * Grokfast-MA: keep the last w gradients per parameter and add λ times their mean (over the
 * entries stored so far, min(t, w) at step t) or their sum. The sum is kept running (+ newest,
 * − the one leaving the window), so a step costs four elementwise ops whatever w is.
 */
export function grokfastMa(opts: GrokfastMaOptions = {}): FilterTransform<GrokfastMaState> {
  const w = checks.positiveInt('grokfastMa', 'windowSize', opts.windowSize ?? 100);
  const lamb = checks.number('grokfastMa', 'lamb', opts.lamb ?? 5);
  const filterType = opts.filterType ?? 'mean';
  if (filterType !== 'mean' && filterType !== 'sum') throw new Error(`grokfastMa: expected filterType 'mean' or 'sum', got ${JSON.stringify(filterType)}`);
  const warmup = opts.warmup ?? true;
  const t = perParamFilter<{ queue: Tensor[]; sum: Tensor }>({
    name: 'grokfastMa',
    init: (p) => ({
      queue: Array.from({ length: w }, () => zeros(p.shape, { dtype: p.dtype, device: p.device })),
      sum: zeros(p.shape, { dtype: p.dtype, device: p.device }),
    }),
    step(g, s, { count }) {
      const slot = count % w;
      const full = count >= w; // the slot holds the gradient that now leaves the window
      const sum = full ? add(s.sum, sub(g, s.queue[slot]!)) : add(s.sum, g);
      const queue = s.queue.slice();
      queue[slot] = g;
      const stored = Math.min(count + 1, w);
      const state = { queue, sum };
      if (warmup && stored < w) return { grad: g, state };
      const factor = filterType === 'mean' ? lamb / stored : lamb;
      return { grad: addScaled(g, sum, factor), state };
    },
  });
  return withSpec(t, { kind: 'ma', windowSize: w, lamb, filterType });
}
