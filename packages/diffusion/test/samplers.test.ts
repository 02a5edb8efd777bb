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

  it('rejects a denoiser with too few logits, and bad options', () => {
    const small: Denoise = (xt) => g.zeros([...xt.shape, 3]);
    expect(() => confidenceSample(small, start(1, 3, 0), { maskId })).toThrow(/V > 5/);
    expect(() => ancestralSample(randomDenoiser(0), start(1, 3, 0), { maskId, temperature: -1 })).toThrow(/temperature/);
  });
});
