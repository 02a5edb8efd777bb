import { checks } from '@grokkit/core';
import { transferAt } from './polynomial.js';
import type { FilterSpec } from './spec.js';
import { normaliseFilter } from './lti.js';
import { checkAlpha } from './validate.js';

/** Samples of 1 + H(ω) for ω = π·i/(n−1), i = 0 … n−1. */
export interface FrequencyResponse {
  /** Angular frequency in radians per step, from 0 (DC) to π (Nyquist). */
  omega: Float64Array;
  /** |1 + H(ω)|: the gain applied to a gradient component of frequency ω. */
  magnitude: Float64Array;
  /** arg(1 + H(ω)) in radians. */
  phase: Float64Array;
  /** |H(ω)| of the added term alone (including λ). */
  filterMagnitude: Float64Array;
}

/** Something whose response can be computed: a spec, a raw {b, a, lamb}, or a filter carrying `.spec`. */
export type ResponseSource = FilterSpec | { kind?: undefined; b: readonly number[]; a?: readonly number[]; lamb?: number } | { spec: FilterSpec };

/** The added term λ·h as difference-equation coefficients (steady state; warmup and start-up are ignored). */
export function specToCoefficients(src: ResponseSource): { b: number[]; a: number[] } {
  const spec = 'spec' in src ? src.spec : src;
  if (spec.kind !== undefined) {
    const lamb = checks.number('frequencyResponse', 'lamb', spec.lamb);
    switch (spec.kind) {
      case 'ema': {
        const alpha = checkAlpha('frequencyResponse', spec.alpha);
        return { b: [lamb * (1 - alpha)], a: [1, -alpha] };
      }
      case 'ma': {
        const w = checks.positiveInt('frequencyResponse', 'windowSize', spec.windowSize);
        return { b: Array.from({ length: w }, () => (spec.filterType === 'sum' ? lamb : lamb / w)), a: [1] };
      }
      case 'lti': {
        const { b, a } = normaliseFilter('frequencyResponse', spec.b, spec.a);
        return { b: b.map((x) => x * lamb), a };
      }
      default:
        throw new Error(`frequencyResponse: unknown filter kind ${JSON.stringify((spec as { kind: unknown }).kind)}`);
    }
  }
  const lamb = checks.number('frequencyResponse', 'lamb', spec.lamb ?? 1);
  const { b, a } = normaliseFilter('frequencyResponse', spec.b, spec.a ?? [1]);
  return { b: b.map((x) => x * lamb), a };
}

/**
 * The frequency response of a gradient filter ĝ = g + λ·(h * g): n samples of 1 + H(e^{iω}) on
 * [0, π], as magnitude and phase, for plotting. The MA response is the full-window one.
 */
export function frequencyResponse(filter: ResponseSource, n = 256): FrequencyResponse {
  const count = checks.positiveInt('frequencyResponse', 'n', n);
  if (count < 2) throw new Error(`frequencyResponse: expected n ≥ 2 frequencies, got ${n}`);
  const { b, a } = specToCoefficients(filter);
  const out: FrequencyResponse = {
    omega: new Float64Array(count),
    magnitude: new Float64Array(count),
    phase: new Float64Array(count),
    filterMagnitude: new Float64Array(count),
  };
  for (let i = 0; i < count; i++) {
    const w = (Math.PI * i) / (count - 1);
    const [re, im] = transferAt(b, a, w);
    out.omega[i] = w;
    out.filterMagnitude[i] = Math.hypot(re, im);
    out.magnitude[i] = Math.hypot(1 + re, im);
    out.phase[i] = Math.atan2(im, 1 + re);
  }
  return out;
}
