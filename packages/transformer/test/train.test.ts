import { describe, expect, it } from 'vitest';
import { Optimizer, adam, randint, rng, tidy, type Tensor } from '@grokkit/core';
import { Decoder, Encoder, type TransformerStack } from '../src/index.js';

function train(model: TransformerStack, steps: number, lossOf: () => Tensor): number[] {
  const opt = new Optimizer(model.namedParameters(), adam({ lr: 3e-3, betas: [0.9, 0.98] }));
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(
      tidy(() => {
        opt.zeroGrad();
        const l = lossOf();
        l.backward();
        return l.item();
      }),
    );
    opt.update();
  }
  return losses;
}

describe('training smoke tests', () => {
  it('Decoder learns to copy the first token to the last position', () => {
    const model = new Decoder({ vocabSize: 6, maxLen: 4, dim: 32, depth: 1, heads: 2, rng: rng(0) });
    const x = randint(0, 6, [64, 4], { rng: rng(1) });
    const target = x.slice(1, 0, 1).reshape([64]);
    const losses = train(model, 40, () => model.loss(model.forward(x, { lastOnly: true }), target));
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(0.3 * losses[0]!);
  });

  it('Encoder learns to predict the last token at the first position (needs bidirectional attention)', () => {
    const model = new Encoder({ vocabSize: 6, maxLen: 4, dim: 32, depth: 1, heads: 2, positional: 'rotary', norm: 'rms', rng: rng(2) });
    const x = randint(0, 6, [64, 4], { rng: rng(3) });
    const target = x.slice(1, 3, 4).reshape([64]);
    const losses = train(model, 40, () => model.loss(model.forward(x).slice(1, 0, 1).reshape([64, 6]), target));
    expect(losses[losses.length - 1]!).toBeLessThan(0.3 * losses[0]!);
  });
});
