import { Tensor, checkSameTree, detach, emptyParams, fmt, type GradientTransform, type Params, type State } from '@grokkit/core';

/** What a per-parameter filter sees besides its own state. */
export interface StepContext {
  /** Number of earlier updates (0 on the first gradient). */
  count: number;
  /** The parameter's name in the tree. */
  name: string;
  /** The parameter itself (read it, never change it). */
  param: Tensor;
}

/**
 * A filter written for one parameter at a time. `init` allocates that parameter's state (a fixed
 * structure: tensors, numbers, arrays, plain objects); `step` maps one gradient and the state to the
 * filtered gradient and the next state, without mutating either. The gradient handed to `step` is a
 * private view, so storing it in the state is safe.
 */
export interface PerParamFilterDef<S extends State> {
  /** Used in error messages. */
  name: string;
  init(param: Tensor, name: string): S;
  step(grad: Tensor, state: S, ctx: StepContext): { grad: Tensor; state: S };
}

/** The state of a per-parameter filter: a step counter and one state per parameter name. */
export type PerParamState<S extends State> = { count: number; params: { [name: string]: S } };

/**
 * Lift a per-parameter filter to a GradientTransform over the whole parameter tree. It checks that
 * gradients match the parameters (names, shapes, dtypes) and the state, and on the first update that
 * `step` returns a state shaped like `init`'s, so checkpoints can be validated against a fresh init.
 */
export function perParamFilter<S extends State>(def: PerParamFilterDef<S>): GradientTransform<PerParamState<S>> {
  const op = def.name;
  return {
    init(params: Params): PerParamState<S> {
      const out: { [name: string]: S } = Object.create(null);
      for (const [k, p] of Object.entries(params)) out[k] = def.init(p, k);
      return { count: 0, params: out };
    },
    update(grads: Params, state: PerParamState<S>, params: Params) {
      checkSameTree(op, params, grads);
      const have = Object.keys(state.params);
      const missing = Object.keys(grads).filter((k) => !Object.hasOwn(state.params, k));
      const extra = have.filter((k) => !Object.hasOwn(grads, k));
      if (missing.length || extra.length) {
        throw new Error(`${op}: the gradients and the filter state name different parameters (no state for: ${missing.join(', ') || 'none'}; state but no gradient for: ${extra.join(', ') || 'none'})`);
      }
      const next: { [name: string]: S } = Object.create(null);
      const out = emptyParams();
      for (const [k, g] of Object.entries(grads)) {
        const r = def.step(detach(g), state.params[k]!, { count: state.count, name: k, param: params[k]! });
        const rg: unknown = r?.grad;
        if (!(rg instanceof Tensor) || rg.dtype !== g.dtype || rg.shape.join() !== g.shape.join() || rg.device !== g.device) {
          const given = rg instanceof Tensor ? `${fmt(rg.shape)} ${rg.dtype} on '${rg.device}'` : String(rg);
          throw new Error(`${op}: step() returned a gradient ${given} for parameter '${k}', expected ${fmt(g.shape)} ${g.dtype} on '${g.device}' (like the parameter)`);
        }
        if (state.count === 0) {
          const diff = structureDiff(state.params[k]!, r.state, k);
          if (diff) throw new Error(`${op}: step() must return a state shaped like init()'s: ${diff}`);
        }
        out[k] = r.grad;
        next[k] = r.state;
      }
      return { grads: out, state: { count: state.count + 1, params: next } };
    },
  };
}

function kindOf(x: State): string {
  if (x instanceof Tensor) return `tensor [${x.shape.join(', ')}] ${x.dtype}`;
  if (x === null) return 'null';
  if (Array.isArray(x)) return `list of ${x.length}`;
  return typeof x;
}

/** Where `given` departs from the structure of `expected` (tensor shapes and dtypes, list lengths, keys, leaf kinds), or null. */
function structureDiff(expected: State, given: State, path: string): string | null {
  if (expected instanceof Tensor || given instanceof Tensor || expected === null || given === null || typeof expected !== 'object' || typeof given !== 'object') {
    const ek = kindOf(expected);
    const gk = kindOf(given);
    return ek === gk ? null : `${path} expected ${ek}, got ${gk}`;
  }
  if (Array.isArray(expected) || Array.isArray(given)) {
    if (!Array.isArray(expected) || !Array.isArray(given) || expected.length !== given.length) return `${path} expected ${kindOf(expected)}, got ${kindOf(given)}`;
    for (let i = 0; i < expected.length; i++) {
      const d = structureDiff(expected[i]!, given[i]!, `${path}/${i}`);
      if (d) return d;
    }
    return null;
  }
  const ek = Object.keys(expected);
  const gk = Object.keys(given);
  if (ek.length !== gk.length || ek.some((k) => !Object.hasOwn(given, k))) return `${path} expected keys {${ek.join(', ')}}, got {${gk.join(', ')}}`;
  for (const k of ek) {
    const d = structureDiff(expected[k]!, (given as { [key: string]: State })[k]!, `${path}/${k}`);
    if (d) return d;
  }
  return null;
}
