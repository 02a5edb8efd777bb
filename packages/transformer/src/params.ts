/** Parameter creation in a chosen float dtype, and the init-scale multiplier. */
import { full, noGrad, parameter, rand, randn, tidy, type Generator, type Module, type Tensor } from '@grokkit/core';
import type { FloatDType } from './checks.js';

/** U(−bound, bound). */
export function uniformParam(shape: readonly number[], bound: number, rng: Generator | undefined, dtype: FloatDType): Tensor {
  return parameter(rand(shape, { low: -bound, high: bound, rng, dtype }));
}

/** N(0, std²). */
export function normalParam(shape: readonly number[], std: number, rng: Generator | undefined, dtype: FloatDType): Tensor {
  return parameter(randn(shape, { std, rng, dtype }));
}

/** Every entry `value`. */
export function constParam(shape: readonly number[], value: number, dtype: FloatDType): Tensor {
  return parameter(full(shape, value, { dtype }));
}

/**
 * Multiply every parameter of `module` by `k` in place (Omnigrok's large initialisation: the
 * initial weights ×k). Returns the module.
 */
export function scaleParameters<M extends Module>(module: M, k: number): M {
  if (!Number.isFinite(k) || k <= 0) throw new Error(`scaleParameters: expected a positive finite factor, got ${k}`);
  if (k === 1) return module;
  tidy(() =>
    noGrad(() => {
      for (const p of module.parameters()) p.assign(p.mul(k));
    }),
  );
  return module;
}
