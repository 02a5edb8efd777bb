/**
 * A test oracle for singular value decompositions: one-sided Jacobi (Hestenes) in float64, a
 * different algorithm from the library's eigen-based polar factor. Rotations orthogonalise pairs of
 * columns of A (m × n, m ≥ n) until all are orthogonal; then σ_j = ‖a_j‖, u_j = a_j/σ_j, and V is
 * the product of the rotations.
 */
export interface Svd {
  m: number;
  n: number;
  /** m × k row-major, k = min(m, n). */
  u: Float64Array;
  s: Float64Array;
  /** n × k row-major. */
  v: Float64Array;
}

export function svdOracle(g: ArrayLike<number>, rows: number, cols: number): Svd {
  const wide = rows < cols;
  const m = wide ? cols : rows;
  const n = wide ? rows : cols;
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[wide ? j * n + i : i * n + j] = g[i * cols + j]!;
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = a[i * n + p]!;
          const y = a[i * n + q]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = a[i * n + p]!;
          const y = a[i * n + q]!;
          a[i * n + p] = c * x - s * y;
          a[i * n + q] = s * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = v[i * n + p]!;
          const y = v[i * n + q]!;
          v[i * n + p] = c * x - s * y;
          v[i * n + q] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const s = new Float64Array(n);
  const u = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = 0; i < m; i++) norm += a[i * n + j]! ** 2;
    s[j] = Math.sqrt(norm);
    for (let i = 0; i < m; i++) u[i * n + j] = s[j]! > 0 ? a[i * n + j]! / s[j]! : 0;
  }
  // for a wide G, G = (A)ᵀ = V S Uᵀ: swap the roles
  return wide ? { m: rows, n: cols, u: v, s, v: u } : { m: rows, n: cols, u, s, v };
}

/** U Vᵀ over the singular values above rtol·σ_max, row-major rows × cols. */
export function polarOracle(g: ArrayLike<number>, rows: number, cols: number, rtol = 1e-9): Float64Array {
  const { u, s, v } = svdOracle(g, rows, cols);
  const k = s.length;
  const sMax = Math.max(...s);
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < k; j++) {
    if (!(s[j]! > rtol * sMax)) continue;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c]! += u[r * k + j]! * v[c * k + j]!;
  }
  return out;
}

/** Singular values of a row-major matrix, descending. */
export function singularValues(g: ArrayLike<number>, rows: number, cols: number): number[] {
  return [...svdOracle(g, rows, cols).s].sort((x, y) => y - x);
}
