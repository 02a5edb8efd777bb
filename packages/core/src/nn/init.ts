import { rand, randn, full } from '../creation.js';
import type { Generator } from '../random.js';
import type { Shape } from '../shape.js';
import { keep, type Tensor } from '../tensor.js';

/** A parameter: a float32 leaf that requires grad and survives `tidy`. */
export function parameter(t: Tensor): Tensor {
  return keep(t.requiresGrad_(true));
}

export const init = {
  /** U(-bound, bound). */
  uniform: (shape: Shape, bound: number, rng?: Generator) => parameter(rand(shape, { low: -bound, high: bound, rng })),
  /** N(0, std²). */
  normal: (shape: Shape, std: number, rng?: Generator) => parameter(randn(shape, { std, rng })),
  zeros: (shape: Shape) => parameter(full(shape, 0)),
  ones: (shape: Shape) => parameter(full(shape, 1)),
  /** Glorot/Xavier uniform for a [fanOut, fanIn] weight. */
  xavierUniform: (shape: Shape, rng?: Generator, gain = 1) =>
    init.uniform(shape, gain * Math.sqrt(6 / (shape[0]! + shape[shape.length - 1]!)), rng),
  /** PyTorch's default for Linear weights and biases: U(±1/√fanIn). */
  fanIn: (shape: Shape, fanIn: number, rng?: Generator) => init.uniform(shape, 1 / Math.sqrt(fanIn), rng),
};
