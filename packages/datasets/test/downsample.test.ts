import { describe, expect, it } from 'vitest';
import { addBack, downsample, hammingClusters, onePerClass, equidistantLayout, equivariantLayout } from '../src/index.js';

describe('downsample (Carvalho et al. Eq. 1)', () => {
  it('γ_D = 2000, f = 0.2, one subclass per class of 8 → 84 and 416', () => {
    const plan = downsample({ f: 0.2, total: 2000, subclasses: 8, downsampled: [1, 3, 5, 7] });
    expect(plan.perDownsampled).toBe(84);
    expect(plan.perRemaining).toBe(416);
    expect(plan.counts).toEqual([416, 84, 416, 84, 416, 84, 416, 84]);
    expect(plan.size).toBe(2000);
  });

  it('f = 0 removes the down-sampled subclasses', () => {
    const plan = downsample({ f: 0, total: 2000, subclasses: 8, downsampled: [1, 3, 5, 7] });
    expect(plan.counts).toEqual([500, 0, 500, 0, 500, 0, 500, 0]);
  });

  // Hand-computed: denominator f·γ_s + γ_r, then ⌈f·γ_D/denom⌉ and ⌊γ_D/denom⌋.
  it.each([
    // γ_D, f, subclasses, downsampled, s_s, s_r
    [100, 0.5, 2, [0], 34, 66], //      1.5: ⌈33.3⌉, ⌊66.7⌋
    [10, 0, 5, [0, 1], 0, 3], //        3: 0, ⌊3.33⌋
    [12, 1, 3, [2], 4, 4], //           3: no down-sampling
    [2000, 0.01, 8, [0, 2, 4, 6], 5, 495], // 4.04: ⌈4.95⌉, ⌊495.05⌋
    [40, 0.25, 40, [1, 11, 21, 31], 1, 1], // 37: ⌈0.27⌉, ⌊1.08⌋
    [1000, 0.2, 40, [9, 19, 29, 39], 6, 27], // 36.8: ⌈5.43⌉, ⌊27.17⌋
    [1700, 0.25, 8, [1, 3, 5, 7], 85, 340], // 5: exact quotients stay exact (85, 340)
    [600, 0.1, 4, [0, 1], 28, 272], // 2.2: ⌈27.27⌉, ⌊272.7⌋
  ])('γ_D=%i f=%f subclasses=%i downsampled=%j → s_s=%i, s_r=%i', (total, f, subclasses, downsampled, ss, sr) => {
    const plan = downsample({ f, total, subclasses, downsampled });
    expect(plan.perDownsampled).toBe(ss);
    expect(plan.perRemaining).toBe(sr);
    const down = new Set(downsampled);
    expect(plan.counts).toEqual(Array.from({ length: subclasses }, (_, s) => (down.has(s) ? ss : sr)));
  });

  it('addBack(k) adds k examples to each down-sampled subclass', () => {
    const plan = downsample({ f: 0, total: 2000, subclasses: 8, downsampled: [1, 3, 5, 7] });
    const one = addBack(plan, 1);
    expect(one.counts).toEqual([500, 1, 500, 1, 500, 1, 500, 1]);
    expect(one.added).toBe(1);
    expect(one.size).toBe(2004);
    expect(addBack(one, 2).counts[3]).toBe(3);
    expect(plan.counts[1]).toBe(0); // the original plan is untouched
  });

  it('onePerClass picks the last subclass of each class (never the equivariant centre)', () => {
    expect(onePerClass(equidistantLayout(9).classOf)).toEqual([1, 3, 5, 7]);
    expect(onePerClass(equivariantLayout(9).classOf)).toEqual([9, 19, 29, 39]);
    expect(onePerClass([0, 0, 1, 1], (c) => c[0]!)).toEqual([0, 2]);
  });

  it('end to end: an f = 0 training set has no example of the removed subclasses; add-back restores k', () => {
    const ds = hammingClusters({ sigma: 0.2, seed: 5 });
    const plan = downsample({ f: 0, total: 80, subclasses: ds.nSubclasses, downsampled: onePerClass(ds.classOf) });
    const sub = Array.from(ds.train(plan).subclasses.dataSync());
    expect(sub).toHaveLength(80);
    expect(sub.filter((s) => s % 2 === 1)).toEqual([]);
    const back = Array.from(ds.train(addBack(plan, 1)).subclasses.dataSync());
    expect(back.filter((s) => s === 3)).toEqual([3]);
  });

  it('rejects bad arguments', () => {
    expect(() => downsample({ f: 1.5, total: 10, subclasses: 2, downsampled: [0] })).toThrow(/f to be a finite number in \[0, 1\], got 1.5/);
    expect(() => downsample({ f: 0.5, total: 10, subclasses: 2, downsampled: [0, 0] })).toThrow(/distinct/);
    expect(() => downsample({ f: 0.5, total: 10, subclasses: 2, downsampled: [2] })).toThrow(/0\.\.1, got 2/);
    expect(() => downsample({ f: 0, total: 10, subclasses: 2, downsampled: [0, 1] })).toThrow(/nothing to train on/);
    expect(() => addBack(downsample({ f: 0, total: 10, subclasses: 2, downsampled: [0] }), -1)).toThrow(/k/);
  });
});
