/**
 * The masked-diffusion denoiser: a bidirectional transformer `Encoder` over the task vocabulary
 * plus one mask token (id = task vocabSize), returning logits for every position.
 */
import { checks, Module, type Tensor } from '@grokkit/core';
import { Encoder, type TransformerConfig } from '@grokkit/transformer';

export interface MaskedDenoiserConfig extends Omit<TransformerConfig, 'vocabSize'> {
  /** The task's vocabulary (tokens 0..vocabSize−1); the mask token is `vocabSize`. */
  vocabSize: number;
}

export class MaskedDenoiser extends Module {
  readonly encoder: Encoder;
  /** The absorbing mask token's id (= the task vocabulary size). */
  readonly maskId: number;
  /** The task's vocabulary size (the encoder's is one larger). */
  readonly vocabSize: number;

  constructor(config: MaskedDenoiserConfig) {
    super();
    this.vocabSize = checks.positiveInt('MaskedDenoiser', 'vocabSize', config.vocabSize);
    this.maskId = this.vocabSize;
    this.encoder = new Encoder({ ...config, vocabSize: this.vocabSize + 1 });
  }

  /** int32 x_t [B, T] (tokens < vocabSize or the mask id) → logits [B, T, vocabSize + 1]. */
  forward(xt: Tensor): Tensor {
    return this.encoder.forward(xt);
  }
}
