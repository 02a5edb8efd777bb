import * as checks from '../checks.js';
import type { FloatDType } from '../dtype.js';
import { linear } from '../ops.js';
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { init, type Init } from './init.js';
import { Module } from './module.js';

export interface LinearOptions {
  /** A learned bias (default true). */
  bias?: boolean;
  /** Generator for the initial values (default: the global one). */
  rng?: Generator;
  /** dtype of the parameters (default 'float32'). */
  dtype?: FloatDType;
  /** Initial weight (default PyTorch's U(±1/√inFeatures)). */
  weightInit?: Init;
  /** Initial bias (default PyTorch's U(±1/√inFeatures)). */
  biasInit?: Init;
}

/**
 * y = x Wᵀ + b with W of shape [outFeatures, inFeatures] (PyTorch's layout and default init).
 * The weight is drawn first, then the bias, from one generator.
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    checks.positiveInt('Linear', 'inFeatures', inFeatures);
    checks.positiveInt('Linear', 'outFeatures', outFeatures);
    const dtype = checks.floatDType('Linear', opts.dtype ?? 'float32');
    const fanIn = { uniform: 1 / Math.sqrt(inFeatures) };
    this.weight = init.from(opts.weightInit ?? fanIn, [outFeatures, inFeatures], opts.rng, dtype);
    this.bias = opts.bias === false ? null : init.from(opts.biasInit ?? fanIn, [outFeatures], opts.rng, dtype);
  }

  /** x [..., inFeatures] → [..., outFeatures]: one product with the weight read transposed, the bias added in the same pass. */
  forward(x: Tensor): Tensor {
    checks.features('Linear', x, this.inFeatures);
    return linear(x, this.weight, this.bias);
  }
}
