/** Additive position embeddings: learned (a trained table) and sinusoidal (a fixed one). */
import { Module, checks, currentBackend, init, keep, tensor, type FloatDType, type Generator, type Tensor } from '@grokkit/core';
import { checkMaxLen, checkSequence } from './sequence-checks.js';

/** A learned [maxLen, dim] table, N(0, std²) at init (PyTorch's nn.Embedding default std 1). */
export class LearnedPositions extends Module {
  weight: Tensor;
  constructor(
    readonly maxLen: number,
    readonly dim: number,
    opts: { rng?: Generator; dtype?: FloatDType; std?: number } = {},
  ) {
    super();
    checks.positiveInt('LearnedPositions', 'maxLen', maxLen);
    checks.positiveInt('LearnedPositions', 'dim', dim);
    this.weight = init.normal([maxLen, dim], opts.std ?? 1, opts.rng, checks.floatDType('LearnedPositions', opts.dtype ?? 'float32'));
  }

  /** The embeddings of positions 0..length−1, [length, dim] (on the parameters' device). */
  table(length: number, _device?: string): Tensor {
    checkMaxLen('LearnedPositions', length, this.maxLen);
    return this.weight.slice(0, 0, length);
  }

  /** x [B, T, dim] + positions. */
  forward(x: Tensor): Tensor {
    checkSequence('LearnedPositions', x, this.dim);
    return x.add(this.table(x.shape[1]!, x.device));
  }
}

/**
 * The fixed table of Vaswani et al.: PE[p, 2i] = sin(p·ω_i), PE[p, 2i+1] = cos(p·ω_i) with
 * ω_i = base^(−2i/dim). Returned as a flat row-major Float64Array of maxLen × dim values.
 */
export function sinusoidalTable(maxLen: number, dim: number, base = 10000): Float64Array {
  const out = new Float64Array(maxLen * dim);
  for (let p = 0; p < maxLen; p++) {
    for (let j = 0; j < dim; j++) {
      const i = j >> 1;
      const angle = p * Math.pow(base, (-2 * i) / dim);
      out[p * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

/** Adds the fixed sinusoidal table; no parameters. */
export class SinusoidalPositions extends Module {
  private readonly cache = new Map<string, Tensor>();
  readonly dtype: FloatDType;
  readonly base: number;
  constructor(
    readonly maxLen: number,
    readonly dim: number,
    opts: { dtype?: FloatDType; base?: number } = {},
  ) {
    super();
    checks.positiveInt('SinusoidalPositions', 'maxLen', maxLen);
    checks.positiveInt('SinusoidalPositions', 'dim', dim);
    this.dtype = checks.floatDType('SinusoidalPositions', opts.dtype ?? 'float32');
    this.base = opts.base ?? 10000;
  }

  /** The table rows for positions 0..length−1, [length, dim] (made once per length and kept). */
  table(length: number, device: string = currentBackend()): Tensor {
    checkMaxLen('SinusoidalPositions', length, this.maxLen);
    const key = `${length},${device}`;
    let t = this.cache.get(key);
    if (!t) {
      t = keep(tensor(sinusoidalTable(length, this.dim, this.base), { shape: [length, this.dim], dtype: this.dtype, device }));
      this.cache.set(key, t);
    }
    return t;
  }

  forward(x: Tensor): Tensor {
    checkSequence('SinusoidalPositions', x, this.dim);
    return x.add(this.table(x.shape[1]!, x.device));
  }
}
