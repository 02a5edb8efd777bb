import { describe, expect, it } from 'vitest';
import { grokkingSummary, type CurvePoint } from '../src/index.js';

/** Sample f at steps 0, every, 2·every, … ≤ end. */
const sample = (f: (s: number) => number, end: number, every = 10): CurvePoint[] => {
  const out: CurvePoint[] = [];
  for (let s = 0; s <= end; s += every) out.push({ step: s, value: f(s) });
  return out;
};
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
/** Deterministic "noise" in [−a, a]. */
const wiggle = (s: number, a: number) => a * Math.sin(s * 12.9898) * Math.cos(s * 0.731);

describe('grokkingSummary', () => {
  // Train: linear 0 → 1 over steps 0..100, then 1. Test: 0.25 until 1000, linear to 1 at 1500.
  const train = sample((s) => clamp01(s / 100), 2000);
  const test = sample((s) => (s <= 1000 ? 0.25 : clamp01(0.25 + (0.75 * (s - 1000)) / 500)), 2000);

  it('finds α₀, α₁, Δ_S, Δ_T and the support interval of a clean grokking curve', () => {
    const g = grokkingSummary(train, test);
    expect(g.alpha0).toBe(100);
    expect(g.plateau).toBe(0.25);
    expect(g.peak).toBe(1);
    expect(g.peakStep).toBe(1500);
    expect(g.deltaS).toBeCloseTo(0.75, 12);
    // On the ramp, 0.25 + 0.0015·(s − 1000) ≤ 0.30 up to s = 1033.3: the last sample there is 1030.
    expect(g.alpha1).toBe(1030);
    expect(g.riseEnd).toBe(1450);
    expect(g.deltaT).toBeCloseTo(0, 12);
    expect(g.support).toEqual([100, 1030]);
    expect(g.grokked).toBe(true);
  });

  it('is robust to plateau noise below the margin and to a single spike', () => {
    const noisy = test.map((p) => (p.step < 1000 ? { step: p.step, value: p.value! + wiggle(p.step, 0.03) } : p));
    noisy[60] = { step: 600, value: 0.6 }; // one spike during the plateau
    const g = grokkingSummary(train, noisy);
    expect(g.plateau!).toBeGreaterThan(0.22);
    expect(g.plateau!).toBeLessThan(0.28);
    expect(g.alpha1!).toBeGreaterThanOrEqual(990);
    expect(g.alpha1!).toBeLessThanOrEqual(1070);
    expect(g.grokked).toBe(true);
  });

  it('reports the remaining gap when the test curve stops short', () => {
    const partial = sample((s) => (s <= 1000 ? 0.25 : Math.min(0.8, 0.25 + (0.75 * (s - 1000)) / 500)), 2000);
    const g = grokkingSummary(train, partial);
    expect(g.deltaT).toBeCloseTo(0.2, 12);
    expect(g.deltaS).toBeCloseTo(0.55, 12);
  });

  it('has no α₁ when the test curve never rises (a plateau that never ends)', () => {
    const flat = sample((s) => 0.75 + wiggle(s, 0.02), 2000);
    const g = grokkingSummary(train, flat);
    expect(g.alpha0).toBe(100);
    expect(g.alpha1).toBeNull();
    expect(g.support).toBeNull();
    expect(g.grokked).toBe(false);
    expect(g.deltaT!).toBeGreaterThan(0.2);
  });

  it('does not call simultaneous learning grokking', () => {
    const g = grokkingSummary(train, sample((s) => clamp01(s / 100) * 0.97, 2000));
    expect(g.alpha0).toBe(100);
    expect(g.grokked).toBe(false);
    expect(g.deltaS!).toBeLessThan(0.1);
  });

  it('has no α₀ when the train curve never memorises, and honours trainThreshold', () => {
    const weak = sample((s) => Math.min(0.9, s / 100), 500);
    expect(grokkingSummary(weak, test).alpha0).toBeNull();
    expect(grokkingSummary(weak, test).grokked).toBe(false);
    expect(grokkingSummary(weak, test, { trainThreshold: 0.85 }).alpha0).toBe(90);
  });
});
