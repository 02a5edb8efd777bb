/** The position-wise feed-forward network: Dense(dim → hidden) → activation → Dense(hidden → dim). */
import { Dropout, Module, gelu, relu, silu, type Generator, type Tensor } from '@grokkit/core';
import { checkFeatures, checkFloatDType, checkOneOf, checkPositiveInt, type FloatDType } from './checks.js';
import { Dense } from './dense.js';

export const ACTIVATIONS = ['gelu', 'relu', 'silu'] as const;
export type ActivationKind = (typeof ACTIVATIONS)[number];

/** The activation by name: exact (erf) GELU as PyTorch's nn.GELU, ReLU, SiLU. */
export function activation(kind: ActivationKind): (x: Tensor) => Tensor {
  switch (kind) {
    case 'gelu':
      return (x) => gelu(x);
    case 'relu':
      return relu;
    case 'silu':
      return silu;
  }
}

export interface MlpOptions {
  /** hidden = round(ratio · dim) (default 4). */
  ratio?: number;
  /** An explicit hidden width (overrides ratio). */
  hidden?: number;
  activation?: ActivationKind;
  /** Dropout on the output (default 0). */
  dropout?: number;
  bias?: boolean;
  rng?: Generator;
  dtype?: FloatDType;
}

export class MLP extends Module {
  fc1: Dense;
  fc2: Dense;
  readonly hidden: number;
  readonly activation: ActivationKind;
  private readonly act: (x: Tensor) => Tensor;
  private readonly drop: Dropout | null;
  constructor(
    readonly dim: number,
    opts: MlpOptions = {},
  ) {
    super();
    checkPositiveInt('MLP', 'dim', dim);
    const ratio = opts.ratio ?? 4;
    if (!(ratio > 0) || !Number.isFinite(ratio)) throw new Error(`MLP: expected a positive ratio, got ${ratio}`);
    this.hidden = checkPositiveInt('MLP', 'hidden', opts.hidden ?? Math.max(1, Math.round(ratio * dim)));
    this.activation = checkOneOf('MLP', 'activation', opts.activation ?? 'gelu', ACTIVATIONS);
    this.act = activation(this.activation);
    const dtype = checkFloatDType('MLP', opts.dtype ?? 'float32');
    this.fc1 = new Dense(dim, this.hidden, { bias: opts.bias, rng: opts.rng, dtype });
    this.fc2 = new Dense(this.hidden, dim, { bias: opts.bias, rng: opts.rng, dtype });
    this.drop = opts.dropout ? new Dropout(opts.dropout, opts.rng) : null;
  }

  /** x [..., dim] → [..., dim]. */
  forward(x: Tensor): Tensor {
    checkFeatures('MLP', x, this.dim);
    const y = this.fc2.forward(this.act(this.fc1.forward(x)));
    return this.drop ? this.drop.forward(y) : y;
  }
}
