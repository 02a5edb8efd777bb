import * as checks from '../checks.js';
import type { FloatDType } from '../dtype.js';
import { indexSelect, reshape } from '../ops.js';
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { warnDeprecated } from '../deprecation.js';
import { init } from './init.js';
import { Module } from './module.js';

export interface EmbeddingOptions {
  /** Generator for the initial values (default: the global one). */
  rng?: Generator;
  /** Standard deviation of the N(0, std²) init (default 1, as PyTorch's nn.Embedding). */
  std?: number;
  /** dtype of the table (default 'float32'). */
  dtype?: FloatDType;
}

/** A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, std²) (PyTorch's nn.Embedding). */
export class Embedding extends Module {
  weight: Tensor;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: EmbeddingOptions = {},
  ) {
    super();
    checks.positiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    checks.positiveInt('Embedding', 'embeddingDim', embeddingDim);
    const dtype = checks.floatDType('Embedding', opts.dtype ?? 'float32');
    this.weight = init.normal([numEmbeddings, embeddingDim], checks.number('Embedding', 'std', opts.std ?? 1, 0), opts.rng, dtype);
  }

  /** int32 ids of any shape, each in [0, numEmbeddings) → vectors [...ids.shape, embeddingDim]. */
  forward(ids: Tensor): Tensor {
    checks.indices('Embedding', 'ids', ids, this.numEmbeddings);
    const flat = indexSelect(this.weight, 0, reshape(ids, [ids.size]));
    return reshape(flat, [...ids.shape, this.embeddingDim]);
  }

  /** @deprecated use `numEmbeddings` (PyTorch's name). */
  get num(): number {
    warnDeprecated('Embedding.num', 'use Embedding.numEmbeddings');
    return this.numEmbeddings;
  }

  /** @deprecated use `embeddingDim` (PyTorch's name). */
  get dim(): number {
    warnDeprecated('Embedding.dim', 'use Embedding.embeddingDim');
    return this.embeddingDim;
  }
}
