import { fmt } from '../shape.js';
import { type Tensor, keep, noGrad, tidy, tensorsIn } from '../tensor.js';
import { zeros } from '../ops.js';
import { axpby } from '../fused-ops.js';

/** Named tensors: parameters, gradients or updates, keyed by parameter name. */
export type Params = Record<string, Tensor>;

/** A transform's state: tensors and numbers in plain objects/arrays, so it can be checkpointed. */
export type State = Tensor | number | string | boolean | null | State[] | { [key: string]: State };

/**
 * A gradient transformation, as in optax: `init` makes the state from the parameters; `update`
 * maps gradients (and state, params) to transformed gradients and the next state. Neither
 * mutates its arguments. At the end of a chain, the output is the update added to the parameters.
 * `update` may keep the gradient tensors it receives in its state: `Optimizer.update` passes views
 * that nothing else disposes (code calling `update` directly must likewise not dispose what it passed).
 */
export interface GradientTransform<S extends State = State> {
  init(params: Params): S;
  update(grads: Params, state: S, params: Params): { grads: Params; state: S };
}

/** Compose transforms left to right; the state is the array of the parts' states. */
export function chain(...transforms: GradientTransform<any>[]): GradientTransform<State[]> {
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update(grads, state, params) {
      const next: State[] = [];
      let g = grads;
      transforms.forEach((t, i) => {
        const r = t.update(g, state[i], params);
        g = r.grads;
        next.push(r.state);
      });
      return { grads: g, state: next };
    },
  };
}

/**
 * An empty map of named tensors without a prototype, so any name (`__proto__`, `constructor`) is an
 * ordinary key and `in` sees only what was put there.
 */
export function emptyParams(): Params {
  return Object.create(null) as Params;
}

/** Apply `fn` to every tensor of `grads` by name. */
export function mapParams(grads: Params, fn: (g: Tensor, name: string) => Tensor): Params {
  const out = emptyParams();
  for (const [k, g] of Object.entries(grads)) out[k] = fn(g, k);
  return out;
}

/** Zero tensors shaped like each parameter. */
export function zerosLikeParams(params: Params): Params {
  return mapParams(params, (p) => zeros(p.shape, p.dtype, p.device));
}

/** Throw unless `a` and `b` have the same names, shapes and dtypes. */
export function checkSameTree(op: string, expected: Params, given: Params): void {
  const ek = Object.keys(expected);
  const gk = Object.keys(given);
  const missing = ek.filter((k) => !Object.hasOwn(given, k));
  const extra = gk.filter((k) => !Object.hasOwn(expected, k));
  if (missing.length || extra.length) {
    throw new Error(`${op}: parameter names differ (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`);
  }
  for (const k of ek) {
    const e = expected[k]!;
    const g = given[k]!;
    if (e.shape.join() !== g.shape.join() || e.dtype !== g.dtype) {
      throw new Error(`${op}: '${k}' expected ${fmt(e.shape)} ${e.dtype}, got ${fmt(g.shape)} ${g.dtype}`);
    }
  }
}

/**
 * Runs a transform on a parameter set: owns the state (kept out of `tidy` scopes), turns each
 * parameter's `.grad` into an update and adds it in place. Old state is disposed as it is replaced.
 */
export class Optimizer<S extends State = State> {
  state: S;
  step = 0;
  constructor(
    readonly params: Params,
    readonly transform: GradientTransform<S>,
  ) {
    this.state = keepAll(tidy(() => noGrad(() => transform.init(params))));
  }

  /**
   * One update from the parameters' `.grad` (missing gradients count as zeros), or from `grads`.
   * Transforms receive views of the gradients (new tensors sharing their storage), so a transform
   * may keep one in its state: `zeroGrad()`, a later `backward()` and disposing `grads` leave it intact.
   */
  update(grads?: Params): void {
    const old = this.state;
    const next = tidy(() =>
      noGrad(() => {
        // transforms get views of the gradients, so state that keeps one survives zeroGrad()
        const g = emptyParams();
        for (const [k, p] of Object.entries(this.params)) {
          const src = grads ? grads[k] : p.grad;
          g[k] = src ? src.shareAs(src.shape) : zeros(p.shape, p.dtype, p.device);
        }
        const r = this.transform.update(g, old, this.params);
        for (const [k, p] of Object.entries(this.params)) {
          const u = r.grads[k];
          if (!u) throw new Error(`Optimizer: the transform returned no update for '${k}'`);
          p.assign(axpby(1, p, 1, u));
        }
        return r.state;
      }),
    );
    this.setState(next, this.step + 1);
  }

  zeroGrad(): void {
    for (const p of Object.values(this.params)) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Replace the state (e.g. from a checkpoint); the old state is disposed. */
  setState(state: S, step: number): void {
    const old = this.state;
    this.state = keepAll(state);
    this.step = step;
    const still = tensorsIn(state);
    for (const t of tensorsIn(old)) if (!still.has(t)) t.dispose();
  }

  dispose(): void {
    for (const t of tensorsIn(this.state)) t.dispose();
  }
}

function keepAll<T>(x: T): T {
  for (const t of tensorsIn(x)) keep(t);
  return x;
}

