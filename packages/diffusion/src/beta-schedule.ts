/**
 * Noise schedules of Gaussian DDPM (Ho et al. 2020; Nichol & Dhariwal 2021): β_t for t = 1..T,
 * α_t = 1 − β_t, ᾱ_t = Π_{s ≤ t} α_s.
 */
import { checks } from '@grokkit/core';

export const BETA_SCHEDULES = ['linear', 'cosine'] as const;
export type BetaScheduleKind = (typeof BETA_SCHEDULES)[number];

export interface BetaScheduleOptions {
  /** Linear: β₁ and β_T. Default Ho et al.'s 1e-4 and 0.02 for T = 1000, scaled by 1000/T for other T (so ᾱ_T stays ≈ 0). */
  betaStart?: number;
  betaEnd?: number;
  /** Cosine: the offset s in ᾱ(t) = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2) (default 0.008). */
  offset?: number;
  /** Cosine: the cap on β_t (default 0.999). */
  maxBeta?: number;
}

/** β_1..β_T as a Float64Array of length T (index t−1 holds β_t). */
export function betaSchedule(kind: BetaScheduleKind, steps: number, opts: BetaScheduleOptions = {}): Float64Array {
  const op = 'betaSchedule';
  checks.oneOf(op, 'kind', kind, BETA_SCHEDULES);
  const T = checks.positiveInt(op, 'steps', steps);
  const betas = new Float64Array(T);
  if (kind === 'linear') {
    const scale = 1000 / T;
    const b0 = opts.betaStart ?? Math.min(0.999, scale * 1e-4);
    const b1 = opts.betaEnd ?? Math.min(0.999, scale * 0.02);
    if (!(b0 > 0 && b1 >= b0 && b1 < 1)) throw new Error(`${op}: expected 0 < betaStart ≤ betaEnd < 1, got ${b0} and ${b1}`);
    for (let t = 0; t < T; t++) betas[t] = T === 1 ? b0 : b0 + ((b1 - b0) * t) / (T - 1);
    return betas;
  }
  const s = opts.offset ?? 0.008;
  const cap = opts.maxBeta ?? 0.999;
  if (!(s >= 0)) throw new Error(`${op}: expected offset ≥ 0, got ${s}`);
  if (!(cap > 0 && cap < 1)) throw new Error(`${op}: expected 0 < maxBeta < 1, got ${cap}`);
  const f = (t: number) => Math.cos(((t / T + s) / (1 + s)) * (Math.PI / 2)) ** 2;
  for (let t = 1; t <= T; t++) betas[t - 1] = Math.min(cap, 1 - f(t) / f(t - 1));
  return betas;
}

/** ᾱ_1..ᾱ_T from β_1..β_T. */
export function alphaBars(betas: ArrayLike<number>): Float64Array {
  const out = new Float64Array(betas.length);
  let prod = 1;
  for (let t = 0; t < betas.length; t++) {
    prod *= 1 - betas[t]!;
    out[t] = prod;
  }
  return out;
}
