/** A pre-norm transformer block: x + attn(norm₁(x)), then x + mlp(norm₂(x)). */
import { Dropout, Module, checks, type FloatDType, type Generator, type Tensor } from '@grokkit/core';
import { MultiHeadAttention, type AttentionCall } from './attention.js';
import { RESIDUALS, type ResidualKind } from './config.js';
import { MLP, type ActivationKind } from './mlp.js';
import { createNorm, type Norm, type NormKind } from './norms.js';
import type { Rotary } from './rotary.js';
import { checkSequence } from './sequence-checks.js';

export interface BlockOptions {
  heads?: number;
  causal?: boolean;
  mlpRatio?: number;
  mlpHidden?: number;
  activation?: ActivationKind;
  norm?: NormKind;
  normEps?: number;
  dropout?: number;
  bias?: boolean;
  residual?: ResidualKind;
  rotary?: Rotary | null;
  rng?: Generator;
  dtype?: FloatDType;
}

export class Block extends Module {
  norm1: Norm;
  attn: MultiHeadAttention;
  norm2: Norm;
  mlp: MLP;
  readonly residual: ResidualKind;
  private readonly drop: Dropout | null;
  constructor(
    readonly dim: number,
    opts: BlockOptions = {},
  ) {
    super();
    checks.positiveInt('Block', 'dim', dim);
    const { rng, dtype, dropout = 0 } = opts;
    const normOpts = { eps: opts.normEps, dtype };
    this.norm1 = createNorm(opts.norm ?? 'layer', dim, normOpts);
    this.attn = new MultiHeadAttention(dim, opts.heads ?? 4, { causal: opts.causal, rotary: opts.rotary, dropout, bias: opts.bias, rng, dtype });
    this.norm2 = createNorm(opts.norm ?? 'layer', dim, normOpts);
    this.mlp = new MLP(dim, { ratio: opts.mlpRatio, hidden: opts.mlpHidden, activation: opts.activation, bias: opts.bias, rng, dtype });
    this.residual = checks.oneOf('Block', 'residual', opts.residual ?? 'input', RESIDUALS);
    this.drop = dropout ? new Dropout(dropout, rng) : null;
  }

  /** x [B, T, dim] → [B, T, dim]; with lastOnly, [B, 1, dim] for the last position. */
  forward(x: Tensor, call: AttentionCall = {}): Tensor {
    checkSequence('Block', x, this.dim);
    const t = x.shape[1]!;
    const h = this.norm1.forward(x);
    let base = this.residual === 'normed' ? h : x;
    if (call.lastOnly) base = base.slice(1, t - 1);
    const y = base.add(this.dropped(this.attn.forward(h, call)));
    return y.add(this.dropped(this.mlp.forward(this.norm2.forward(y))));
  }

  private dropped(x: Tensor): Tensor {
    return this.drop ? this.drop.forward(x) : x;
  }
}
