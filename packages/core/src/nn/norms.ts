import * as checks from '../checks.js';
import { warnDeprecated } from '../deprecation.js';
import type { FloatDType } from '../dtype.js';
import { layerNorm, rmsNorm } from '../ops.js';
import type { Tensor } from '../tensor.js';
import { init } from './init.js';
import { Module } from './module.js';

export interface NormOptions {
  /** Added to the variance (mean square for RMSNorm) before the square root (default 1e-5 for LayerNorm, 1e-6 for RMSNorm). */
  eps?: number;
  /** A learned gain (and, for LayerNorm, bias) per element (default true). */
  elementwiseAffine?: boolean;
  /** dtype of the learned gain and bias (default 'float32'). */
  dtype?: FloatDType;
}

export interface LayerNormOptions extends NormOptions {
  /** A learned bias when elementwiseAffine (default true). */
  bias?: boolean;
}

function trailingShape(op: string, normalizedShape: number | readonly number[]): number[] {
  const s = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  if (s.length === 0) throw new Error(`${op}: expected normalizedShape to have at least one dim, got []`);
  s.forEach((d, i) => checks.positiveInt(op, `normalizedShape[${i}]`, d));
  return s;
}

/** y = (x − mean)/√(var + eps)·γ + β over the trailing `normalizedShape` dims, biased variance (PyTorch's nn.LayerNorm). */
export class LayerNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  constructor(normalizedShape: number | readonly number[], opts?: LayerNormOptions);
  /** @deprecated pass eps in the options: `new LayerNorm(shape, { eps })`. */
  constructor(normalizedShape: number | readonly number[], eps: number, opts?: LayerNormOptions);
  constructor(normalizedShape: number | readonly number[], epsOrOpts: number | LayerNormOptions = {}, legacyOpts: LayerNormOptions = {}) {
    super();
    let opts: LayerNormOptions;
    if (typeof epsOrOpts === 'number') {
      warnDeprecated('new LayerNorm(shape, eps, opts)', 'pass eps in the options: new LayerNorm(shape, { eps, ... })');
      opts = { ...legacyOpts, eps: epsOrOpts };
    } else {
      opts = epsOrOpts;
    }
    this.normalizedShape = trailingShape('LayerNorm', normalizedShape);
    this.eps = checks.number('LayerNorm', 'eps', opts.eps ?? 1e-5, 0);
    const dtype = checks.floatDType('LayerNorm', opts.dtype ?? 'float32');
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? init.ones(this.normalizedShape, dtype) : null;
    this.bias = affine && opts.bias !== false ? init.zeros(this.normalizedShape, dtype) : null;
  }

  forward(x: Tensor): Tensor {
    checks.features('LayerNorm', x, this.normalizedShape);
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  /** @deprecated use `normalizedShape` (PyTorch's name). */
  get shape(): number[] {
    warnDeprecated('LayerNorm.shape', 'use LayerNorm.normalizedShape');
    return this.normalizedShape;
  }
}

/**
 * y = x/√(mean(x²) + eps)·γ over the trailing `normalizedShape` dims (Zhang & Sennrich 2019; PyTorch's
 * nn.RMSNorm): no centring, no bias. The default eps is 1e-6 (PyTorch's default is the dtype's machine epsilon).
 */
export class RMSNorm extends Module {
  weight: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  constructor(normalizedShape: number | readonly number[], opts: NormOptions = {}) {
    super();
    this.normalizedShape = trailingShape('RMSNorm', normalizedShape);
    this.eps = checks.number('RMSNorm', 'eps', opts.eps ?? 1e-6, 0);
    const dtype = checks.floatDType('RMSNorm', opts.dtype ?? 'float32');
    this.weight = (opts.elementwiseAffine ?? true) ? init.ones(this.normalizedShape, dtype) : null;
  }

  forward(x: Tensor): Tensor {
    checks.features('RMSNorm', x, this.normalizedShape);
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }
}
