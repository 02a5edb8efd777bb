import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { accuracy, meanOverChunks } from '../src/index.js';

describe('meanOverChunks', () => {
  const r = g.rng(3);
  const x = g.randn([37, 8], { rng: r });
  const w = g.randn([8, 5], { rng: r });
  const y = g.randint(0, 5, [37], { rng: r });

  it('gives one big batch’s accuracy and (up to rounding) its mean loss, for any chunk size', () => {
    const whole = g.tidy(() => {
      const logits = x.matmul(w);
      return { acc: accuracy(logits, y), loss: g.crossEntropy(logits, y).item() };
    });
    for (const rows of [1, 5, 16, 37, 100]) {
      const m = meanOverChunks(37, rows, (a, b) => {
        const logits = x.slice(0, a, b).matmul(w);
        return { acc: accuracy(logits, y.slice(0, a, b)), loss: g.crossEntropy(logits, y.slice(0, a, b)).item() };
      });
      expect(m.acc).toBeCloseTo(whole.acc, 6); // accuracy() is a float32 mean
      expect(m.loss).toBeCloseTo(whole.loss, 5);
    }
  });

  it('calls fn on consecutive ranges and frees each chunk’s tensors before the next', () => {
    const ranges: number[][] = [];
    const live: number[] = [];
    const before = g.liveTensors();
    meanOverChunks(10, 4, (a, b) => {
      live.push(g.liveTensors() - before);
      ranges.push([a, b]);
      g.ones([b - a, 3]).mul(2);
      return { n: b - a };
    });
    expect(ranges).toEqual([[0, 4], [4, 8], [8, 10]]);
    expect(live).toEqual([0, 0, 0]);
    expect(g.liveTensors()).toBe(before);
  });

  it('refuses a bad row count or chunk size in one line', () => {
    expect(() => meanOverChunks(0, 4, () => ({}))).toThrow('meanOverChunks: expected a positive integer row count, got 0');
    expect(() => meanOverChunks(10, 2.5, () => ({}))).toThrow('meanOverChunks: expected a positive integer chunk size, got 2.5');
  });
});
