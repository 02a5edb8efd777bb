import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { gradcheck } from '@grokkit/core/testing';
import { maskedDiffusionLoss, maskedLossFromLogits, reweightTokens, subsLogProbs, suppressMask, timeWeight, NEG_INF } from '../src/index.js';

const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};

describe('masked diffusion loss', () => {
  // vocabulary {0, 1} plus the mask token 2; one sequence of 3 tokens, positions 1 and 2 masked
  const maskId = 2;
  const raw = [
    [0.5, -1.0, 7.0], // visible position: never scored
    [1.0, 2.0, 9.0], // masked, target 1
    [0.3, -0.2, 5.0], // masked, target 0
  ];
  const x0 = g.tensor(Int32Array.from([0, 1, 0]), { shape: [1, 3] });
  const xt = g.tensor(Int32Array.from([0, 2, 2]), { shape: [1, 3] });
  // hand computation: mask logit excluded, −log softmax over the two real tokens
  const nll1 = logSumExp([1.0, 2.0]) - 2.0;
  const nll2 = logSumExp([0.3, -0.2]) - 0.3;

  it('equals the hand-computed (1/t)·Σ_masked −log p, per token and per sequence', () => {
    const logits = g.tensor([raw]);
    const t = 0.4;
    const perToken = maskedLossFromLogits({ logits, x0, xt, t, maskId }).item();
    expect(perToken).toBeCloseTo((nll1 + nll2) / t / 3, 5);
    const perSeq = maskedLossFromLogits({ logits, x0, xt, t: g.tensor([t]), maskId, normalize: 'sequence' }).item();
    expect(perSeq).toBeCloseTo((nll1 + nll2) / t, 5);
    const answerOnly = maskedLossFromLogits({ logits, x0, xt, t, maskId, maskableCount: 2 }).item();
    expect(answerOnly).toBeCloseTo((nll1 + nll2) / t / 2, 5);
  });

  it('ignores the mask logit and the visible positions (no gradient reaches them)', () => {
    const logits = g.tensor([raw]).requiresGrad_();
    maskedLossFromLogits({ logits, x0, xt, t: 0.5, maskId }).backward();
    const grad = logits.grad!.toArray() as number[][][];
    expect(grad[0]![0]).toEqual([0, 0, 0]); // visible position
    expect(grad[0]![1]![2]).toBe(0); // the mask token's logit
    expect(grad[0]![2]![2]).toBe(0);
    expect(Math.abs(grad[0]![1]![1]!)).toBeGreaterThan(0);
    // raising the mask logit changes nothing
    const bigger = g.tensor([raw.map(([a, b]) => [a!, b!, 1e4])]);
    expect(maskedLossFromLogits({ logits: bigger, x0, xt, t: 0.5, maskId }).item()).toBeCloseTo(maskedLossFromLogits({ logits: g.tensor([raw]), x0, xt, t: 0.5, maskId }).item(), 6);
  });

  it('SUBS: the mask token gets probability 0 and visible tokens are copied', () => {
    const lp = subsLogProbs(g.tensor([raw]), xt, maskId).toArray() as number[][][];
    expect(lp[0]![0]).toEqual([0, NEG_INF, NEG_INF]); // visible token 0 copied
    expect(lp[0]![1]![2]).toBeLessThan(-1e8); // mask never predicted
    expect(Math.exp(lp[0]![1]![0]!) + Math.exp(lp[0]![1]![1]!)).toBeCloseTo(1, 6);
    expect(lp[0]![1]![1]).toBeCloseTo(-nll1, 5);
    expect(() => suppressMask(g.tensor([raw]), 3)).toThrow(/maskId 3/);
  });

  it('is zero when nothing is masked and rejects mismatched shapes', () => {
    expect(maskedLossFromLogits({ logits: g.tensor([raw]), x0, xt: x0, t: 0.3, maskId }).item()).toBe(0);
    expect(() => maskedLossFromLogits({ logits: g.tensor(raw), x0, xt, t: 0.3, maskId })).toThrow(/logits of shape \[1, 3, V\]/);
    expect(() => maskedLossFromLogits({ logits: g.tensor([raw]), x0, xt, t: 0.3, maskId, normalize: 'batch' as never })).toThrow(/normalize/);
  });

  it('the Monte-Carlo loss is an unbiased estimate: its mean over t matches Σ_i −log p (for a denoiser ignoring x_t)', () => {
    // a denoiser whose output does not depend on x_t: E_t E_mask[(1/t) Σ_masked nll] = Σ_i nll_i exactly
    const len = 4;
    const fixed = g.tensor([[[0.2, -0.5, 0], [1.5, 0.1, 0], [-0.3, 0.4, 0], [0, 2, 0]]]);
    const seq = g.tensor(Int32Array.from([0, 1, 1, 0]), { shape: [1, len] });
    const lp = g.logSoftmax(suppressMask(fixed, maskId), -1).toArray() as number[][][];
    const exact = [0, 1, 1, 0].reduce((a, tok, i) => a - lp[0]![i]![tok]!, 0) / len;
    const r = g.rng(3);
    const batch = 4000;
    const x = g.tensor(Int32Array.from({ length: batch * len }, (_, i) => [0, 1, 1, 0][i % len]!), { shape: [batch, len] });
    const den = () => fixed.expand([batch, len, 3]);
    const est = maskedDiffusionLoss(den, x, { maskId, rng: r, stratified: true }).loss.item();
    expect(est).toBeGreaterThan(exact * 0.9);
    expect(est).toBeLessThan(exact * 1.1);
    seq.dispose();
  });

  it("MGDM token reweighting: each masked token's −log p times α(1 − p)^γ, by hand", () => {
    const logits = g.tensor([raw]);
    const t = 0.4;
    const w = (nll: number, alpha: number, gamma: number) => alpha * (1 - Math.exp(-nll)) ** gamma * nll;
    for (const [alpha, gamma] of [[0.25, 1], [0.5, 2], [1, 0], [0.25, 0.5]] as const) {
      const got = maskedLossFromLogits({ logits, x0, xt, t, maskId, tokenReweighting: { alpha, gamma } }).item();
      expect(got).toBeCloseTo((w(nll1, alpha, gamma) + w(nll2, alpha, gamma)) / t / 3, 6);
    }
    // the defaults are Ye et al.'s α = 0.25, γ = 1; the harder token (lower p) gets the larger weight
    const def = maskedLossFromLogits({ logits, x0, xt, t, maskId, tokenReweighting: {} }).item();
    expect(def).toBeCloseTo((w(nll1, 0.25, 1) + w(nll2, 0.25, 1)) / t / 3, 6);
    expect(nll2).toBeGreaterThan(nll1);
    expect(w(nll2, 0.25, 1) / nll2).toBeGreaterThan(w(nll1, 0.25, 1) / nll1);
    expect(() => maskedLossFromLogits({ logits, x0, xt, t, maskId, tokenReweighting: { alpha: 0 } })).toThrow(/tokenReweighting.alpha > 0, got 0/);
    expect(() => maskedLossFromLogits({ logits, x0, xt, t, maskId, tokenReweighting: { gamma: -1 } })).toThrow(/gamma ≥ 0, got -1/);
  });

  it('token reweighting: the gradient flows through the weight (as in focal loss) and stays finite at p = 1', () => {
    const nll = g.tensor([0.05, 0.7, 2.5, 6], { dtype: 'float64' }).requiresGrad_();
    for (const gamma of [1, 2, 0.5]) gradcheck((x) => reweightTokens(x, { alpha: 0.3, gamma }), [nll]);
    // d/dℓ [α(1 − e^{−ℓ})ℓ] = α(1 − e^{−ℓ} + ℓe^{−ℓ}), not the detached α(1 − e^{−ℓ})
    const one = g.tensor([0.7], { dtype: 'float64' }).requiresGrad_();
    reweightTokens(one, { alpha: 0.25, gamma: 1 }).sum().backward();
    expect(one.grad!.item()).toBeCloseTo(0.25 * (1 - Math.exp(-0.7) + 0.7 * Math.exp(-0.7)), 10);
    const zero = g.tensor([0], { dtype: 'float64' }).requiresGrad_();
    reweightTokens(zero, { gamma: 0.5 }).sum().backward();
    expect(Number.isFinite(zero.grad!.item())).toBe(true);
  });

  it("linear time weighting: a row's masked tokens weigh 1 − t instead of 1/t", () => {
    const logits = g.tensor([raw, raw]);
    const two = (x: g.Tensor) => g.tensor(Int32Array.from([...x.dataSync(), ...x.dataSync()]), { shape: [2, 3] });
    const t = g.tensor([0.25, 0.75]);
    const got = maskedLossFromLogits({ logits, x0: two(x0), xt: two(xt), t, maskId, timeWeighting: 'linear' }).item();
    expect(got).toBeCloseTo(((1 - 0.25) * (nll1 + nll2) + (1 - 0.75) * (nll1 + nll2)) / 6, 6);
    const elbo = maskedLossFromLogits({ logits, x0: two(x0), xt: two(xt), t, maskId }).item();
    expect(elbo).toBeCloseTo(((nll1 + nll2) / 0.25 + (nll1 + nll2) / 0.75) / 6, 5);
    expect([timeWeight('elbo', 0.25), timeWeight('linear', 0.25)]).toEqual([4, 0.75]);
    expect(() => maskedLossFromLogits({ logits, x0: two(x0), xt: two(xt), t, maskId, timeWeighting: 'cosine' as never })).toThrow(/timeWeighting.*'elbo', 'linear'.*"cosine"/);
  });
});
