/** Normalisation over the last dim: LayerNorm and RMSNorm. */
import { Module, layerNorm, type Tensor } from '@grokkit/core';
import { checkFeatures, checkFloatDType, checkOneOf, checkPositiveInt, type FloatDType } from './checks.js';
import { constParam } from './params.js';

export const NORMS = ['layer', 'rms'] as const;
export type NormKind = (typeof NORMS)[number];

export interface NormOptions {
  eps?: number;
  /** Learned gain (and, for LayerNorm, bias); default true. */
  affine?: boolean;
  dtype?: FloatDType;
}

/** y = (x − mean)/√(var + eps)·γ + β, biased variance (as PyTorch). */
export class LayerNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly eps: number;
  constructor(
    readonly dim: number,
    opts: NormOptions = {},
  ) {
    super();
    checkPositiveInt('LayerNorm', 'dim', dim);
    const dtype = checkFloatDType('LayerNorm', opts.dtype ?? 'float32');
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.affine ?? true;
    this.weight = affine ? constParam([dim], 1, dtype) : null;
    this.bias = affine ? constParam([dim], 0, dtype) : null;
  }
  forward(x: Tensor): Tensor {
    checkFeatures('LayerNorm', x, this.dim);
    return layerNorm(x, [this.dim], this.weight, this.bias, this.eps);
  }
}

/** y = x/√(mean(x²) + eps)·γ (Zhang & Sennrich 2019): no centring, no bias. */
export class RMSNorm extends Module {
  weight: Tensor | null;
  readonly eps: number;
  constructor(
    readonly dim: number,
    opts: NormOptions = {},
  ) {
    super();
    checkPositiveInt('RMSNorm', 'dim', dim);
    const dtype = checkFloatDType('RMSNorm', opts.dtype ?? 'float32');
    this.eps = opts.eps ?? 1e-6;
    this.weight = (opts.affine ?? true) ? constParam([dim], 1, dtype) : null;
  }
  forward(x: Tensor): Tensor {
    checkFeatures('RMSNorm', x, this.dim);
    const y = x.mul(x.mul(x).mean(-1, true).add(this.eps).rsqrt());
    return this.weight ? y.mul(this.weight) : y;
  }
}

export type Norm = LayerNorm | RMSNorm;

export function createNorm(kind: NormKind, dim: number, opts: NormOptions = {}): Norm {
  switch (checkOneOf('createNorm', 'norm', kind, NORMS)) {
    case 'layer':
      return new LayerNorm(dim, opts);
    case 'rms':
      return new RMSNorm(dim, opts);
  }
}
