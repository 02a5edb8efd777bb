import { layerNorm, gelu, relu, silu, tanh, sigmoid, dropout, indexSelect, linear, reshape } from '../ops.js';
import type { Generator } from '../random.js';
import { fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { init } from './init.js';
import { Module } from './module.js';

/** y = x Wᵀ + b with W of shape [outFeatures, inFeatures] (PyTorch's layout and default init). */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean; rng?: Generator } = {},
  ) {
    super();
    this.weight = init.fanIn([outFeatures, inFeatures], inFeatures, opts.rng);
    this.bias = opts.bias === false ? null : init.fanIn([outFeatures], inFeatures, opts.rng);
  }
  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(`Linear: expected input with last dim ${this.inFeatures}, got shape ${fmt(x.shape)}`);
    }
    return linear(x, this.weight, this.bias);
  }
}

/** A lookup table of `num` vectors of size `dim`, initialised N(0, 1) as in PyTorch. */
export class Embedding extends Module {
  weight: Tensor;
  constructor(
    readonly num: number,
    readonly dim: number,
    opts: { rng?: Generator; std?: number } = {},
  ) {
    super();
    this.weight = init.normal([num, dim], opts.std ?? 1, opts.rng);
  }
  forward(ids: Tensor): Tensor {
    if (ids.dtype !== 'int32') throw new Error(`Embedding: expected int32 ids, got ${ids.dtype}`);
    const flat = indexSelect(this.weight, 0, reshape(ids, [ids.size]));
    return reshape(flat, [...ids.shape, this.dim]);
  }
}

export class LayerNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly shape: number[];
  constructor(
    shape: number | number[],
    readonly eps = 1e-5,
    opts: { elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    this.shape = typeof shape === 'number' ? [shape] : shape;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? init.ones(this.shape) : null;
    this.bias = affine && opts.bias !== false ? init.zeros(this.shape) : null;
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.shape, this.weight, this.bias, this.eps);
  }
}

export class Dropout extends Module {
  constructor(
    readonly p: number,
    readonly rng?: Generator,
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: expected 0 ≤ p < 1, got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, rng: this.rng });
  }
}

/** A parameter-free elementwise function as a module. */
export class Activation extends Module {
  constructor(readonly kind: 'relu' | 'gelu' | 'silu' | 'tanh' | 'sigmoid') {
    super();
  }
  forward(x: Tensor): Tensor {
    switch (this.kind) {
      case 'relu':
        return relu(x);
      case 'gelu':
        return gelu(x);
      case 'silu':
        return silu(x);
      case 'tanh':
        return tanh(x);
      case 'sigmoid':
        return sigmoid(x);
    }
  }
}

export interface Forward {
  forward(x: Tensor): Tensor;
}

/** Modules applied in order. */
export class Sequential extends Module {
  readonly layers: (Module & Forward)[];
  constructor(...layers: (Module & Forward)[]) {
    super();
    this.layers = layers;
  }
  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, l) => l.forward(h), x);
  }
}
