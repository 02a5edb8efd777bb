import { fmt } from '../shape.js';
import { Tensor } from '../tensor.js';
import { symmetricEigen } from './symmetric-eigen.js';

export interface PolarFactorOptions {
  /**
   * Singular values at or below rtol·σ_max count as zero, as in a pseudo-inverse, so the result
   * has no component along them (default 1e-6: below that a float32 gradient's singular values are rounding noise).
   */
  rtol?: number;
}

/**
 * The orthogonal polar factor UVᵀ of a matrix G = USVᵀ (thin SVD, singular values above the
 * cut-off), i.e. (GGᵀ)^{-1/2} G with a pseudo-inverse: every singular value set to 1, the singular
 * vectors kept. Computed on the host in float64 from the eigendecomposition of the smaller Gram
 * matrix C = GᵀG = VS²Vᵀ: UVᵀ = G·V S⁻¹ Vᵀ (or the transpose of it for wide matrices). The result
 * has G's shape, dtype and device; a zero matrix maps to zero.
 */
export function polarFactor(g: Tensor, opts: PolarFactorOptions = {}): Tensor {
  const rtol = opts.rtol ?? 1e-6;
  if (g.ndim !== 2) throw new Error(`polarFactor: expected a matrix, got shape ${fmt(g.shape)}`);
  if (g.dtype !== 'float32' && g.dtype !== 'float64') throw new Error(`polarFactor: expected a float32 or float64 matrix, got ${g.dtype}`);
  if (!(rtol >= 0 && rtol < 1)) throw new Error(`polarFactor: expected 0 ≤ rtol < 1, got ${rtol}`);
  const [rows, cols] = g.shape as [number, number];
  const src = g.dataSync();
  // work with A = G (tall or square) or A = Gᵀ (wide): A is m × n with m ≥ n
  const wide = rows < cols;
  const m = wide ? cols : rows;
  const n = wide ? rows : cols;
  const a = new Float64Array(m * n);
  if (wide) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[j * n + i] = src[i * cols + j]!;
  else a.set(src);
  // C = AᵀA (n × n), accumulated row by row of A
  const c = new Float64Array(n * n);
  for (let r = 0; r < m; r++) {
    const ar = r * n;
    for (let i = 0; i < n; i++) {
      const x = a[ar + i]!;
      if (x === 0) continue;
      const ci = i * n;
      for (let j = i; j < n; j++) c[ci + j]! += x * a[ar + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) c[i * n + j] = c[j * n + i]!;
  const { values, vectors } = symmetricEigen(c, n);
  const sMax = Math.sqrt(Math.max(0, values[n - 1]!));
  // P = V S⁻¹ Vᵀ over the kept singular values
  const p = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const s = Math.sqrt(Math.max(0, values[k]!));
    if (!(s > rtol * sMax) || s === 0) continue;
    const v = vectors.subarray(k * n, k * n + n);
    for (let i = 0; i < n; i++) {
      const vi = v[i]! / s;
      if (vi === 0) continue;
      const pi = i * n;
      for (let j = 0; j < n; j++) p[pi + j]! += vi * v[j]!;
    }
  }
  // Q = A P (m × n), written back in G's layout
  const out = g.dtype === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  const row = new Float64Array(n);
  for (let r = 0; r < m; r++) {
    row.fill(0);
    const ar = r * n;
    for (let k = 0; k < n; k++) {
      const x = a[ar + k]!;
      if (x === 0) continue;
      const pk = k * n;
      for (let j = 0; j < n; j++) row[j]! += x * p[pk + j]!;
    }
    if (wide) for (let j = 0; j < n; j++) out[j * cols + r] = row[j]!;
    else out.set(row, r * n);
  }
  return Tensor.fromHost(out, g.shape, g.dtype, g.device);
}
