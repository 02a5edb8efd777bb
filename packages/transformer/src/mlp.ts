/** The position-wise feed-forward network: Linear(dim → hidden) → activation → Linear(hidden → dim). */
import { Dropout, Linear, Module, checks, gelu, relu, silu, type FloatDType, type Generator, type Tensor } from '@grokkit/core';

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
  fc1: Linear;
  fc2: Linear;
  readonly hidden: number;
  readonly activation: ActivationKind;
  private readonly act: (x: Tensor) => Tensor;
  private readonly drop: Dropout | null;
  constructor(
    readonly dim: number,
    opts: MlpOptions = {},
  ) {
    super();
    checks.positiveInt('MLP', 'dim', dim);
    const ratio = opts.ratio ?? 4;
    if (!(ratio > 0) || !Number.isFinite(ratio)) throw new Error(`MLP: expected a positive ratio, got ${ratio}`);
    this.hidden = checks.positiveInt('MLP', 'hidden', opts.hidden ?? Math.max(1, Math.round(ratio * dim)));
    this.activation = checks.oneOf('MLP', 'activation', opts.activation ?? 'gelu', ACTIVATIONS);
    this.act = activation(this.activation);
    const dtype = checks.floatDType('MLP', opts.dtype ?? 'float32');
    this.fc1 = new Linear(dim, this.hidden, { bias: opts.bias, rng: opts.rng, dtype });
    this.fc2 = new Linear(this.hidden, dim, { bias: opts.bias, rng: opts.rng, dtype });
    this.drop = opts.dropout ? new Dropout(opts.dropout, opts.rng) : null;
  }

  /** x [..., dim] → [..., dim]. */
  forward(x: Tensor): Tensor {
    checks.features('MLP', x, this.dim);
    const y = this.fc2.forward(this.act(this.fc1.forward(x)));
    return this.drop ? this.drop.forward(y) : y;
  }
}
