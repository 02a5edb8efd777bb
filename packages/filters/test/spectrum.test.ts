import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { GradientSpectrum, grokfastEma, lowHighRatio } from '../src/index.js';

describe('GradientSpectrum', () => {
  it('a sinusoidal gradient puts A²/2 · mean_j (r_j·v)² into the band holding its frequency', () => {
    const A = 3;
    const v = [0.5, -1, 2, 0.25, 1];
    const spec = new GradientSpectrum({ projections: 3, window: 256 });
    const f0 = 24 / 256; // cycles per step: ν = 0.1875 of Nyquist, an exact bin
    for (let t = 0; t < 300; t++) {
      const s = A * Math.sin(2 * Math.PI * f0 * t);
      g.tidy(() => spec.record({ w: g.tensor(v.map((x) => x * s), { dtype: 'float64' }) }));
    }
    const rep = spec.report();
    expect(rep.step).toBe(300);
    expect(rep.samples).toBe(256);
    expect(rep.frequencies.length).toBe(129);
    const P = spec.projection('w')!.toArray() as number[][];
    expect(P.length).toBe(3);
    const want = (P.reduce((s, r) => s + r.reduce((d, x, i) => d + x * v[i]!, 0) ** 2, 0) / 3) * (A * A) / 2;
    const total = rep.overall.bands.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(want, 10);
    expect(rep.overall.bands[5]).toBeCloseTo(want, 10); // band [1/8, 1/4)
    expect(rep.params.w!.bands).toEqual(rep.overall.bands);
    // Hann: the line at bin 24 and its neighbours carry 4 : 1 : 1 of the power
    expect(rep.overall.psd[24]! / rep.overall.psd[23]!).toBeCloseTo(4, 8);
    expect(rep.overall.psd[30]!).toBeLessThan(1e-20);
  });

  it('keeps only the latest window: an old burst is forgotten, a constant is all low-frequency', () => {
    const spec = new GradientSpectrum({ projections: 2, window: 8, edges: [0, 0.3, 1] });
    const r = g.rng(9);
    for (let t = 0; t < 12; t++) spec.record({ p: g.tensor([100 * r.normal(), 100 * r.normal()]) });
    for (let t = 0; t < 8; t++) spec.record({ p: g.tensor([1, -2]) });
    const rep = spec.report();
    expect(rep.overall.bands[0]).toBeGreaterThan(0);
    expect(rep.overall.bands[1]! / rep.overall.bands[0]!).toBeLessThan(1e-12);
    expect(lowHighRatio(rep, 0.3)).toBeGreaterThan(1e12);
    // alternating sign: all power at Nyquist
    spec.reset();
    for (let t = 0; t < 8; t++) spec.record({ p: g.tensor([t % 2 ? 1 : -1, t % 2 ? -1 : 1]) });
    expect(spec.lowHighRatio(0.3)).toBeLessThan(1e-12);
  });

  it('as a transform it passes gradients through untouched', () => {
    const spec = new GradientSpectrum({ window: 16 });
    const t = spec.transform();
    const grads = { a: g.tensor([1, 2]), b: g.tensor([[3]]) };
    const r = t.update(grads, t.init(grads), grads);
    expect(r.grads).toBe(grads);
    expect(spec.steps).toBe(1);
    expect(Object.keys(spec.report().params)).toEqual(['a', 'b']);
  });

  it('shows the EMA filter moving power to low frequencies', () => {
    const before = new GradientSpectrum({ window: 128, seed: 1 });
    const after = new GradientSpectrum({ window: 128, seed: 1 });
    const t = g.chain(before.transform(), grokfastEma({ alpha: 0.9, lamb: 5 }), after.transform());
    const p = g.zeros([50]);
    let state = t.init({ p });
    const r = g.rng(3);
    for (let i = 0; i < 128; i++) {
      const res = t.update({ p: g.randn([50], { rng: r }) }, state, { p });
      state = res.state;
    }
    const cutoff = 1 / 16;
    const gain = after.lowHighRatio(cutoff) / before.lowHighRatio(cutoff);
    expect(gain).toBeGreaterThan(5); // |1+H|² ≈ 36 at DC, ≈ 1.1–2 above the cutoff
  });

  it('its state survives a checkpoint: a restored spectrum reports and continues exactly as the original', async () => {
    const make = () => new GradientSpectrum({ projections: 3, window: 16, seed: 5 });
    const r = g.rng(4);
    const grads = Array.from({ length: 40 }, () => ({ w: g.tensor([r.normal(), r.normal(), r.normal()]), b: g.tensor([r.normal()]) }));
    const straight = make();
    for (const gr of grads) straight.record(gr);
    const first = make();
    for (const gr of grads.slice(0, 23)) first.record(gr);
    // through a checkpoint's JSON header, as GrokBench saves it
    const bytes = await g.saveCheckpoint({ params: { x: g.zeros([1]) }, extra: { spectrum: first.state() } });
    const resumed = make();
    resumed.setState(g.loadCheckpoint(bytes).extra.spectrum as ReturnType<GradientSpectrum['state']>);
    expect(resumed.steps).toBe(23);
    expect(resumed.report()).toEqual(first.report());
    for (const gr of grads.slice(23)) resumed.record(gr);
    expect(resumed.report()).toEqual(straight.report());
    expect(resumed.lowHighRatio(0.25)).toBe(straight.lowHighRatio(0.25));
    // a bad state is refused whole: nothing changes
    const before = resumed.report();
    expect(() => resumed.setState({ count: 3, buffers: { w: [1, 2] } })).toThrow(
      /GradientSpectrum.setState: expected \{count: an integer ≥ 0, buffers: \{name: 48 finite numbers \(3 projections × window 16\)\}\}, got \{count: 3, buffers: \{w: 2 numbers\}\}/,
    );
    expect(() => resumed.setState(null as never)).toThrow(/got null/);
    expect(resumed.report()).toEqual(before);
  });

  it('validates its options and gradient sizes', () => {
    expect(() => new GradientSpectrum({ window: 100 })).toThrow(/expected window to be a power of two ≥ 4, got 100/);
    expect(() => new GradientSpectrum({ projections: 0 })).toThrow(/expected projections to be a positive integer, got 0/);
    expect(() => new GradientSpectrum({ edges: [0, 0.5, 0.4, 1] })).toThrow(/expected band edges increasing from 0 to 1, got \[0,0.5,0.4,1\]/);
    const s = new GradientSpectrum({ window: 4 });
    s.record({ p: g.zeros([3]) });
    expect(() => s.record({ p: g.zeros([4]) })).toThrow(/'p' expected a gradient with 3 elements, got 4/);
    expect(() => lowHighRatio(s.report(), 0.5, 'q')).toThrow(/no parameter 'q' in the report \(have: p\)/);
  });
});
