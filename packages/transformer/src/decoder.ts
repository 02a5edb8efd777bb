/** A causal language model: position t attends to positions ≤ t only. */
import type { TransformerConfig } from './config.js';
import { TransformerStack } from './stack.js';

export class Decoder extends TransformerStack {
  constructor(config: TransformerConfig) {
    super('Decoder', true, config);
  }
}
