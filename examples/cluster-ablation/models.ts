/**
 * The two classifiers of the cluster ablation: an MLP on the flat p·r features, and a small
 * bidirectional transformer that reads the p blocks of r dimensions as p tokens.
 */
import { Activation, LayerNorm, Linear, Module, Sequential, type Forward, type Generator, type Tensor } from '@grokkit/core';
import { Block, LearnedPositions } from '@grokkit/transformer';

export interface MlpSpec {
  inputs: number;
  classes: number;
  /** Hidden width. */
  width: number;
  /** Hidden layers. */
  depth: number;
  rng: Generator;
}

/** inputs → [Linear → ReLU] × depth → Linear(classes). */
export function buildMlp(s: MlpSpec): Module & Forward {
  const layers: (Module & Forward)[] = [];
  let d = s.inputs;
  for (let i = 0; i < s.depth; i++) {
    layers.push(new Linear(d, s.width, { rng: s.rng }), new Activation('relu'));
    d = s.width;
  }
  layers.push(new Linear(d, s.classes, { rng: s.rng }));
  return new Sequential(...layers);
}

export interface TransformerSpec {
  /** Tokens per example (the p blocks). */
  tokens: number;
  /** Features per token (the r dimensions of a block). */
  tokenDim: number;
  classes: number;
  /** Model width. */
  width: number;
  /** Blocks. */
  depth: number;
  heads: number;
  rng: Generator;
}

/**
 * x [B, p·r] → p tokens of r features → linear projection + learned positions → pre-norm
 * bidirectional blocks → final LayerNorm → mean over tokens → class logits.
 */
export class BlockTransformer extends Module implements Forward {
  embed: Linear;
  positions: LearnedPositions;
  blocks: Block[];
  norm: LayerNorm;
  head: Linear;
  constructor(readonly spec: TransformerSpec) {
    super();
    const { rng, width } = spec;
    this.embed = new Linear(spec.tokenDim, width, { rng });
    this.positions = new LearnedPositions(spec.tokens, width, { rng, std: 0.02 });
    this.blocks = Array.from({ length: spec.depth }, () => new Block(width, { heads: spec.heads, causal: false, activation: 'gelu', rng }));
    this.norm = new LayerNorm(width);
    this.head = new Linear(width, spec.classes, { rng });
  }

  forward(x: Tensor): Tensor {
    const [b] = x.shape as [number, number];
    let h = this.positions.forward(this.embed.forward(x.reshape([b, this.spec.tokens, this.spec.tokenDim])));
    for (const block of this.blocks) h = block.forward(h);
    return this.head.forward(this.norm.forward(h).mean(1));
  }
}
