/** A bidirectional stack: every position attends to every (non-padded) position, e.g. a diffusion denoiser. */
import type { TransformerConfig } from './config.js';
import { TransformerStack } from './stack.js';

export class Encoder extends TransformerStack {
  constructor(config: TransformerConfig) {
    super('Encoder', false, config);
  }
}
