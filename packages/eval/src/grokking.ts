import type { CurvePoint } from './metrics.js';
import { stepsToThreshold } from './metrics.js';

export interface GrokkingOptions {
  /** τ_train: training accuracy that counts as memorised (default 0.99). */
  trainThreshold?: number;
  /** Test values within `margin` above the plateau level still count as "on the plateau" (default 0.05). */
  margin?: number;
  /** Number of test evaluations from α₀ on whose median is the plateau level (default 3). */
  plateauWindow?: number;
  /** Smallest Δ_S that counts as a rise; below it there is no α₁ (default 0.1). */
  minRise?: number;
}

/** Grokking summary numbers after Carvalho et al. 2025; every field is defined in docs/metrics.md. */
export interface GrokkingSummary {
  /** α₀, end of memorisation: first step with train ≥ τ_train. */
  alpha0: number | null;
  /** α₁, start of generalisation: last step in [α₀, peakStep] with test ≤ plateau + margin; null without a rise. */
  alpha1: number | null;
  /** First step with test ≥ plateau + 0.9·Δ_S (the rise is 90% done); null without a rise. */
  riseEnd: number | null;
  /** Test level on the plateau: median of the first `plateauWindow` test values at steps ≥ α₀. */
  plateau: number | null;
  /** Highest test value at steps ≥ α₀, and the first step it is reached. */
  peak: number | null;
  peakStep: number | null;
  /** Δ_S, rise of the test curve: peak − plateau. */
  deltaS: number | null;
  /** Δ_T, remaining gap: train − test at the last test evaluation. */
  deltaT: number | null;
  /** Support interval [α₀, α₁]: memorised but not yet generalising. Null without a rise. */
  support: [number, number] | null;
  /** A rise of at least `minRise` that starts strictly after memorisation (α₁ > α₀). */
  grokked: boolean;
}

type Pt = { step: number; value: number };

function clean(c: readonly CurvePoint[]): Pt[] {
  return c.filter((p): p is Pt => typeof p.value === 'number' && !Number.isNaN(p.value)).sort((a, b) => a.step - b.step);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Value of `c` at the last point with step ≤ `step` (the curve as last measured). */
function valueAt(c: Pt[], step: number): number | null {
  let v: number | null = null;
  for (const p of c) {
    if (p.step > step) break;
    v = p.value;
  }
  return v;
}

/**
 * α₀, α₁, Δ_S, Δ_T and the support interval from a train and a test accuracy curve (eval records
 * as `{step, value}`; missing values are skipped). See docs/metrics.md for the definitions.
 */
export function grokkingSummary(train: readonly CurvePoint[], test: readonly CurvePoint[], opts: GrokkingOptions = {}): GrokkingSummary {
  const tauTrain = opts.trainThreshold ?? 0.99;
  const margin = opts.margin ?? 0.05;
  const window = Math.max(1, Math.floor(opts.plateauWindow ?? 3));
  const minRise = opts.minRise ?? 0.1;
  const tr = clean(train);
  const te = clean(test);
  const out: GrokkingSummary = {
    alpha0: null, alpha1: null, riseEnd: null, plateau: null, peak: null, peakStep: null,
    deltaS: null, deltaT: null, support: null, grokked: false,
  };
  const lastTest = te[te.length - 1];
  if (lastTest) {
    const t = valueAt(tr, lastTest.step);
    if (t !== null) out.deltaT = t - lastTest.value;
  }
  const a0 = stepsToThreshold(tr, tauTrain);
  out.alpha0 = a0;
  if (a0 === null) return out;
  const tail = te.filter((p) => p.step >= a0);
  if (tail.length === 0) return out;
  const plateau = median(tail.slice(0, window).map((p) => p.value));
  let peakIdx = 0;
  tail.forEach((p, i) => {
    if (p.value > tail[peakIdx]!.value) peakIdx = i;
  });
  const peak = tail[peakIdx]!;
  const deltaS = peak.value - plateau;
  Object.assign(out, { plateau, peak: peak.value, peakStep: peak.step, deltaS });
  if (!(deltaS >= minRise)) return out;
  let a1 = a0;
  for (let i = 0; i <= peakIdx; i++) if (tail[i]!.value <= plateau + margin) a1 = tail[i]!.step;
  out.alpha1 = a1;
  out.riseEnd = tail.find((p) => p.step >= a1 && p.value >= plateau + 0.9 * deltaS)?.step ?? null;
  out.support = [a0, a1];
  out.grokked = a1 > a0;
  return out;
}
