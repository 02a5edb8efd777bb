import { ex, type Expr } from '../expr.js';
import { fusedExpressions } from '../fused-expressions.js';
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
  /** Present when the transform acts on each element on its own: its rule (see `elementwise`). */
  readonly rule?: ElementwiseRule<S>;
}

/**
 * The per-element rule of a transform that acts on each element on its own (Adam, momentum,
 * weight decay, the learning rate, Grokfast-EMA), written once as expressions (expr.ts). From it
 * come the transform's `update` (`elementwise`) and, for a chain of such transforms, one pass per
 * parameter that computes the whole chain, its next state and the parameter's new value
 * (`Optimizer.update`); evaluated with tensor ops (`setFusion(false)`, or a backend without
 * `expressions`) it is its own oracle.
 */
export interface ElementwiseRule<S extends State = State> {
  /** Used in error messages. */
  readonly name: string;
  /** How many state tensors per parameter the rule reads and replaces (`slots`). */
  readonly slotCount: number;
  /** Parameter `name`'s state tensors, each shaped like the parameter (throw if the state has none). */
  slots(state: S, name: string): Tensor[];
  /** This step's numbers, read by the expressions through `k(name)`; throw on a bad one (a schedule's). */
  scalars(state: S): Record<string, number>;
  /**
   * One element: from the incoming gradient `g`, the parameter `p`, the values of the `slotCount`
   * state tensors and this step's numbers `k(name)`, the outgoing gradient and the slots' next
   * values (in `slots` order). Called once per transform: the expressions serve every step, so
   * anything that changes between steps is a number from `scalars`.
   */
  apply(g: Expr, p: Expr, slots: readonly Expr[], k: (name: string) => Expr): { g: Expr; slots: Expr[] };
  /** The next state, from each parameter's next state tensors (by parameter name). */
  next(state: S, slots: Record<string, Tensor[]>): S;
}

/** The expressions of `rule` over inputs (g, p, ...slots): the outgoing gradient, then the slots' next values. */
const ruleExprs = new WeakMap<ElementwiseRule<any>, Expr[]>();
/** The same with the parameter's new value p + update in place of the outgoing gradient (the optimizer's pass). */
const stepExprs = new WeakMap<ElementwiseRule<any>, Expr[]>();

function exprsOf(rule: ElementwiseRule<any>, addToParam: boolean): Expr[] {
  const cache = addToParam ? stepExprs : ruleExprs;
  let es = cache.get(rule);
  if (!es) {
    const p = ex.input(1);
    const slots = Array.from({ length: rule.slotCount }, (_, i) => ex.input(i + 2));
    const r = rule.apply(ex.input(0), p, slots, (name) => ex.param(name));
    if (r.slots.length !== rule.slotCount) throw new Error(`${rule.name}: apply() returned ${r.slots.length} slot values, expected ${rule.slotCount}`);
    es = [addToParam ? ex.add(p, r.g) : r.g, ...r.slots];
    cache.set(rule, es);
  }
  return es;
}

/** Run `rule` on every parameter: its outputs (first expression and slots' next values) and the next state. */
function runRule<S extends State>(rule: ElementwiseRule<S>, grads: Params, state: S, params: Params, addToParam: boolean): { first: Params; state: S } {
  checkSameTree(rule.name, params, grads);
  const es = exprsOf(rule, addToParam);
  const k = rule.scalars(state);
  const first = emptyParams();
  const slots: Record<string, Tensor[]> = Object.create(null);
  for (const [name, g] of Object.entries(grads)) {
    const [out, ...next] = fusedExpressions(es, [g, params[name]!, ...rule.slots(state, name)], k);
    first[name] = out!;
    slots[name] = next;
  }
  return { first, state: rule.next(state, slots) };
}

/** A gradient transform from its initial state and its per-element rule: `update` runs the rule on every parameter. */
export function elementwise<S extends State>(init: (params: Params) => S, rule: ElementwiseRule<S>): GradientTransform<S> {
  return {
    init,
    update(grads, state, params) {
      const r = runRule(rule, grads, state, params, false);
      return { grads: r.first, state: r.state };
    },
    rule,
  };
}

/** The rule of a chain of elementwise transforms: the parts' rules in turn, their numbers named `i.name`. */
function chainRule(rules: ElementwiseRule<any>[]): ElementwiseRule<State[]> {
  const offsets: number[] = [];
  let slotCount = 0;
  for (const r of rules) {
    offsets.push(slotCount);
    slotCount += r.slotCount;
  }
  return {
    name: 'chain',
    slotCount,
    slots: (state, name) => rules.flatMap((r, i) => r.slots(state[i], name)),
    scalars(state) {
      const out: Record<string, number> = Object.create(null);
      rules.forEach((r, i) => {
        for (const [name, v] of Object.entries(r.scalars(state[i]))) out[`${i}.${name}`] = v;
      });
      return out;
    },
    apply(g, p, slots, k) {
      const next: Expr[] = [];
      rules.forEach((r, i) => {
        const out = r.apply(g, p, slots.slice(offsets[i], offsets[i]! + r.slotCount), (name) => k(`${i}.${name}`));
        g = out.g;
        next.push(...out.slots);
      });
      return { g, slots: next };
    },
    next: (state, slots) =>
      rules.map((r, i) => {
        const mine: Record<string, Tensor[]> = Object.create(null);
        for (const [name, s] of Object.entries(slots)) mine[name] = s.slice(offsets[i], offsets[i]! + r.slotCount);
        return r.next(state[i], mine);
      }),
  };
}

/**
 * Compose transforms left to right; the state is the array of the parts' states. When every part
 * is elementwise the chain is too (its `rule` runs the parts' rules in one pass).
 */
export function chain(...transforms: GradientTransform<any>[]): GradientTransform<State[]> {
  const t: GradientTransform<State[]> = {
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
  const rules = transforms.map((t) => t.rule);
  return rules.every((r) => r !== undefined) ? { ...t, rule: chainRule(rules) } : t;
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
   * An elementwise transform (one with a `rule`) runs as one pass per parameter that also writes
   * p + update. Nothing is changed when it throws (bad gradients, a state for other parameters).
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
        const rule = this.transform.rule;
        if (rule) {
          // one pass per parameter: the whole transform, its next state and p + update
          const r = runRule(rule, g, old, this.params, true);
          for (const [k, p] of Object.entries(this.params)) p.assign(r.first[k]!);
          return r.state;
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

