/** A small ε-prediction network for vectors: [x_t, emb(t)] → (Linear → SiLU) × depth → Linear. */
import { cat, checks, fmt, Linear, Module, silu, type Generator, type Tensor } from '@grokkit/core';
import type { EpsModel } from './gaussian-diffusion.js';
import { timeEmbedding } from './time-embedding.js';

export interface MlpDenoiserOptions {
  /** Data dimension D. */
  dim: number;
  /** Hidden width (default 128). */
  hidden?: number;
  /** Hidden layers (default 3). */
  depth?: number;
  /** Width of the sinusoidal time embedding (even, default 32). */
  timeDim?: number;
  /** Longest period of the time embedding (default 10000; DDPM timesteps are integers 1..T). */
  maxPeriod?: number;
  rng?: Generator;
}

export class MlpDenoiser extends Module implements EpsModel {
  layers: Linear[];
  out: Linear;
  readonly dim: number;
  readonly timeDim: number;
  readonly maxPeriod: number;

  constructor(o: MlpDenoiserOptions) {
    super();
    const op = 'MlpDenoiser';
    this.dim = checks.positiveInt(op, 'dim', o.dim);
    const hidden = checks.positiveInt(op, 'hidden', o.hidden ?? 128);
    const depth = checks.positiveInt(op, 'depth', o.depth ?? 3);
    this.timeDim = checks.positiveInt(op, 'timeDim', o.timeDim ?? 32);
    if (this.timeDim % 2 !== 0) throw new Error(`${op}: expected an even timeDim, got ${this.timeDim}`);
    this.maxPeriod = o.maxPeriod ?? 10000;
    this.layers = Array.from({ length: depth }, (_, i) => new Linear(i === 0 ? this.dim + this.timeDim : hidden, hidden, { rng: o.rng }));
    this.out = new Linear(hidden, this.dim, { rng: o.rng });
  }

  /** x_t [B, dim], t [B] → ε̂ [B, dim]. */
  forward(xt: Tensor, t: Tensor): Tensor {
    if (xt.ndim !== 2 || xt.shape[1] !== this.dim) throw new Error(`MlpDenoiser: expected x_t of shape [B, ${this.dim}], got ${fmt(xt.shape)}`);
    if (t.ndim !== 1 || t.shape[0] !== xt.shape[0]) throw new Error(`MlpDenoiser: expected t of shape [${xt.shape[0]}], got ${fmt(t.shape)}`);
    let h = cat([xt, timeEmbedding(t, this.timeDim, this.maxPeriod)], 1);
    for (const l of this.layers) h = silu(l.forward(h));
    return this.out.forward(h);
  }
}
