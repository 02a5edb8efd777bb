/** The configuration of a Decoder or Encoder stack, its defaults and validation. */
import { checks, type FloatDType, type Generator } from '@grokkit/core';
import { ACTIVATIONS, type ActivationKind } from './mlp.js';
import { NORMS, type NormKind } from './norms.js';
import { OUTPUTS, type OutputKind } from './output.js';

export const POSITIONALS = ['learned', 'sinusoidal', 'rotary', 'none'] as const;
export type PositionalKind = (typeof POSITIONALS)[number];

export const RESIDUALS = ['input', 'normed'] as const;
/**
 * Where the attention sub-layer's residual starts. 'input' is the usual pre-norm block,
 * x + attn(norm(x)). 'normed' is norm(x) + attn(norm(x)), what the Grokfast reference code computes
 * (it overwrites x with its LayerNorm before the residual add); the MLP sub-layer is the same in both.
 */
export type ResidualKind = (typeof RESIDUALS)[number];

export interface TransformerConfig {
  vocabSize: number;
  /** Longest sequence (size of the learned position table, of the sinusoidal/rotary tables). */
  maxLen: number;
  /** Model width (default 128). */
  dim?: number;
  /** Number of blocks (default 2). */
  depth?: number;
  /** Attention heads; must divide dim (default 4). */
  heads?: number;
  /** MLP hidden width as a multiple of dim (default 4). */
  mlpRatio?: number;
  /** Explicit MLP hidden width (overrides mlpRatio). */
  mlpHidden?: number;
  activation?: ActivationKind;
  positional?: PositionalKind;
  norm?: NormKind;
  /** Norm epsilon (default 1e-5 for LayerNorm, 1e-6 for RMSNorm). */
  normEps?: number;
  /** Dropout on embeddings, attention probabilities and sub-layer outputs (default 0). */
  dropout?: number;
  /** Every initial parameter is multiplied by this (Omnigrok's ×k large init; default 1). */
  initScale?: number;
  /** Std of the N(0, std²) token and learned position embeddings (default 1, as nn.Embedding). */
  embeddingStd?: number;
  /** Biases in the attention and MLP projections (default true). */
  bias?: boolean;
  /** A bias on the unembedding head (default false, as the Grokfast model). */
  headBias?: boolean;
  /** A norm before the head (default true). */
  finalNorm?: boolean;
  residual?: ResidualKind;
  /** Output normalisation used by `loss`, `logProbs`, `probs` (default 'softmax'). */
  output?: OutputKind;
  /** RoPE base (default 10000). */
  ropeBase?: number;
  /** Generator for the initial parameters and dropout (default: the global one). */
  rng?: Generator;
  dtype?: FloatDType;
}

export type ResolvedConfig = Required<Omit<TransformerConfig, 'rng' | 'normEps'>> & { rng: Generator | undefined; normEps: number | undefined };

/** Fill in defaults and validate; errors name the field, what was expected and what was given. */
export function resolveConfig(op: string, c: TransformerConfig): ResolvedConfig {
  if (!c || typeof c !== 'object') throw new Error(`${op}: expected a config object, got ${String(c)}`);
  const dim = checks.positiveInt(op, 'dim', c.dim ?? 128);
  const heads = checks.positiveInt(op, 'heads', c.heads ?? 4);
  if (dim % heads !== 0) throw new Error(`${op}: heads (${heads}) must divide dim (${dim})`);
  const mlpRatio = c.mlpRatio ?? 4;
  if (!(mlpRatio > 0) || !Number.isFinite(mlpRatio)) throw new Error(`${op}: expected mlpRatio > 0, got ${mlpRatio}`);
  const dropout = c.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`${op}: expected 0 ≤ dropout < 1, got ${dropout}`);
  const initScale = c.initScale ?? 1;
  if (!(initScale > 0) || !Number.isFinite(initScale)) throw new Error(`${op}: expected initScale > 0, got ${initScale}`);
  const positional = checks.oneOf(op, 'positional', c.positional ?? 'learned', POSITIONALS);
  if (positional === 'rotary' && (dim / heads) % 2 !== 0) {
    throw new Error(`${op}: rotary positions need an even head dim, got dim/heads = ${dim}/${heads} = ${dim / heads}`);
  }
  return {
    vocabSize: checks.positiveInt(op, 'vocabSize', c.vocabSize),
    maxLen: checks.positiveInt(op, 'maxLen', c.maxLen),
    dim,
    depth: checks.positiveInt(op, 'depth', c.depth ?? 2),
    heads,
    mlpRatio,
    mlpHidden: checks.positiveInt(op, 'mlpHidden', c.mlpHidden ?? Math.max(1, Math.round(mlpRatio * dim))),
    activation: checks.oneOf(op, 'activation', c.activation ?? 'gelu', ACTIVATIONS),
    positional,
    norm: checks.oneOf(op, 'norm', c.norm ?? 'layer', NORMS),
    normEps: c.normEps,
    dropout,
    initScale,
    embeddingStd: c.embeddingStd ?? 1,
    bias: c.bias ?? true,
    headBias: c.headBias ?? false,
    finalNorm: c.finalNorm ?? true,
    residual: checks.oneOf(op, 'residual', c.residual ?? 'input', RESIDUALS),
    output: checks.oneOf(op, 'output', c.output ?? 'softmax', OUTPUTS),
    ropeBase: c.ropeBase ?? 10000,
    rng: c.rng,
    dtype: checks.floatDType(op, c.dtype ?? 'float32'),
  };
}

/**
 * The model of the Grokfast reference code for x∘y mod p: vocabulary p+2 (numbers, '∘', '='),
 * a position table of 5 (the inputs use 4), width 128, 2 layers, 4 heads, 4× GELU MLP,
 * learned positions, final LayerNorm, bias-free head, and its 'normed' attention residual.
 */
export function grokfastConfig(p = 97, overrides: Partial<TransformerConfig> = {}): TransformerConfig {
  checks.positiveInt('grokfastConfig', 'p', p);
  return { vocabSize: p + 2, maxLen: 5, residual: 'normed', ...overrides };
}
