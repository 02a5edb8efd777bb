import type { GradientTransform, State } from '@grokkit/core';

/**
 * A description of a linear gradient filter ĝ = g + λ·(h * g), enough to compute its frequency
 * response without running it. Built-in filters carry theirs as `.spec`.
 */
export type FilterSpec =
  | { kind: 'ema'; alpha: number; lamb: number }
  | { kind: 'ma'; windowSize: number; lamb: number; filterType: 'mean' | 'sum' }
  | { kind: 'lti'; b: readonly number[]; a: readonly number[]; lamb: number };

/** A GradientTransform that also describes itself. */
export type FilterTransform<S extends State> = GradientTransform<S> & { readonly spec: FilterSpec };

/** Attach a spec to a transform (returns a new object, keeping an elementwise transform's rule). */
export function withSpec<S extends State>(t: GradientTransform<S>, spec: FilterSpec): FilterTransform<S> {
  return { init: t.init, update: t.update, ...(t.rule ? { rule: t.rule } : {}), spec };
}
