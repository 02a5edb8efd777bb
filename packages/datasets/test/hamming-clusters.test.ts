import { describe, expect, it } from 'vitest';
import {
  distanceTwoClique, EQUIVARIANT_CENTRES, equidistantLayout, equivariantLayout, hammingClusters, hammingDistance, popcount,
} from '../src/index.js';

const pairs = (xs: readonly number[]) => xs.flatMap((a, i) => xs.slice(i + 1).map((b) => hammingDistance(a, b)));
const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(...Array.from(a, (v, i) => v - b[i]!));

describe('Hamming geometry and presets', () => {
  it('popcount / hammingDistance', () => {
    expect([0, 1, 3, 255, 511, 0x80000000].map(popcount)).toEqual([0, 1, 2, 8, 9, 1]);
    expect(hammingDistance(0b101, 0b011)).toBe(2);
  });

  it('the distance-2 clique for p = 9 has 9 codes, all pairwise at distance 2', () => {
    const c = distanceTwoClique(9);
    expect(c).toHaveLength(9);
    expect(new Set(c).size).toBe(9);
    expect(pairs(c).every((d) => d === 2)).toBe(true);
    expect(c.every((x) => x < 512)).toBe(true);
  });

  it('equidistant: 4 classes × 2 subclasses, 8 codes pairwise at distance 2', () => {
    const { codes, classOf } = equidistantLayout(9);
    expect(codes).toEqual([0, 3, 5, 9, 17, 33, 65, 129]);
    expect(classOf).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(pairs(codes)).toHaveLength(28);
    expect(pairs(codes).every((d) => d === 2)).toBe(true);
  });

  it('equivariant: centres pairwise at distance 6; 4 classes × (centre + 9 neighbours)', () => {
    expect(pairs(EQUIVARIANT_CENTRES)).toEqual([6, 6, 6, 6, 6, 6]);
    const { codes, classOf } = equivariantLayout(9);
    expect(codes).toHaveLength(40);
    expect(new Set(codes).size).toBe(40);
    for (let s = 0; s < 40; s++) {
      const k = classOf[s]!;
      expect(k).toBe(Math.floor(s / 10));
      expect(hammingDistance(codes[s]!, EQUIVARIANT_CENTRES[k]!)).toBe(s % 10 === 0 ? 0 : 1);
      // nearer to its own centre than to any other
      for (let j = 0; j < 4; j++) if (j !== k) expect(hammingDistance(codes[s]!, EQUIVARIANT_CENTRES[j]!)).toBeGreaterThanOrEqual(5);
    }
  });

  it('presets refuse a p they cannot serve', () => {
    expect(() => equivariantLayout(8)).toThrow(/p must be 9; got p = 8/);
    expect(() => equidistantLayout(6)).toThrow(/p ≥ 8/);
  });
});

describe('hammingClusters', () => {
  it('block means are `separation` apart, and subclass means are separation·√Hamming apart', () => {
    for (const separation of [1, 2.5]) {
      const ds = hammingClusters({ sigma: 0.1, separation, seed: 4 });
      expect(ds.dim).toBe(117);
      for (let i = 0; i < 9; i++) {
        const m0 = ds.means.subarray(2 * i * 13, (2 * i + 1) * 13);
        const m1 = ds.means.subarray((2 * i + 1) * 13, (2 * i + 2) * 13);
        expect(dist(m0, m1)).toBeCloseTo(separation, 12);
      }
      for (let a = 0; a < ds.nSubclasses; a++) {
        for (let b = a + 1; b < ds.nSubclasses; b++) {
          expect(dist(ds.mean(a), ds.mean(b))).toBeCloseTo(separation * Math.sqrt(hammingDistance(ds.codes[a]!, ds.codes[b]!)), 10);
        }
      }
    }
  });

  it('samples have the right shapes, labels and Gaussian statistics', () => {
    const sigma = 0.3;
    const ds = hammingClusters({ sigma, preset: 'equivariant', seed: 1 });
    expect(ds.nClasses).toBe(4);
    expect(ds.nSubclasses).toBe(40);
    const n = 4000;
    const counts = new Array(40).fill(0);
    counts[13] = n;
    counts[0] = 2;
    const s = ds.sample(counts);
    expect(s.inputs.shape).toEqual([n + 2, 117]);
    expect(s.inputs.dtype).toBe('float32');
    expect(s.targets.dtype).toBe('int32');
    expect(s.subclasses.dtype).toBe('int32');
    const sub = Array.from(s.subclasses.dataSync());
    expect(sub.slice(0, 3)).toEqual([0, 0, 13]);
    expect(Array.from(s.targets.dataSync()).slice(0, 3)).toEqual([0, 0, 1]);
    const x = s.inputs.dataSync();
    const mu = ds.mean(13);
    let maxMeanErr = 0;
    let sq = 0;
    for (let d = 0; d < 117; d++) {
      let m = 0;
      for (let k = 2; k < n + 2; k++) m += x[k * 117 + d]!;
      m /= n;
      maxMeanErr = Math.max(maxMeanErr, Math.abs(m - mu[d]!));
      for (let k = 2; k < n + 2; k++) sq += (x[k * 117 + d]! - mu[d]!) ** 2;
    }
    // standard error of a mean is σ/√n ≈ 0.0047; 117 dims stay within 5 of them
    expect(maxMeanErr).toBeLessThan((5 * sigma) / Math.sqrt(n));
    expect(Math.sqrt(sq / (n * 117))).toBeCloseTo(sigma, 2);
  });

  it('sigma = 0 gives the means exactly', () => {
    const ds = hammingClusters({ sigma: 0, seed: 2 });
    const s = ds.test(1);
    const x = s.inputs.dataSync();
    for (let k = 0; k < 8; k++) for (let d = 0; d < 117; d++) expect(x[k * 117 + d]).toBe(Math.fround(ds.mean(k)[d]!));
  });

  it('is deterministic per seed; train and test streams differ; counts only append', () => {
    const a = hammingClusters({ sigma: 0.5, seed: 11 });
    const b = hammingClusters({ sigma: 0.5, seed: 11 });
    const c = hammingClusters({ sigma: 0.5, seed: 12 });
    expect(Array.from(a.train(3).inputs.dataSync())).toEqual(Array.from(b.train(3).inputs.dataSync()));
    expect(Array.from(a.means)).not.toEqual(Array.from(c.means));
    expect(Array.from(a.train(3).inputs.dataSync())).not.toEqual(Array.from(a.test(3).inputs.dataSync()));
    // subclass 1 with 2 examples vs 5: the first 2 are the same vectors, and subclass 0 is untouched
    const small = a.train([4, 2, 0, 0, 0, 0, 0, 0]).inputs.dataSync();
    const big = a.train([4, 5, 0, 0, 0, 0, 0, 0]).inputs.dataSync();
    expect(Array.from(big.subarray(0, 6 * 117))).toEqual(Array.from(small));
  });

  it('accepts a custom layout and validates it', () => {
    const ds = hammingClusters({ p: 3, r: 2, sigma: 0.1, preset: { codes: [0, 7, 1], classOf: [0, 1, 0] } });
    expect(ds.dim).toBe(6);
    expect(ds.subclassesOf(0)).toEqual([0, 2]);
    expect(ds.describe()).toMatchObject({ p: 3, r: 2, nClasses: 2, nSubclasses: 3 });
    expect(() => hammingClusters({ p: 3, sigma: 0.1, preset: { codes: [0, 8], classOf: [0, 1] } })).toThrow(/0\.\.7, got 8/);
    expect(() => hammingClusters({ p: 3, sigma: 0.1, preset: { codes: [1, 1], classOf: [0, 1] } })).toThrow(/appears twice/);
    expect(() => hammingClusters({ p: 3, sigma: 0.1, preset: { codes: [1, 2], classOf: [0, 2] } })).toThrow(/class 1 has no subclass/);
    expect(() => hammingClusters({} as never)).toThrow(/expected sigma/);
    expect(() => hammingClusters({ sigma: -1 })).toThrow(/sigma/);
    expect(() => hammingClusters({ sigma: 1, preset: 'equivariant', p: 10 })).toThrow(/p must be 9/);
    expect(() => hammingClusters({ sigma: 1 }).train([1, 2])).toThrow(/expected 8 per-subclass counts/);
  });
});
