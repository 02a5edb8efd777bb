import { rand, randn, full } from '../creation.js';
import type { FloatDType } from '../dtype.js';
import type { Generator } from '../random.js';
import type { Shape } from '../shape.js';
import { keep, noGrad, tidy, type Tensor } from '../tensor.js';
import type { Module } from './module.js';

/** A parameter: a float leaf that requires grad and survives `tidy`. */
export function parameter(t: Tensor): Tensor {
  return keep(t.requiresGrad_(true));
}

/**
 * How a layer fills one of its parameters: U(−bound, bound), N(0, std²) or a constant. Layers
 * take these as `weightInit`/`biasInit`, so a model chooses its init when it builds the layer and
 * the generator's stream is drawn once, in parameter order.
 */
export type Init = { uniform: number } | { normal: number } | { constant: number };

const INIT_KINDS = ['uniform', 'normal', 'constant'];

export const init = {
  /** U(-bound, bound). */
  uniform: (shape: Shape, bound: number, rng?: Generator, dtype: FloatDType = 'float32') =>
    parameter(rand(shape, { low: -bound, high: bound, rng, dtype })),
  /** N(0, std²). */
  normal: (shape: Shape, std: number, rng?: Generator, dtype: FloatDType = 'float32') => parameter(randn(shape, { std, rng, dtype })),
  /** Every entry `value`. */
  constant: (shape: Shape, value: number, dtype: FloatDType = 'float32') => parameter(full(shape, value, { dtype })),
  zeros: (shape: Shape, dtype: FloatDType = 'float32') => init.constant(shape, 0, dtype),
  ones: (shape: Shape, dtype: FloatDType = 'float32') => init.constant(shape, 1, dtype),
  /** Glorot/Xavier uniform for a [fanOut, fanIn] weight. */
  xavierUniform: (shape: Shape, rng?: Generator, gain = 1, dtype: FloatDType = 'float32') =>
    init.uniform(shape, gain * Math.sqrt(6 / (shape[0]! + shape[shape.length - 1]!)), rng, dtype),
  /** PyTorch's default for Linear weights and biases: U(±1/√fanIn). */
  fanIn: (shape: Shape, fanIn: number, rng?: Generator, dtype: FloatDType = 'float32') => init.uniform(shape, 1 / Math.sqrt(fanIn), rng, dtype),
  /** A parameter filled as `spec` says. */
  from(spec: Init, shape: Shape, rng?: Generator, dtype: FloatDType = 'float32'): Tensor {
    const keys = spec !== null && typeof spec === 'object' ? Object.keys(spec) : [];
    const kind = keys.length === 1 ? keys[0]! : '';
    const v = (spec as Record<string, unknown> | null)?.[kind];
    if (!INIT_KINDS.includes(kind) || typeof v !== 'number' || !Number.isFinite(v) || (kind !== 'constant' && v < 0)) {
      throw new Error(`init: expected { uniform: bound ≥ 0 }, { normal: std ≥ 0 } or { constant: value }, got ${JSON.stringify(spec)}`);
    }
    if ('uniform' in spec) return init.uniform(shape, spec.uniform, rng, dtype);
    if ('normal' in spec) return init.normal(shape, spec.normal, rng, dtype);
    return init.constant(shape, spec.constant, dtype);
  },
};

/**
 * Multiply every parameter of `module` by `k` in place (Omnigrok's large initialisation: the
 * initial weights ×k). Returns the module.
 */
export function scaleParameters<M extends Module>(module: M, k: number): M {
  if (!Number.isFinite(k) || k <= 0) throw new Error(`scaleParameters: expected a positive finite factor, got ${k}`);
  if (k === 1) return module;
  tidy(() =>
    noGrad(() => {
      for (const p of module.parameters()) p.assign(p.mul(k));
    }),
  );
  return module;
}
