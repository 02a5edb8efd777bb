/**
 * The log-linear masking schedule of masked (absorbing-state) diffusion: at time t ∈ (0, 1] each
 * token is masked independently with probability t (α_t = 1 − t survives), and the continuous-time
 * ELBO weights the masked tokens' cross-entropy by −α'_t / (1 − α_t) = 1/t.
 */
import { checks, defaultGenerator, tensor, type Generator, type Tensor } from '@grokkit/core';

/** Probability that a token is masked at time t (the log-linear schedule: t itself). */
export function maskProbability(t: number): number {
  return t;
}

/** The ELBO weight of a masked token's −log p at time t: −α'_t/(1 − α_t) = 1/t. */
export function lossWeight(t: number): number {
  return 1 / t;
}

export interface TimeOptions {
  /** Smallest time, so the 1/t weight stays finite (default 1e-3). */
  eps?: number;
  rng?: Generator;
  /**
   * Low-discrepancy draws (MDLM's antithetic sampling): t_i = ε + (1−ε)·((u + i/n) mod 1) for
   * one uniform u, so a batch covers (ε, 1) evenly. Each t_i is still U(ε, 1) (default false).
   */
  stratified?: boolean;
}

/** n times t ~ U(ε, 1), as a float32 tensor [n]. */
export function sampleTimes(n: number, opts: TimeOptions = {}): Tensor {
  checks.positiveInt('sampleTimes', 'n', n);
  const eps = opts.eps ?? 1e-3;
  if (!(eps > 0 && eps < 1)) throw new Error(`sampleTimes: expected 0 < eps < 1, got ${eps}`);
  const g = opts.rng ?? defaultGenerator();
  const t = new Float32Array(n);
  const u0 = opts.stratified ? g.uniform() : 0;
  for (let i = 0; i < n; i++) {
    const u = opts.stratified ? (u0 + i / n) % 1 : g.uniform();
    t[i] = eps + (1 - eps) * u;
  }
  return tensor(t, { shape: [n] });
}
