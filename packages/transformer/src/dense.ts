/** A fully connected layer y = x·Wᵀ + b in a chosen dtype and init (PyTorch's weight layout [out, in]). */
import { Module, mm, type Generator, type Tensor } from '@grokkit/core';
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
    const lead = x.shape.slice(0, -1);
    const rows = lead.reduce((a, b) => a * b, 1);
    // one [1, rows, in] · [1, out, in]ᵀ product: the weight is read transposed, never copied
    let y = mm(x.reshape([1, rows, this.inFeatures]), this.weight.reshape([1, this.outFeatures, this.inFeatures]), false, true);
    if (this.bias) y = y.add(this.bias);
    return y.reshape([...lead, this.outFeatures]);
  }
}
