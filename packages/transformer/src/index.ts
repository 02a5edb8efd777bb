/**
 * @grokkit/transformer: token and position embeddings (learned, sinusoidal, rotary), multi-head
 * attention with causal/full and key-padding masks, MLP, LayerNorm/RMSNorm, pre-norm blocks, and
 * Decoder (causal LM) / Encoder (bidirectional) stacks with optional StableMax output. The layers
 * they are built from (Linear, Embedding, LayerNorm, RMSNorm) are @grokkit/core's.
 */
export { LearnedPositions, SinusoidalPositions, sinusoidalTable } from './positional.js';
export { Rotary } from './rotary.js';
export { MASK_VALUE, causalBias, paddingBias } from './mask.js';
export {
  MultiHeadAttention, scaledDotProductAttention,
  type AttentionOptions, type AttentionCall, type SdpaOptions,
} from './attention.js';
export { MLP, activation, ACTIVATIONS, type ActivationKind, type MlpOptions } from './mlp.js';
export { createNorm, NORMS, type Norm, type NormKind, type NormOptions } from './norms.js';
export { Block, type BlockOptions } from './block.js';
export {
  resolveConfig, grokfastConfig, POSITIONALS, RESIDUALS,
  type TransformerConfig, type ResolvedConfig, type PositionalKind, type ResidualKind,
} from './config.js';
export { OUTPUTS, logProbsFor, probsFor, tokenLoss, type OutputKind } from './output.js';
export { TransformerStack, type StackCall } from './stack.js';
export { Decoder } from './decoder.js';
export { Encoder } from './encoder.js';
/** Kept for one release; each warns once. */
export {
  Dense, TokenEmbedding, LayerNorm, RMSNorm, uniformParam, normalParam, constParam, scaleParameters,
  type DenseOptions, type TokenEmbeddingOptions, type FloatDType,
} from './deprecated.js';
