/** The shared body of Decoder and Encoder: embeddings → pre-norm blocks → final norm → head. */
import { Dropout, Embedding, Linear, Module, scaleParameters, type Reduction, type Tensor } from '@grokkit/core';
import type { AttentionCall } from './attention.js';
import { Block } from './block.js';
import { resolveConfig, type ResolvedConfig, type TransformerConfig } from './config.js';
import { createNorm, type Norm } from './norms.js';
import { logProbsFor, probsFor, tokenLoss } from './output.js';
import { LearnedPositions, SinusoidalPositions } from './positional.js';
import { Rotary } from './rotary.js';
import { checkPadMask, checkSequence, checkTokens } from './sequence-checks.js';

export interface StackCall {
  /** Bool [B, T], true at padded keys: no position attends to them. */
  padMask?: Tensor | null;
  /**
   * Compute only the last position's output (logits [B, V], hidden [B, dim]). The last block then
   * projects queries, runs the MLP and the head for one position instead of T, which is all a
   * loss on the final token needs; values and gradients equal slicing the full output.
   */
  lastOnly?: boolean;
}

export abstract class TransformerStack extends Module {
  tokens: Embedding;
  positions: LearnedPositions | SinusoidalPositions | null;
  blocks: Block[];
  norm: Norm | null;
  head: Linear;
  readonly config: ResolvedConfig;
  readonly rotary: Rotary | null;
  private readonly drop: Dropout | null;

  protected constructor(
    readonly name: string,
    readonly causal: boolean,
    config: TransformerConfig,
  ) {
    super();
    const c = resolveConfig(name, config);
    this.config = c;
    const { rng, dtype, dim } = c;
    this.tokens = new Embedding(c.vocabSize, dim, { rng, dtype, std: c.embeddingStd });
    this.positions =
      c.positional === 'learned'
        ? new LearnedPositions(c.maxLen, dim, { rng, dtype, std: c.embeddingStd })
        : c.positional === 'sinusoidal'
          ? new SinusoidalPositions(c.maxLen, dim, { dtype })
          : null;
    this.rotary = c.positional === 'rotary' ? new Rotary(dim / c.heads, c.maxLen, { base: c.ropeBase, dtype }) : null;
    this.blocks = Array.from(
      { length: c.depth },
      () =>
        new Block(dim, {
          heads: c.heads,
          causal,
          mlpRatio: c.mlpRatio,
          mlpHidden: c.mlpHidden,
          activation: c.activation,
          norm: c.norm,
          normEps: c.normEps,
          dropout: c.dropout,
          bias: c.bias,
          residual: c.residual,
          rotary: this.rotary,
          rng,
          dtype,
        }),
    );
    this.norm = c.finalNorm ? createNorm(c.norm, dim, { eps: c.normEps, dtype }) : null;
    this.head = new Linear(dim, c.vocabSize, { bias: c.headBias, rng, dtype });
    this.drop = c.dropout ? new Dropout(c.dropout, rng) : null;
    scaleParameters(this, c.initScale);
  }

  /** Token (+ additive position) embeddings: int32 tokens [B, T] → [B, T, dim]. */
  embed(tokens: Tensor): Tensor {
    checkTokens(this.name, tokens, this.config.vocabSize, this.config.maxLen);
    let h = this.tokens.forward(tokens);
    if (this.positions) h = h.add(this.positions.table(tokens.shape[1]!, h.device));
    return this.drop ? this.drop.forward(h) : h;
  }

  /** Blocks and final norm on embeddings h [B, T, dim] → [B, T, dim] ([B, dim] with lastOnly). */
  transform(h: Tensor, call: StackCall = {}): Tensor {
    checkSequence(this.name, h, this.config.dim);
    const [b, t] = h.shape as [number, number, number];
    if (t > this.config.maxLen) throw new Error(`${this.name}: sequence length ${t} exceeds maxLen ${this.config.maxLen}`);
    if (call.padMask) checkPadMask(this.name, call.padMask, b, t);
    const last = this.blocks.length - 1;
    this.blocks.forEach((block, i) => {
      const c: AttentionCall = { padMask: call.padMask, lastOnly: i === last && call.lastOnly };
      h = block.forward(h, c);
    });
    if (this.norm) h = this.norm.forward(h);
    return call.lastOnly ? h.reshape([b, this.config.dim]) : h;
  }

  /** Final hidden states of int32 tokens [B, T]. */
  hidden(tokens: Tensor, call: StackCall = {}): Tensor {
    return this.transform(this.embed(tokens), call);
  }

  /** int32 tokens [B, T] → logits [B, T, vocabSize] ([B, vocabSize] with lastOnly). */
  forward(tokens: Tensor, call: StackCall = {}): Tensor {
    return this.head.forward(this.hidden(tokens, call));
  }

  /** Log-probabilities under the configured output (softmax or StableMax). */
  logProbs(logits: Tensor, dim = -1): Tensor {
    return logProbsFor(this.config.output)(logits, dim);
  }

  probs(logits: Tensor, dim = -1): Tensor {
    return probsFor(this.config.output)(logits, dim);
  }

  /** Cross-entropy of logits [..., V] against int32 targets [...] under the configured output. */
  loss(logits: Tensor, targets: Tensor, opts: { reduction?: Reduction; labelSmoothing?: number } = {}): Tensor {
    return tokenLoss(logits, targets, { ...opts, output: this.config.output });
  }
}
