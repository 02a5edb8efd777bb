import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { polarOracle, singularValues, svdOracle } from './svd-oracle.js';

const randomMatrix = (rows: number, cols: number, seed: number, dtype: 'float32' | 'float64' = 'float64') => g.randn([rows, cols], { dtype, rng: g.rng(seed) });
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};
/** max |XᵀX − I| over the short side: how far X is from having orthonormal rows or columns. */
function orthogonalityError(x: ArrayLike<number>, rows: number, cols: number): number {
  const sv = singularValues(x, rows, cols);
  return Math.max(...sv.map((s) => Math.abs(s - 1)));
}

describe('svd oracle (sanity)', () => {
  it('reconstructs G = U S Vᵀ', () => {
    for (const [r, c] of [[7, 4], [4, 7], [5, 5]] as const) {
      const x = randomMatrix(r, c, r * 10 + c).dataSync();
      const { u, s, v } = svdOracle(x, r, c);
      const k = s.length;
      const back = new Float64Array(r * c);
      for (let j = 0; j < k; j++) for (let i = 0; i < r; i++) for (let l = 0; l < c; l++) back[i * c + l]! += u[i * k + j]! * s[j]! * v[l * k + j]!;
      expect(maxAbsDiff(back, x)).toBeLessThan(1e-12);
    }
  });
});

describe('symmetricEigen', () => {
  it('A v = λ v with orthonormal vectors and ascending values', () => {
    for (const n of [1, 2, 3, 17, 64]) {
      const b = randomMatrix(n, n, n).dataSync();
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = b[i * n + j]! + b[j * n + i]!;
      const { values, vectors } = g.symmetricEigen(a, n);
      for (let k = 1; k < n; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
      for (let k = 0; k < n; k++) {
        for (let i = 0; i < n; i++) {
          let av = 0;
          for (let j = 0; j < n; j++) av += a[i * n + j]! * vectors[k * n + j]!;
          expect(Math.abs(av - values[k]! * vectors[k * n + i]!)).toBeLessThan(1e-10 * (1 + Math.abs(values[n - 1]!)));
        }
        for (let l = 0; l < n; l++) {
          let dot = 0;
          for (let j = 0; j < n; j++) dot += vectors[k * n + j]! * vectors[l * n + j]!;
          expect(Math.abs(dot - (k === l ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('handles repeated eigenvalues, zero and already-diagonal matrices', () => {
    expect([...g.symmetricEigen([2, 0, 0, 0, 2, 0, 0, 0, 2], 3).values]).toEqual([2, 2, 2]);
    expect([...g.symmetricEigen(new Float64Array(16), 4).values]).toEqual([0, 0, 0, 0]);
    expect([...g.symmetricEigen([3, 0, 0, -1], 2).values]).toEqual([-1, 3]);
    expect(() => g.symmetricEigen([1, 2, 3], 2)).toThrow(/expected 2×2 = 4 values, got 3/);
  });
});

describe('polarFactor (the exact UVᵀ) against the SVD oracle', () => {
  for (const [r, c] of [[12, 5], [5, 12], [9, 9], [64, 16]] as const) {
    it(`${r}×${c}: equals the oracle's UVᵀ and is orthogonal`, () => {
      const x = randomMatrix(r, c, 100 + r + c);
      const q = g.polarFactor(x);
      expect(q.shape).toEqual([r, c]);
      expect(q.dtype).toBe('float64');
      expect(maxAbsDiff(q.dataSync(), polarOracle(x.dataSync(), r, c))).toBeLessThan(1e-10);
      expect(orthogonalityError(q.dataSync(), r, c)).toBeLessThan(1e-10);
    });
  }

  it('rank-deficient gradients: directions with zero singular value stay zero (pseudo-inverse)', () => {
    // rank 2: an outer-product sum, as a gradient from a batch of 2
    const a = randomMatrix(10, 2, 7);
    const b = randomMatrix(2, 6, 8);
    const x = g.matmul(a, b);
    const q = g.polarFactor(x);
    const sv = singularValues(q.dataSync(), 10, 6);
    expect(Math.max(...sv.slice(0, 2).map((s) => Math.abs(s - 1)))).toBeLessThan(1e-10);
    expect(Math.max(...sv.slice(2))).toBeLessThan(1e-10);
    expect(maxAbsDiff(q.dataSync(), polarOracle(x.dataSync(), 10, 6, 1e-9))).toBeLessThan(1e-9);
    expect([...g.polarFactor(g.zeros([3, 4], { dtype: 'float64' })).dataSync()]).toEqual(new Array(12).fill(0));
  });

  it('float32 in, float32 out, accurate to float32 rounding; rejects non-matrices', () => {
    const x = randomMatrix(40, 24, 3, 'float32');
    const q = g.polarFactor(x);
    expect(q.dtype).toBe('float32');
    expect(maxAbsDiff(q.dataSync(), polarOracle(x.dataSync(), 40, 24))).toBeLessThan(1e-5);
    expect(() => g.polarFactor(g.zeros([3]))).toThrow(/polarFactor: expected a matrix, got shape \[3\]/);
  });
});

describe('newtonSchulz against the SVD oracle', () => {
  it('the cubic iteration converges to the oracle UVᵀ', () => {
    for (const [r, c] of [[16, 48], [48, 16]] as const) {
      const x = randomMatrix(r, c, r);
      const q = g.newtonSchulz(x, { coefficients: g.CUBIC, steps: 40 });
      expect(maxAbsDiff(q.dataSync(), polarOracle(x.dataSync(), r, c))).toBeLessThan(1e-9);
    }
  });

  it("Muon's quintic, 5 steps: keeps the singular vectors, singular values within [0.6, 1.25] of 1", () => {
    for (const [r, c, seed] of [[32, 96, 1], [96, 32, 2], [48, 160, 3], [64, 64, 4]] as const) {
      const x = randomMatrix(r, c, seed);
      const q = g.newtonSchulz(x).dataSync();
      const { u, s, v } = svdOracle(x.dataSync(), r, c);
      const k = s.length;
      // Uᵀ Q V is diagonal: the iteration only maps singular values
      const uq = new Float64Array(k * c);
      for (let i = 0; i < k; i++) for (let a = 0; a < r; a++) for (let b = 0; b < c; b++) uq[i * c + b]! += u[a * k + i]! * q[a * c + b]!;
      let off = 0;
      const diag: number[] = [];
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          let e = 0;
          for (let b = 0; b < c; b++) e += uq[i * c + b]! * v[b * k + j]!;
          if (i === j) diag.push(e);
          else off = Math.max(off, Math.abs(e));
        }
      }
      expect(off).toBeLessThan(1e-9);
      // a square Gaussian matrix has singular values near 0; those stay below 1 after 5 steps
      const smallest = Math.min(...s) / Math.max(...s);
      for (const d of diag) expect(d).toBeLessThan(1.25);
      if (smallest > 0.05) for (const d of diag) expect(d).toBeGreaterThan(0.6);
      if (smallest > 0.05) expect(orthogonalityError(q, r, c)).toBeLessThan(0.4);
    }
  });

  it('rejects non-matrices and bad steps', () => {
    expect(() => g.newtonSchulz(g.zeros([2, 2, 2]))).toThrow(/expected a matrix, got shape \[2, 2, 2\]/);
    expect(() => g.newtonSchulz(g.zeros([2, 2]), { steps: -1 })).toThrow(/steps to be an integer ≥ 0, got -1/);
  });
});
