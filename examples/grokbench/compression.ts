/**
 * Delayed compression (a Grokfast fork, "A simple method for accelerating grokking"): once the
 * model has memorised its training set (training accuracy ≥ 99%), add coefficient · Σ‖W‖²_F over the
 * weight matrices to the loss. The penalty and its switch are separate, so each can be tested alone.
 */
import * as g from '@grokkit/core';

/**
 * Σ ‖W‖²_F over the parameters whose name ends in `weight` (as the reference code selects them:
 * every weight, LayerNorm gains included, no biases). Differentiable: its gradient is 2W.
 */
export function frobeniusPenalty(params: g.Params, include: (name: string) => boolean = (name) => name.endsWith('weight')): g.Tensor {
  const chosen = Object.entries(params).filter(([name]) => include(name));
  if (chosen.length === 0) throw new Error(`frobeniusPenalty: no parameter selected (have: ${Object.keys(params).join(', ') || 'none'})`);
  return chosen.map(([, w]) => g.sum(g.mul(w, w))).reduce((a, b) => g.add(a, b));
}

export interface DelayedPenaltyOptions {
  /** Coefficient of the penalty (reference: 0.01). */
  coefficient: number;
  /** Training accuracy that switches it on (reference: 0.99). */
  threshold: number;
}

/**
 * The switch-on rule: off until an evaluation reports training accuracy ≥ threshold, then on for
 * the rest of the run (it is never switched off again). `state()`/`setState()` make it part of a
 * checkpoint; `onAt` is the step at which it was switched on (null while off).
 */
export class DelayedPenalty {
  onAt: number | null = null;
  constructor(readonly opts: DelayedPenaltyOptions) {
    if (!(opts.coefficient > 0) || !Number.isFinite(opts.coefficient)) throw new Error(`compression: expected a coefficient > 0, got ${opts.coefficient}`);
    if (!(opts.threshold > 0 && opts.threshold <= 1)) throw new Error(`compression: expected a threshold in (0, 1], got ${opts.threshold}`);
  }

  /** Feed an evaluation's training accuracy. */
  observe(trainAcc: number, step: number): void {
    if (this.onAt === null && trainAcc >= this.opts.threshold) this.onAt = step;
  }

  /** The loss term to add now (null while off). */
  term(params: g.Params): g.Tensor | null {
    return this.onAt === null ? null : g.mul(frobeniusPenalty(params), this.opts.coefficient);
  }

  state(): { onAt: number | null } {
    return { onAt: this.onAt };
  }

  setState(s: unknown): void {
    const onAt = (s as { onAt?: unknown } | null)?.onAt;
    if (onAt !== null && !(typeof onAt === 'number' && Number.isInteger(onAt) && onAt >= 0)) {
      throw new Error(`compression: expected a saved state {onAt: null or a step ≥ 0}, got ${JSON.stringify(s)}`);
    }
    this.onAt = onAt;
  }
}
