import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { grokfastEma, grokfastMa } from '../src/index.js';
import { expectClose, runSeq } from './helpers.js';

describe('grokfastEma', () => {
  it('follows the hand-computed sequence, μ starting at the first gradient', () => {
    // α = 0.5, λ = 2: μ = 1, 2, 0.5, 0.25; ĝ = g + 2μ
    const seq = [[1], [3], [-1], [0]];
    expect(runSeq(grokfastEma({ alpha: 0.5, lamb: 2 }), seq)).toEqual([[3], [7], [0], [0.5]]);
    expect(runSeq(grokfastEma({ alpha: 0.5, lamb: 2 }), seq, 'float32')).toEqual([[3], [7], [0], [0.5]]);
  });

  it('matches the recurrence over a long run with the defaults (α = 0.98, λ = 2)', () => {
    const r = g.rng(3);
    const seq = Array.from({ length: 200 }, () => [r.normal(), r.normal()]);
    let mu = seq[0]!.slice();
    const want = seq.map((x, t) => {
      if (t > 0) mu = mu.map((m, i) => 0.98 * m + (1 - 0.98) * x[i]!);
      return x.map((v, i) => v + 2 * mu[i]!);
    });
    expectClose(runSeq(grokfastEma(), seq), want, 1e-12);
  });

  it('does not mutate or alias the incoming gradient', () => {
    const p = g.zeros([2]);
    const t = grokfastEma({ alpha: 0.5, lamb: 1 });
    const s0 = t.init({ p });
    const grad = g.tensor([1, 2]);
    const r = t.update({ p: grad }, s0, { p });
    grad.dispose(); // e.g. zeroGrad() after the step
    expect(Array.from(r.state.params.p!.mu.dataSync())).toEqual([1, 2]);
    expect(Array.from(r.grads.p!.dataSync())).toEqual([2, 4]);
  });
});

describe('grokfastMa', () => {
  const seq = [[3], [6], [9], [12], [0]];
  it('mean over the stored entries, no warmup', () => {
    // queue means: 3, 4.5, 6, 9, 7
    expect(runSeq(grokfastMa({ windowSize: 3, lamb: 1, warmup: false }), seq)).toEqual([[6], [10.5], [15], [21], [7]]);
  });
  it('warmup adds nothing until the queue is full', () => {
    expect(runSeq(grokfastMa({ windowSize: 3, lamb: 1 }), seq)).toEqual([[3], [6], [15], [21], [7]]);
  });
  it("'sum' adds λ times the window sum", () => {
    // sums 3, 9, 18, 27, 21
    expect(runSeq(grokfastMa({ windowSize: 3, lamb: 0.5, filterType: 'sum', warmup: false }), seq)).toEqual([[4.5], [10.5], [18], [25.5], [10.5]]);
    expect(runSeq(grokfastMa({ windowSize: 3, lamb: 0.5, filterType: 'sum' }), seq)).toEqual([[3], [6], [18], [25.5], [10.5]]);
  });
  it('window 1 multiplies by 1 + λ', () => {
    expect(runSeq(grokfastMa({ windowSize: 1, lamb: 4 }), [[1, -2], [0.5, 3]])).toEqual([[5, -10], [2.5, 15]]);
  });
  it('the running sum equals a re-summed window over a long run', () => {
    const r = g.rng(5);
    const w = 7;
    const xs = Array.from({ length: 60 }, () => [r.normal()]);
    const want = xs.map((x, t) => {
      const q = xs.slice(Math.max(0, t - w + 1), t + 1).map((v) => v[0]!);
      return [x[0]! + (5 * q.reduce((a, b) => a + b, 0)) / q.length];
    });
    expectClose(runSeq(grokfastMa({ windowSize: w, warmup: false }), xs), want, 1e-12);
  });
});
