import { liveTensors, tensor } from '@grokkit/core';
import { describe, expect, it } from 'vitest';
import { accuracy, curve, formatSummary, grokkingDelay, stepsToThreshold, summarize } from '../src/index.js';

const pts = (vals: (number | null)[], every = 10) => vals.map((value, i) => ({ step: i * every, value }));

describe('accuracy', () => {
  it('compares the argmax of the last dim with the targets', () => {
    const logits = tensor([[0.1, 2, 0], [3, 1, 0], [0, 0, 5], [1, 0.5, 0.2]]);
    const before = liveTensors();
    expect(accuracy(logits, tensor([1, 0, 2, 2], { dtype: 'int32' }))).toBeCloseTo(0.75, 7);
    expect(liveTensors()).toBe(before + 1); // only the targets tensor made inline
  });
  it('handles [batch, seq, C] logits and says what shapes it expected', () => {
    const logits = tensor([[[1, 0], [0, 1]], [[1, 0], [1, 0]]]);
    expect(accuracy(logits, tensor([[0, 1], [1, 0]], { dtype: 'int32' }))).toBeCloseTo(0.75, 7);
    expect(() => accuracy(logits, tensor([0, 1], { dtype: 'int32' }))).toThrow(/expected targets of shape \[2, 2\].*got \[2\]/);
    expect(() => accuracy(tensor([[1, 0]]), tensor([0]))).toThrow(/expected int32 targets, got float32/);
  });
});

describe('stepsToThreshold', () => {
  it('returns the first step whose value reaches the threshold, or null', () => {
    const c = pts([0.1, 0.5, 0.94, 0.95, 0.2, 0.99]);
    expect(stepsToThreshold(c, 0.95)).toBe(30);
    expect(stepsToThreshold(c, 0.999)).toBeNull();
    expect(stepsToThreshold([], 0.5)).toBeNull();
  });
  it('with sustained, ignores a spike that falls back', () => {
    expect(stepsToThreshold(pts([0.1, 0.96, 0.5, 0.97, 0.99]), 0.95, { sustained: true })).toBe(30);
    expect(stepsToThreshold(pts([0.1, 0.96, 0.5]), 0.95, { sustained: true })).toBeNull();
  });
  it('skips nulls and NaN and sorts by step', () => {
    expect(stepsToThreshold([{ step: 50, value: 0.99 }, { step: 20, value: null }, { step: 30, value: NaN }, { step: 40, value: 0.96 }], 0.95)).toBe(40);
  });
});

describe('grokkingDelay', () => {
  it('is the step gap from train to val reaching the threshold', () => {
    const train = pts([0.2, 0.9, 1, 1, 1, 1, 1]);
    const val = pts([0.1, 0.2, 0.2, 0.3, 0.96, 1, 1]);
    expect(grokkingDelay(train, val, 0.95)).toBe(40 - 20);
    expect(grokkingDelay(train, pts([0.1, 0.2]), 0.95)).toBeNull();
    expect(grokkingDelay(pts([0.1]), val, 0.95)).toBeNull();
    expect(grokkingDelay(pts([0, 0, 1]), pts([0, 1, 1]), 0.95)).toBe(-10);
  });
  it('reads curves out of eval records', () => {
    const h = [{ step: 0, trainAcc: 0.1, wallSeconds: 0 }, { step: 10, trainAcc: 1, wallSeconds: 1 }, { step: 20, wallSeconds: 2 }];
    expect(curve(h, 'trainAcc')).toEqual([{ step: 0, value: 0.1 }, { step: 10, value: 1 }, { step: 20, value: null }]);
  });
});

describe('summarize', () => {
  it('gives mean, sample std (n−1), min, max, n and counts missing values', () => {
    const s = summarize([2, 4, null, 4, 4, 5, undefined, 5, 7, 9, NaN]);
    expect(s.n).toBe(8);
    expect(s.missing).toBe(3);
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect([s.min, s.max]).toEqual([2, 9]);
  });
  it('has NaN std for one value and NaN everything for none', () => {
    expect(summarize([3])).toMatchObject({ mean: 3, n: 1, min: 3, max: 3 });
    expect(summarize([3]).std).toBeNaN();
    const e = summarize([null, null]);
    expect(e.n).toBe(0);
    expect(e.missing).toBe(2);
    expect(e.mean).toBeNaN();
  });
  it('formats as mean ± std with the missing count', () => {
    expect(formatSummary(summarize([1, 2, 3]))).toBe('2 ± 1');
    expect(formatSummary(summarize([1.23456, null]))).toBe('1.23 (1 missing)');
    expect(formatSummary(summarize([null]))).toBe('— (1 missing)');
  });
});
