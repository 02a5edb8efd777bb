/**
 * Gaussian DDPM for vectors (Ho et al. 2020). Forward process q(x_t | x₀) = N(√ᾱ_t x₀, (1 − ᾱ_t) I)
 * for t = 1..T; the model predicts the noise ε from (x_t, t) and is trained with MSE; sampling is
 * ancestral: x_{t−1} = (x_t − β_t/√(1 − ᾱ_t) · ε̂)/√α_t + σ_t z, z ~ N(0, I) (no noise at t = 1).
 */
import { checks, defaultGenerator, fmt, keep, mseLoss, noGrad, randn, tensor, tidy, type Generator, type Tensor } from '@grokkit/core';
import { alphaBars, betaSchedule, BETA_SCHEDULES, type BetaScheduleKind, type BetaScheduleOptions } from './beta-schedule.js';

/** An ε-prediction model: x_t [B, D] and float timesteps t [B] (values 1..T) → ε̂ [B, D]. */
export interface EpsModel {
  forward(xt: Tensor, t: Tensor): Tensor;
}

export const SAMPLER_VARIANCES = ['beta', 'posterior'] as const;
/** σ_t² = β_t, or the posterior's β̃_t = β_t (1 − ᾱ_{t−1})/(1 − ᾱ_t); Ho et al. found both work. */
export type SamplerVariance = (typeof SAMPLER_VARIANCES)[number];

export interface GaussianDiffusionOptions {
  /** Number of diffusion steps T (default 100). */
  steps?: number;
  /** 'linear', 'cosine' (default), or explicit β_1..β_T. */
  schedule?: BetaScheduleKind | ArrayLike<number>;
  scheduleOptions?: BetaScheduleOptions;
}

export class GaussianDiffusion {
  readonly steps: number;
  /** β_t at index t−1. */
  readonly betas: Float64Array;
  /** α_t = 1 − β_t at index t−1. */
  readonly alphas: Float64Array;
  /** ᾱ_t at index t−1. */
  readonly alphaBars: Float64Array;

  constructor(opts: GaussianDiffusionOptions = {}) {
    const op = 'GaussianDiffusion';
    const sched = opts.schedule ?? 'cosine';
    if (typeof sched === 'string') {
      checks.oneOf(op, 'schedule', sched, BETA_SCHEDULES);
      this.betas = betaSchedule(sched, checks.positiveInt(op, 'steps', opts.steps ?? 100), opts.scheduleOptions);
    } else {
      this.betas = Float64Array.from(sched);
      if (opts.steps !== undefined && opts.steps !== this.betas.length) throw new Error(`${op}: steps ${opts.steps} disagrees with ${this.betas.length} explicit betas`);
      for (const b of this.betas) if (!(b > 0 && b < 1)) throw new Error(`${op}: expected every beta in (0, 1), got ${b}`);
    }
    this.steps = this.betas.length;
    if (this.steps === 0) throw new Error(`${op}: expected at least one step`);
    this.alphas = this.betas.map((b) => 1 - b);
    this.alphaBars = alphaBars(this.betas);
  }

  private checkT(op: string, t: number): void {
    if (!Number.isInteger(t) || t < 1 || t > this.steps) throw new Error(`${op}: expected integer timesteps in 1..${this.steps}, got ${t}`);
  }

  /** Mean coefficient √ᾱ_t and standard deviation √(1 − ᾱ_t) of q(x_t | x₀). */
  marginal(t: number): { mean: number; std: number } {
    this.checkT('marginal', t);
    const ab = this.alphaBars[t - 1]!;
    return { mean: Math.sqrt(ab), std: Math.sqrt(1 - ab) };
  }

  /** x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε for per-row timesteps t [B] (1..T) and noise ε (default drawn) of x₀'s shape [B, …]. */
  qSample(x0: Tensor, t: ArrayLike<number>, noise?: Tensor, rng?: Generator): Tensor {
    const op = 'qSample';
    const b = x0.shape[0];
    if (x0.ndim < 1 || b !== t.length) throw new Error(`${op}: expected x0 [B, …] with B = ${t.length} timesteps, got ${fmt(x0.shape)}`);
    if (noise && noise.shape.join() !== x0.shape.join()) throw new Error(`${op}: expected noise of shape ${fmt(x0.shape)}, got ${fmt(noise.shape)}`);
    const a = new Float32Array(b);
    const s = new Float32Array(b);
    for (let i = 0; i < b; i++) {
      const m = this.marginal(t[i]!);
      a[i] = m.mean;
      s[i] = m.std;
    }
    const shape = [b, ...x0.shape.slice(1).map(() => 1)];
    const eps = noise ?? randn(x0.shape, { rng, dtype: x0.dtype as 'float32' });
    return x0.mul(tensor(a, { shape, dtype: x0.dtype })).add(eps.mul(tensor(s, { shape, dtype: x0.dtype })));
  }

  /** The ε-prediction loss for clean data x₀ [B, D]: t ~ U{1..T}, ε ~ N(0, I), MSE(model(x_t, t), ε), averaged over all elements. */
  loss(model: EpsModel, x0: Tensor, opts: { rng?: Generator } = {}): Tensor {
    const g = opts.rng ?? defaultGenerator();
    const b = x0.shape[0]!;
    const t = new Float32Array(b);
    for (let i = 0; i < b; i++) t[i] = g.int(1, this.steps + 1);
    const eps = randn(x0.shape, { rng: g, dtype: x0.dtype as 'float32' });
    const xt = this.qSample(x0, t, eps);
    const pred = model.forward(xt, tensor(t, { shape: [b] }));
    if (pred.shape.join() !== x0.shape.join()) throw new Error(`GaussianDiffusion.loss: expected the model to return ${fmt(x0.shape)}, got ${fmt(pred.shape)}`);
    return mseLoss(pred, eps);
  }

  /** Ancestral sampling of n vectors of shape `shape` (e.g. [D]) from x_T ~ N(0, I). */
  sample(model: EpsModel, n: number, shape: readonly number[], opts: { rng?: Generator; variance?: SamplerVariance } = {}): Tensor {
    checks.positiveInt('GaussianDiffusion.sample', 'n', n);
    const variance = checks.oneOf('GaussianDiffusion.sample', 'variance', opts.variance ?? 'beta', SAMPLER_VARIANCES);
    const g = opts.rng ?? defaultGenerator();
    const full = [n, ...shape];
    let x = keep(randn(full, { rng: g }));
    for (let t = this.steps; t >= 1; t--) {
      const next = tidy(() =>
        noGrad(() => {
          const beta = this.betas[t - 1]!;
          const ab = this.alphaBars[t - 1]!;
          const eps = model.forward(x, tensor(new Float32Array(n).fill(t), { shape: [n] }));
          const mean = x.sub(eps.mul(beta / Math.sqrt(1 - ab))).mul(1 / Math.sqrt(this.alphas[t - 1]!));
          if (t === 1) return mean;
          const abPrev = this.alphaBars[t - 2]!;
          const var_ = variance === 'beta' ? beta : (beta * (1 - abPrev)) / (1 - ab);
          return mean.add(randn(full, { rng: g }).mul(Math.sqrt(var_)));
        }),
      );
      x.kept = false;
      x.dispose();
      x = keep(next);
    }
    x.kept = false;
    return x;
  }
}
