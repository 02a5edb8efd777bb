/** A fully connected layer y = x·Wᵀ + b in a chosen dtype and init (PyTorch's weight layout [out, in]). */
import { Module, linear, type Generator, type Tensor } from '@grokkit/core';
import { checkFeatures, checkPositiveInt, type FloatDType } from './checks.js';
import { constParam, uniformParam } from './params.js';

export interface DenseOptions {
  bias?: boolean;
  rng?: Generator;
  dtype?: FloatDType;
  /** Weight ~ U(±weightBound); default PyTorch's 1/√in. */
  weightBound?: number;
  /** Bias initialised to zero (default: U(±1/√in), as PyTorch's Linear). */
  zeroBias?: boolean;
}

export class Dense extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: DenseOptions = {},
  ) {
    super();
    checkPositiveInt('Dense', 'inFeatures', inFeatures);
    checkPositiveInt('Dense', 'outFeatures', outFeatures);
    const dtype = opts.dtype ?? 'float32';
    const fanIn = 1 / Math.sqrt(inFeatures);
    this.weight = uniformParam([outFeatures, inFeatures], opts.weightBound ?? fanIn, opts.rng, dtype);
    this.bias = opts.bias === false ? null : opts.zeroBias ? constParam([outFeatures], 0, dtype) : uniformParam([outFeatures], fanIn, opts.rng, dtype);
  }

  forward(x: Tensor): Tensor {
    checkFeatures('Dense', x, this.inFeatures);
    // one product with the weight read transposed (never copied), the bias added in the same pass
    return linear(x, this.weight, this.bias);
  }
}
