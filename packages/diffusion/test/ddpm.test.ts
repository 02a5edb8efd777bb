import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { GaussianDiffusion, MlpDenoiser, alphaBars, betaSchedule, timeEmbedding } from '../src/index.js';

describe('beta schedules', () => {
  it('linear: Ho et al.’s 1e-4 … 0.02 at T = 1000, scaled for other T', () => {
    const b = betaSchedule('linear', 1000);
    expect(b[0]).toBeCloseTo(1e-4, 10);
    expect(b[999]).toBeCloseTo(0.02, 10);
    const short = betaSchedule('linear', 100);
    expect(short[0]).toBeCloseTo(1e-3, 10);
    expect(short[99]).toBeCloseTo(0.2, 10);
    expect(alphaBars(short)[99]).toBeLessThan(1e-4);
  });

  it('cosine: ᾱ_t = f(t)/f(0) with f(t) = cos²(((t/T + s)/(1 + s))·π/2), decreasing to ≈ 0', () => {
    const T = 50;
    const ab = alphaBars(betaSchedule('cosine', T));
    const f = (t: number) => Math.cos(((t / T + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (const t of [1, 10, 25, 40]) expect(ab[t - 1]).toBeCloseTo(f(t) / f(0), 8);
    for (let t = 1; t < T; t++) expect(ab[t]!).toBeLessThan(ab[t - 1]!);
    expect(ab[T - 1]).toBeLessThan(1e-3);
    expect(() => betaSchedule('quadratic' as never, 10)).toThrow(/'linear', 'cosine'/);
  });
});

describe('forward process q(x_t | x₀)', () => {
  it('matches its closed form N(√ᾱ_t x₀, (1 − ᾱ_t) I) over many samples', () => {
    const d = new GaussianDiffusion({ steps: 100, schedule: 'linear' });
    const n = 20000;
    for (const t of [1, 30, 100]) {
      const x0 = g.full([n, 2], 0).add(g.tensor([[1.5, -2]]));
      const xt = d.qSample(x0, new Array(n).fill(t), undefined, g.rng(t)).toArray() as number[][];
      const { mean, std } = d.marginal(t);
      expect(mean).toBeCloseTo(Math.sqrt(d.alphaBars[t - 1]!), 12);
      for (const [k, x] of [[0, 1.5], [1, -2]] as const) {
        const col = xt.map((r) => r[k]!);
        const m = col.reduce((a, v) => a + v, 0) / n;
        const v = col.reduce((a, u) => a + (u - m) ** 2, 0) / (n - 1);
        expect(Math.abs(m - mean * x)).toBeLessThan(4 * std / Math.sqrt(n) + 1e-6);
        expect(Math.abs(v - std * std)).toBeLessThan(4 * std * std * Math.sqrt(2 / n) + 1e-9);
      }
    }
  });

  it('uses the given noise exactly', () => {
    const d = new GaussianDiffusion({ steps: 10 });
    const x0 = g.tensor([[1, 2], [3, 4]]);
    const eps = g.tensor([[0.5, -1], [2, 0]]);
    const xt = d.qSample(x0, [2, 7], eps).toArray() as number[][];
    const a = d.marginal(2), b = d.marginal(7);
    expect(xt[0]![1]).toBeCloseTo(a.mean * 2 + a.std * -1, 5);
    expect(xt[1]![0]).toBeCloseTo(b.mean * 3 + b.std * 2, 5);
    expect(() => d.qSample(x0, [0, 11])).toThrow(/1\.\.10/);
  });
});

describe('time embedding', () => {
  it('is [sin(t·ω_k), cos(t·ω_k)] with ω_k = 10000^(−k/half)', () => {
    const e = timeEmbedding(g.tensor([0, 3]), 8).toArray() as number[][];
    expect(e[0]).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    for (let k = 0; k < 4; k++) {
      const w = Math.pow(10000, -k / 4);
      expect(e[1]![k]).toBeCloseTo(Math.sin(3 * w), 5);
      expect(e[1]![4 + k]).toBeCloseTo(Math.cos(3 * w), 5);
    }
    expect(() => timeEmbedding(g.tensor([1]), 5)).toThrow(/even/);
  });
});

describe('DDPM on a 2-D Gaussian mixture', () => {
  it('learns the modes: samples cluster near the four means, each mode is hit', async () => {
    const means = [[2, 2], [-2, 2], [-2, -2], [2, -2]];
    const sigma = 0.15;
    const r = g.rng(0);
    const d = new GaussianDiffusion({ steps: 40, schedule: 'cosine' });
    const model = new MlpDenoiser({ dim: 2, hidden: 64, depth: 2, timeDim: 16, rng: g.rng(1) });
    const opt = new g.Optimizer(model.namedParameters(), g.adamw({ lr: 3e-3, weightDecay: 0 }));
    const batch = 128;
    for (let step = 0; step < 800; step++) {
      g.tidy(() => {
        const x = new Float32Array(batch * 2);
        for (let i = 0; i < batch; i++) {
          const m = means[r.int(0, 4)]!;
          x[2 * i] = m[0]! + sigma * r.normal();
          x[2 * i + 1] = m[1]! + sigma * r.normal();
        }
        d.loss(model, g.tensor(x, { shape: [batch, 2] }), { rng: r }).backward();
        opt.update();
        opt.zeroGrad();
      });
    }
    const samples = d.sample(model, 400, [2], { rng: g.rng(2) }).toArray() as number[][];
    const hits = [0, 0, 0, 0];
    let near = 0;
    for (const [x, y] of samples) {
      const dist = means.map(([a, b]) => Math.hypot(x! - a!, y! - b!));
      const k = dist.indexOf(Math.min(...dist));
      if (dist[k]! < 0.75) {
        near++;
        hits[k]!++;
      }
    }
    expect(near / samples.length).toBeGreaterThan(0.85);
    for (const h of hits) expect(h / samples.length).toBeGreaterThan(0.1);
    opt.dispose();
  }, 120_000); // 51–120 s in full-suite runs on a loaded 2-core machine
});
