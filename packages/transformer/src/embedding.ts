/** Token embedding: a [vocabSize, dim] table looked up by int32 ids. */
import { Module, indexSelect, type Generator, type Tensor } from '@grokkit/core';
import { checkFloatDType, checkIds, checkPositiveInt, type FloatDType } from './checks.js';
import { normalParam } from './params.js';

export interface TokenEmbeddingOptions {
  rng?: Generator;
  dtype?: FloatDType;
  /** Standard deviation of the N(0, std²) init (default 1, as PyTorch's nn.Embedding). */
  std?: number;
}

export class TokenEmbedding extends Module {
  weight: Tensor;
  constructor(
    readonly vocabSize: number,
    readonly dim: number,
    opts: TokenEmbeddingOptions = {},
  ) {
    super();
    checkPositiveInt('TokenEmbedding', 'vocabSize', vocabSize);
    checkPositiveInt('TokenEmbedding', 'dim', dim);
    this.weight = normalParam([vocabSize, dim], opts.std ?? 1, opts.rng, checkFloatDType('TokenEmbedding', opts.dtype ?? 'float32'));
  }

  /** ids (int32, any shape) → vectors [...ids.shape, dim]. */
  forward(ids: Tensor): Tensor {
    if (ids.dtype !== 'int32') throw new Error(`TokenEmbedding: expected int32 token ids, got ${ids.dtype}`);
    checkIds('TokenEmbedding', ids, this.vocabSize);
    return indexSelect(this.weight, 0, ids.reshape([ids.size])).reshape([...ids.shape, this.dim]);
  }
}
