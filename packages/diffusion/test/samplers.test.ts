import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { ancestralSample, confidenceSample, type Denoise } from '../src/index.js';

const V = 6; // tokens 0..4, mask 5
const maskId = 5;

/** Random logits that also put a lot of weight on the mask token (which must never be chosen). */
function randomDenoiser(seed: number): Denoise {
  const r = g.rng(seed);
  return (xt) => {
    const [b, t] = xt.shape as [number, number];
    const l = g.randn([b, t, V], { rng: r, std: 2 }).dataSync();
    for (let i = 0; i < b * t; i++) l[i * V + maskId] = 50;
    return g.tensor(l, { shape: [b, t, V] });
  };
}

function start(b: number, len: number, prompt: number): g.Tensor {
  const x = new Int32Array(b * len).fill(maskId);
  for (let i = 0; i < b; i++) for (let j = 0; j < prompt; j++) x[i * len + j] = (i + j) % maskId;
  return g.tensor(x, { dtype: 'int32', shape: [b, len] });
}

function checkTrajectory(x0: g.Tensor, traj: Int32Array[], out: g.Tensor) {
  let prev: Int32Array = Int32Array.from(x0.dataSync());
  for (const cur of traj) {
    for (let i = 0; i < cur.length; i++) if (prev[i] !== maskId) expect(cur[i]).toBe(prev[i]); // revealed tokens never change
    prev = cur;
  }
  const final = out.dataSync();
  expect(Array.from(final)).toEqual(Array.from(prev));
  expect(final.every((v) => v !== maskId && v >= 0 && v < maskId)).toBe(true); // no masks left
}

describe('samplers', () => {
  for (const [name, run] of [
    ['ancestral (greedy)', (d: Denoise, x: g.Tensor, onStep: (t: Int32Array) => void) => ancestralSample(d, x, { maskId, steps: 7, rng: g.rng(1), onStep })],
    ['ancestral (temperature 1)', (d: Denoise, x: g.Tensor, onStep: (t: Int32Array) => void) => ancestralSample(d, x, { maskId, steps: 3, temperature: 1, rng: g.rng(2), onStep })],
    ['confidence (fixed steps)', (d: Denoise, x: g.Tensor, onStep: (t: Int32Array) => void) => confidenceSample(d, x, { maskId, steps: 4, onStep })],
    ['confidence (k = 3, sampled)', (d: Denoise, x: g.Tensor, onStep: (t: Int32Array) => void) => confidenceSample(d, x, { maskId, k: 3, temperature: 0.7, rng: g.rng(3), onStep })],
  ] as const) {
    it(`${name}: never changes revealed tokens (prompt included) and ends with no masks`, () => {
      const x = start(8, 12, 4);
      const traj: Int32Array[] = [];
      const out = run(randomDenoiser(7), x, (t) => traj.push(t));
      expect(traj.length).toBeGreaterThan(0);
      checkTrajectory(x, traj, out);
    });
  }

  it('ancestral: reveals each masked token with probability (t − s)/t per step', () => {
    // 2000 masked tokens, 4 steps: expected reveals 1/4 of all per step (uniform grid), then the rest
    const x = start(100, 20, 0);
    const counts: number[] = [];
    let prev = 2000;
    ancestralSample(randomDenoiser(1), x, {
      maskId, steps: 4, rng: g.rng(9),
      onStep: (t) => {
        const left = t.filter((v) => v === maskId).length;
        counts.push(prev - left);
        prev = left;
      },
    });
    for (const c of counts) expect(Math.abs(c - 500)).toBeLessThan(4 * Math.sqrt(2000 * 0.25 * 0.75) + 30);
    expect(prev).toBe(0);
  });

  it('confidence: reveals the most confident positions first, k per step', () => {
    // position j's prediction is token j % 5 with confidence growing with j
    const sharp: Denoise = (xt) => {
      const [b, t] = xt.shape as [number, number];
      const l = new Float32Array(b * t * V);
      for (let i = 0; i < b; i++) for (let j = 0; j < t; j++) l[(i * t + j) * V + (j % 5)] = 0.5 * j;
      return g.tensor(l, { shape: [b, t, V] });
    };
    const x = start(2, 6, 0);
    const traj: Int32Array[] = [];
    const out = confidenceSample(sharp, x, { maskId, k: 2, onStep: (t) => traj.push(t) });
    expect(traj.length).toBe(3);
    const revealed = (t: Int32Array) => Array.from(t.slice(0, 6)).map((v) => v !== maskId);
    expect(revealed(traj[0]!)).toEqual([false, false, false, false, true, true]);
    expect(revealed(traj[1]!)).toEqual([false, false, true, true, true, true]);
    expect(Array.from(out.dataSync().slice(0, 6))).toEqual([0, 1, 2, 3, 4, 0]);
  });

  /**
   * A chain like a path traced back from its goal: the last position's token (4) is known from the
   * start; position j < 3 is sure of its token j only once position j + 1 is revealed, and split
   * between two candidates before, slightly favouring the wrong one (like an unresolved branch).
   */
  const chain: Denoise = (xt) => {
    const [b, t] = xt.shape as [number, number];
    const x = xt.dataSync();
    const l = new Float32Array(b * t * V);
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < t; j++) {
        const o = (i * t + j) * V;
        if (j === t - 1 || x[i * t + j + 1] !== maskId) l[o + (j === t - 1 ? 4 : j)] = 8;
        else [l[o + j], l[o + ((j + 1) % 4)]] = [2, 2.1];
      }
    }
    return g.tensor(l, { shape: [b, t, V] });
  };
  const order = (traj: Int32Array[], len: number) => {
    const seen: number[] = [];
    for (const t of traj) for (let j = 0; j < len; j++) if (t[j] !== maskId && !seen.includes(j)) seen.push(j);
    return seen;
  };

  it('easy first: on a chain that resolves from its end, decoding goes backwards and gets every token right', () => {
    for (const schedule of ['even', 'linear', 'cosine'] as const) {
      const traj: Int32Array[] = [];
      const out = confidenceSample(chain, start(1, 4, 0), { maskId, steps: 4, schedule, onStep: (t) => traj.push(t) });
      expect(order(traj, 4)).toEqual([3, 2, 1, 0]);
      expect(Array.from(out.dataSync())).toEqual([0, 1, 2, 4]);
    }
    // revealing all at once (one step) guesses the unresolved positions, and gets them wrong
    const once = confidenceSample(chain, start(1, 4, 0), { maskId, steps: 1 }).dataSync();
    expect(Array.from(once)).toEqual([1, 2, 3, 4]);
  });

  it("top-k schedules: 'linear' keeps ⌊n(1 − (i+1)/steps)⌋ masked after step i, 'cosine' ⌊n·cos(π/2·(i+1)/steps)⌋", () => {
    const masked = (traj: Int32Array[]) => traj.map((t) => t.filter((v) => v === maskId).length);
    const lin: Int32Array[] = [];
    confidenceSample(chain, start(1, 4, 0), { maskId, steps: 8, schedule: 'linear', onStep: (t) => lin.push(t) });
    expect(masked(lin)).toEqual([3, 3, 2, 2, 1, 1, 0]); // done once nothing is masked
    const cos: Int32Array[] = [];
    confidenceSample(randomDenoiser(4), start(1, 8, 0), { maskId, steps: 4, schedule: 'cosine', onStep: (t) => cos.push(t) });
    expect(masked(cos)).toEqual([7, 5, 3, 0]); // few early, most late
    const even: Int32Array[] = [];
    confidenceSample(chain, start(1, 4, 0), { maskId, steps: 8, onStep: (t) => even.push(t) });
    expect(masked(even)).toEqual([3, 2, 1, 0]); // 'even' stops once nothing is masked
  });

  it('rankNoise: Gumbel noise on the log confidence makes the order stochastic, repeatable per generator', () => {
    const run = (seed: number, rankNoise: number) => {
      const traj: Int32Array[] = [];
      confidenceSample(randomDenoiser(5), start(1, 6, 0), { maskId, steps: 6, rankNoise, rng: g.rng(seed), onStep: (t) => traj.push(t) });
      return order(traj, 6).join(',');
    };
    expect(run(1, 0)).toBe(run(2, 0));
    expect(run(1, 5)).toBe(run(1, 5));
    expect(new Set([1, 2, 3, 4, 5, 6].map((s) => run(s, 5))).size).toBeGreaterThan(1);
    expect(() => run(1, -1)).toThrow(/rankNoise ≥ 0, got -1/);
    expect(() => confidenceSample(chain, start(1, 4, 0), { maskId, schedule: 'random' as never })).toThrow(/schedule/);
  });

  it('rejects a denoiser with too few logits, and bad options', () => {
    const small: Denoise = (xt) => g.zeros([...xt.shape, 3]);
    expect(() => confidenceSample(small, start(1, 3, 0), { maskId })).toThrow(/V > 5/);
    expect(() => ancestralSample(randomDenoiser(0), start(1, 3, 0), { maskId, temperature: -1 })).toThrow(/temperature/);
  });
});
