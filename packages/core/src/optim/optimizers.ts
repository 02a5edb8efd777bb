import { add, mul, sqrt, sum, div, maximum } from '../ops.js';
import { adamDirection, axpby } from '../fused-ops.js';
import type { Tensor } from '../tensor.js';
import { asSchedule, type ScheduleLike } from './schedules.js';
import { chain, mapParams, zerosLikeParams, type GradientTransform, type Params } from './transform.js';

/** Multiply every gradient by a constant. */
export function scale(factor: number): GradientTransform<null> {
  return { init: () => null, update: (grads, state) => ({ grads: mapParams(grads, (g) => mul(g, factor)), state }) };
}

/** Multiply by −lr(step): the last link of an optimizer chain. */
export function scaleByLearningRate(lr: ScheduleLike): GradientTransform<{ count: number }> {
  const sched = asSchedule(lr);
  return {
    init: () => ({ count: 0 }),
    update: (grads, { count }) => {
      const f = -sched(count);
      return { grads: mapParams(grads, (g) => mul(g, f)), state: { count: count + 1 } };
    },
  };
}

/** Add `weightDecay · param` to each gradient (decoupled weight decay when placed before the learning rate). */
export function addDecayedWeights(weightDecay: number): GradientTransform<null> {
  return {
    init: () => null,
    update: (grads, state, params) => ({
      grads: weightDecay === 0 ? grads : mapParams(grads, (g, k) => axpby(1, g, weightDecay, params[k]!)),
      state,
    }),
  };
}

export interface AdamState {
  [key: string]: Params | number;
  count: number;
  mu: Params;
  nu: Params;
}

/** Adam's direction m̂/(√v̂ + eps), with bias correction. */
export function scaleByAdam(opts: { b1?: number; b2?: number; eps?: number } = {}): GradientTransform<AdamState> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8 } = opts;
  for (const [n, v] of [['b1', b1], ['b2', b2]] as const) {
    if (!(v >= 0 && v < 1)) throw new Error(`adam: expected 0 ≤ ${n} < 1, got ${v}`);
  }
  if (!(eps >= 0)) throw new Error(`adam: expected eps ≥ 0, got ${eps}`);
  return {
    init: (params) => ({ count: 0, mu: zerosLikeParams(params), nu: zerosLikeParams(params) }),
    update: (grads, state) => {
      const count = state.count + 1;
      const c1 = 1 - b1 ** count;
      const c2 = 1 - b2 ** count;
      const mu: Params = {};
      const nu: Params = {};
      const out = mapParams(grads, (g, k) => {
        const m = axpby(b1, state.mu[k]!, 1 - b1, g);
        const v = axpby(b2, state.nu[k]!, 1 - b2, mul(g, g));
        mu[k] = m;
        nu[k] = v;
        return adamDirection([m, v], { c1, c2, eps });
      });
      return { grads: out, state: { count, mu, nu } };
    },
  };
}

/** Heavy-ball momentum buffer b ← momentum·b + g (PyTorch's SGD convention), optionally Nesterov. */
export function traceMomentum(momentum: number, nesterov = false): GradientTransform<{ [k: string]: Params | number; count: number; trace: Params }> {
  return {
    init: (params) => ({ count: 0, trace: zerosLikeParams(params) }),
    update: (grads, state) => {
      const trace: Params = {};
      const out = mapParams(grads, (g, k) => {
        const b = state.count === 0 ? g : axpby(momentum, state.trace[k]!, 1, g);
        trace[k] = b;
        return nesterov ? add(g, mul(b, momentum)) : b;
      });
      return { grads: out, state: { count: state.count + 1, trace } };
    },
  };
}

export function sgd(opts: { lr: ScheduleLike; momentum?: number; nesterov?: boolean; weightDecay?: number }): GradientTransform<any> {
  const parts: GradientTransform<any>[] = [];
  if (opts.weightDecay) parts.push(addDecayedWeights(opts.weightDecay));
  if (opts.momentum) parts.push(traceMomentum(opts.momentum, opts.nesterov));
  parts.push(scaleByLearningRate(opts.lr));
  return chain(...parts);
}

export interface AdamOptions {
  lr: ScheduleLike;
  betas?: [number, number];
  eps?: number;
}

/**
 * Adam, as PyTorch's `torch.optim.Adam`: `weightDecay` (default 0) is L2 regularisation, added
 * to the gradient before the moment estimates (contrast `adamw`).
 */
export function adam(opts: AdamOptions & { weightDecay?: number }): GradientTransform<any> {
  const [b1, b2] = opts.betas ?? [0.9, 0.999];
  const adamPart = [scaleByAdam({ b1, b2, eps: opts.eps ?? 1e-8 }), scaleByLearningRate(opts.lr)];
  return chain(...(opts.weightDecay ? [addDecayedWeights(opts.weightDecay)] : []), ...adamPart);
}

/** AdamW: Adam with decoupled weight decay, update = −lr·(m̂/(√v̂+eps) + wd·θ), as PyTorch's AdamW (default wd 0.01). */
export function adamw(opts: AdamOptions & { weightDecay?: number }): GradientTransform<any> {
  const [b1, b2] = opts.betas ?? [0.9, 0.999];
  return chain(scaleByAdam({ b1, b2, eps: opts.eps ?? 1e-8 }), addDecayedWeights(opts.weightDecay ?? 0.01), scaleByLearningRate(opts.lr));
}

/** The global L2 norm of all gradients. */
export function globalNorm(grads: Params): Tensor {
  const parts = Object.values(grads).map((g) => sum(mul(g, g)));
  return sqrt(parts.reduce((a, b) => add(a, b)));
}

/** Scale all gradients by min(1, maxNorm/‖g‖) (PyTorch's clip_grad_norm_ uses ‖g‖ + 1e-6). */
export function clipByGlobalNorm(maxNorm: number): GradientTransform<null> {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: expected maxNorm > 0, got ${maxNorm}`);
  return {
    init: () => null,
    update: (grads, state) => {
      if (Object.keys(grads).length === 0) return { grads, state };
      const norm = globalNorm(grads);
      const factor = div(maxNorm, maximum(add(norm, 1e-6), maxNorm));
      return { grads: mapParams(grads, (g) => mul(g, factor)), state };
    },
  };
}
