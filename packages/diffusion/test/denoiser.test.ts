import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { MaskedDenoiser, confidenceSample, maskedDiffusionLoss } from '../src/index.js';

describe('MaskedDenoiser', () => {
  it('is a bidirectional Encoder over vocab + 1 (mask id = vocabSize)', () => {
    const m = new MaskedDenoiser({ vocabSize: 7, maxLen: 5, dim: 16, depth: 1, heads: 2, rng: g.rng(0) });
    expect(m.maskId).toBe(7);
    const x = g.tensor(Int32Array.from([1, 7, 3, 7, 0]), { shape: [1, 5] });
    expect(m.forward(x).shape).toEqual([1, 5, 8]);
    // bidirectional: the output at position 0 depends on a later token
    const y = g.tensor(Int32Array.from([1, 7, 3, 7, 6]), { shape: [1, 5] });
    const a = m.forward(x).slice(1, 0, 1).dataSync(), b = m.forward(y).slice(1, 0, 1).dataSync();
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('learns to fill in answers that depend on the prompt (answer = [b, a] for prompt [a, b])', () => {
    const V = 6;
    const m = new MaskedDenoiser({ vocabSize: V, maxLen: 4, dim: 32, depth: 1, heads: 2, rng: g.rng(1) });
    const opt = new g.Optimizer(m.namedParameters(), g.adamw({ lr: 1e-2, weightDecay: 0 }));
    const r = g.rng(2);
    const make = (n: number) => {
      const x = new Int32Array(n * 4);
      for (let i = 0; i < n; i++) {
        const a = r.int(0, V), b = r.int(0, V);
        x.set([a, b, b, a], i * 4);
      }
      return x;
    };
    let first = 0, last = 0;
    for (let step = 0; step < 150; step++) {
      g.tidy(() => {
        const { loss } = maskedDiffusionLoss((xt) => m.forward(xt), g.tensor(make(64), { dtype: 'int32', shape: [64, 4] }), { maskId: m.maskId, promptLength: 2, rng: r });
        const v = loss.item();
        if (step < 10) first += v / 10;
        if (step >= 140) last += v / 10;
        loss.backward();
        opt.update();
        opt.zeroGrad();
      });
    }
    expect(last).toBeLessThan(first / 3);
    m.eval();
    const test = make(32);
    const x = Int32Array.from(test);
    for (let i = 0; i < 32; i++) x.fill(m.maskId, i * 4 + 2, i * 4 + 4);
    const out = g.noGrad(() => confidenceSample((xt) => m.forward(xt), g.tensor(x, { dtype: 'int32', shape: [32, 4] }), { maskId: m.maskId }).dataSync());
    let right = 0;
    for (let i = 0; i < 32 * 4; i++) if (out[i] === test[i]) right++;
    expect(right / (32 * 4)).toBeGreaterThan(0.9);
    opt.dispose();
  });
});
