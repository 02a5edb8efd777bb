import { add, mul, sign, sqrt, sub, sum, div, maximum } from '../ops.js';
import { axpby } from '../fused-ops.js';
import { ex } from '../expr.js';
import type { Tensor } from '../tensor.js';
import { asSchedule, type ScheduleLike } from './schedules.js';
import { checkDecay, checkFiniteNumber, checkLearningRate, checkNonNegative, checkPositive } from './checks.js';
import { chain, elementwise, emptyParams, mapParams, zerosLikeParams, type GradientTransform, type Params } from './transform.js';

/** Multiply every gradient by a constant. */
export function scale(factor: number): GradientTransform<null> {
  checkFiniteNumber('scale', 'factor', factor);
  return elementwise(() => null, {
    name: 'scale',
    slotCount: 0,
    slots: () => [],
    scalars: () => ({ factor }),
    apply: (g, _p, _s, k) => ({ g: ex.mul(g, k('factor')), slots: [] }),
    next: (state) => state,
  });
}

/** Multiply by −lr(step): the last link of an optimizer chain. */
export function scaleByLearningRate(lr: ScheduleLike): GradientTransform<{ count: number }> {
  checkLearningRate('scaleByLearningRate', lr);
  const sched = asSchedule(lr);
  return elementwise(() => ({ count: 0 }), {
    name: 'scaleByLearningRate',
    slotCount: 0,
    slots: () => [],
    scalars: ({ count }) => {
      const value = sched(count);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new Error(`scaleByLearningRate: the schedule gave learning rate ${value} at step ${count} (expected a finite number ≥ 0)`);
      }
      return { f: -value };
    },
    apply: (g, _p, _s, k) => ({ g: ex.mul(g, k('f')), slots: [] }),
    next: ({ count }) => ({ count: count + 1 }),
  });
}

/** Add `weightDecay · param` to each gradient (decoupled weight decay when placed before the learning rate). */
export function addDecayedWeights(weightDecay: number): GradientTransform<null> {
  checkNonNegative('addDecayedWeights', 'weightDecay', weightDecay);
  return elementwise(() => null, {
    name: 'addDecayedWeights',
    slotCount: 0,
    slots: () => [],
    scalars: () => ({ wd: weightDecay }),
    apply: (g, p, _s, k) => ({ g: weightDecay === 0 ? g : ex.add(g, ex.mul(p, k('wd'))), slots: [] }),
    next: (state) => state,
  });
}

export interface AdamState {
  [key: string]: Params | number;
  count: number;
  mu: Params;
  nu: Params;
}

/** The tensor `name` of the per-parameter map `field` of a transform's state, or a clear error. */
function slotOf(op: string, state: { [key: string]: unknown }, field: string, name: string): Tensor {
  const t = (state[field] as Params | undefined)?.[name];
  if (!t) throw new Error(`${op}: the state has no '${field}' for parameter '${name}' (was it made for other parameters?)`);
  return t;
}

/** Adam's direction m̂/(√v̂ + eps), with bias correction. */
export function scaleByAdam(opts: { b1?: number; b2?: number; eps?: number } = {}): GradientTransform<AdamState> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8 } = opts;
  checkDecay('scaleByAdam', 'b1', b1);
  checkDecay('scaleByAdam', 'b2', b2);
  checkPositive('scaleByAdam', 'eps', eps);
  return elementwise((params) => ({ count: 0, mu: zerosLikeParams(params), nu: zerosLikeParams(params) }), {
    name: 'scaleByAdam',
    slotCount: 2,
    slots: (state, name) => [slotOf('scaleByAdam', state, 'mu', name), slotOf('scaleByAdam', state, 'nu', name)],
    scalars: (state) => {
      const count = state.count + 1;
      return { b1, c1b1: 1 - b1, b2, c1b2: 1 - b2, c1: 1 - b1 ** count, c2: 1 - b2 ** count, eps };
    },
    apply: (g, _p, [mu, nu], k) => {
      // the fused ops' expressions, in their order of operations (axpby, then Adam's direction)
      const m = ex.add(ex.mul(mu!, k('b1')), ex.mul(g, k('c1b1')));
      const v = ex.add(ex.mul(nu!, k('b2')), ex.mul(ex.mul(g, g), k('c1b2')));
      return { g: ex.div(ex.div(m, k('c1')), ex.add(ex.sqrt(ex.div(v, k('c2'))), k('eps'))), slots: [m, v] };
    },
    next: (state, slots) => {
      const mu = emptyParams();
      const nu = emptyParams();
      for (const [name, [m, v]] of Object.entries(slots)) {
        mu[name] = m!;
        nu[name] = v!;
      }
      return { count: state.count + 1, mu, nu };
    },
  });
}

/** Heavy-ball momentum buffer b ← momentum·b + g (PyTorch's SGD convention: b starts as the first g), optionally Nesterov. */
export function traceMomentum(momentum: number, nesterov = false): GradientTransform<{ [k: string]: Params | number; count: number; trace: Params }> {
  checkNonNegative('traceMomentum', 'momentum', momentum);
  return elementwise((params) => ({ count: 0, trace: zerosLikeParams(params) }), {
    name: 'traceMomentum',
    slotCount: 1,
    slots: (state, name) => [slotOf('traceMomentum', state, 'trace', name)],
    // on the first step the buffer (zeros) is weighted 0, so b is the gradient
    scalars: ({ count }) => ({ m: count === 0 ? 0 : momentum, momentum }),
    apply: (g, _p, [trace], k) => {
      const b = ex.add(ex.mul(trace!, k('m')), g);
      return { g: nesterov ? ex.add(g, ex.mul(b, k('momentum'))) : b, slots: [b] };
    },
    next: (state, slots) => {
      const trace = emptyParams();
      for (const [name, [b]] of Object.entries(slots)) trace[name] = b!;
      return { count: state.count + 1, trace };
    },
  });
}

/**
 * SGD as PyTorch's `torch.optim.SGD` (without dampening): lr ≥ 0, momentum ≥ 0, weightDecay ≥ 0
 * (L2, added to the gradient), and Nesterov needs a momentum > 0; anything else throws here.
 */
export function sgd(opts: { lr: ScheduleLike; momentum?: number; nesterov?: boolean; weightDecay?: number }): GradientTransform<any> {
  checkLearningRate('sgd', opts.lr);
  checkNonNegative('sgd', 'momentum', opts.momentum ?? 0);
  checkNonNegative('sgd', 'weightDecay', opts.weightDecay ?? 0);
  if (opts.nesterov && !opts.momentum) throw new Error('sgd: invalid nesterov: Nesterov momentum needs momentum > 0, got momentum 0');
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
 * Check Adam's options as PyTorch does (lr ≥ 0, 0 ≤ betas < 1, weightDecay ≥ 0), except that eps
 * must be > 0: eps = 0 turns a parameter whose gradient is exactly zero into 0/0 = NaN.
 */
function adamOptions(op: string, opts: AdamOptions & { weightDecay?: number }, defaultBetas: [number, number] = [0.9, 0.999]): [number, number] {
  if (!opts || typeof opts !== 'object') throw new Error(`${op}: expected options { lr, betas?, eps?, weightDecay? }, got ${String(opts)}`);
  checkLearningRate(op, opts.lr);
  const betas = opts.betas ?? defaultBetas;
  if (!Array.isArray(betas) || betas.length !== 2) throw new Error(`${op}: invalid betas: expected [b1, b2], got ${JSON.stringify(betas)}`);
  checkDecay(op, 'betas[0]', betas[0]);
  checkDecay(op, 'betas[1]', betas[1]);
  checkPositive(op, 'eps', opts.eps ?? 1e-8);
  checkNonNegative(op, 'weightDecay', opts.weightDecay ?? 0);
  return [betas[0], betas[1]];
}

/**
 * Adam, as PyTorch's `torch.optim.Adam`: `weightDecay` (default 0) is L2 regularisation, added
 * to the gradient before the moment estimates (contrast `adamw`).
 */
export function adam(opts: AdamOptions & { weightDecay?: number }): GradientTransform<any> {
  const [b1, b2] = adamOptions('adam', opts);
  const adamPart = [scaleByAdam({ b1, b2, eps: opts.eps ?? 1e-8 }), scaleByLearningRate(opts.lr)];
  return chain(...(opts.weightDecay ? [addDecayedWeights(opts.weightDecay)] : []), ...adamPart);
}

/** AdamW: Adam with decoupled weight decay, update = −lr·(m̂/(√v̂+eps) + wd·θ), as PyTorch's AdamW (default wd 0.01). */
export function adamw(opts: AdamOptions & { weightDecay?: number }): GradientTransform<any> {
  const [b1, b2] = adamOptions('adamw', opts);
  return chain(scaleByAdam({ b1, b2, eps: opts.eps ?? 1e-8 }), addDecayedWeights(opts.weightDecay ?? 0.01), scaleByLearningRate(opts.lr));
}

/** Lion's direction sign(β1·m + (1 − β1)·g), then its momentum m ← β2·m + (1 − β2)·g (Chen et al. 2023). */
export function scaleByLion(opts: { b1?: number; b2?: number } = {}): GradientTransform<{ [k: string]: Params; mu: Params }> {
  const { b1 = 0.9, b2 = 0.99 } = opts;
  checkDecay('scaleByLion', 'b1', b1);
  checkDecay('scaleByLion', 'b2', b2);
  return {
    init: (params) => ({ mu: zerosLikeParams(params) }),
    update: (grads, state) => {
      const mu = emptyParams();
      const out = mapParams(grads, (g, k) => {
        mu[k] = axpby(b2, state.mu[k]!, 1 - b2, g);
        return sign(axpby(b1, state.mu[k]!, 1 - b1, g));
      });
      return { grads: out, state: { mu } };
    },
  };
}

/**
 * Lion (Chen et al. 2023, "Symbolic discovery of optimization algorithms"), as its reference code:
 * θ ← θ − lr·(sign(β1·m + (1 − β1)·g) + wd·θ), then m ← β2·m + (1 − β2)·g; betas (0.9, 0.99),
 * decoupled weight decay (default 0). Every coordinate moves by lr, so its lr is usually 3–10× smaller
 * than AdamW's.
 */
export function lion(opts: { lr: ScheduleLike; betas?: [number, number]; weightDecay?: number }): GradientTransform<any> {
  // the same checks as Adam's (Lion has no eps, so that check passes on its default)
  const [b1, b2] = adamOptions('lion', opts, [0.9, 0.99]);
  return chain(scaleByLion({ b1, b2 }), addDecayedWeights(opts.weightDecay ?? 0), scaleByLearningRate(opts.lr));
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

/**
 * Keep every row of the chosen weight matrices within L2 norm `maxNorm` after the update (max-norm
 * regularisation; per-row weight-norm clipping for grokking). Placed last in a chain, after the learning
 * rate: the update u of a matrix θ becomes clip(θ + u) − θ, where clip scales each row r of θ + u by
 * min(1, maxNorm/‖r‖) (a row of a [out, in] weight is one output unit's incoming weights). Rows within
 * the bound keep their update exactly. `include` picks the parameters (default: every 2-D one).
 */
export function clipRowNorms(
  maxNorm: number,
  opts: { include?: (name: string, param: Tensor) => boolean } = {},
): GradientTransform<null> {
  if (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new Error(`clipRowNorms: expected maxNorm to be a finite number > 0, got ${String(maxNorm)}`);
  }
  const include = opts.include ?? ((_: string, p: Tensor) => p.ndim === 2);
  const chosen = (k: string, p: Tensor): boolean => {
    if (!include(k, p)) return false;
    if (p.ndim !== 2) throw new Error(`clipRowNorms: '${k}' is chosen but has ${p.ndim} dimensions (expected a 2-D matrix)`);
    return true;
  };
  return {
    init: (params) => {
      for (const [k, p] of Object.entries(params)) chosen(k, p);
      return null;
    },
    update: (grads, state, params) => ({
      grads: mapParams(grads, (u, k) => {
        const p = params[k]!;
        if (!chosen(k, p)) return u;
        const next = add(p, u);
        const norms = sqrt(sum(mul(next, next), 1, true));
        // factor − 1 is exactly 0 on rows within the bound, so their update is u unchanged
        const shrink = sub(div(maxNorm, maximum(norms, maxNorm)), 1);
        return add(u, mul(next, shrink));
      }),
      state,
    }),
  };
}
