/** Parameter-free layers (dropout, activations) and `Sequential`. */
import { gelu, relu, silu, tanh, sigmoid, dropout } from '../ops.js';
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

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
