/**
 * Eigendecomposition of a real symmetric matrix in float64 on the host: Householder reduction to
 * tridiagonal form, then the implicit QL algorithm with Wilkinson-type shifts. About 9n³ flops
 * with eigenvectors, so a 128 × 128 matrix takes a few tens of milliseconds in plain JavaScript.
 */

export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Row-major n × n; row i is the unit eigenvector of values[i]. */
  vectors: Float64Array;
}

/** A = Σ values[i] · v_i v_iᵀ for a symmetric n × n matrix `a` (row-major; only read). */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1) throw new Error(`symmetricEigen: expected n to be an integer ≥ 1, got ${n}`);
  if (a.length !== n * n) throw new Error(`symmetricEigen: expected ${n}×${n} = ${n * n} values, got ${a.length}`);
  const z = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(z, n, d, e);
  // z's columns are the basis of the tridiagonal form; keep it as rows, so rotations touch contiguous memory
  const rows = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) rows[i * n + k] = z[k * n + i]!;
  implicitQl(d, e, rows, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src]!;
    vectors.set(rows.subarray(src * n, src * n + n), dst * n);
  });
  return { values, vectors };
}

/**
 * Householder reduction A = Q T Qᵀ, in place: on return `a` holds Q (row-major), `d` T's diagonal
 * and e[1..n−1] its sub-diagonal (e[0] = 0). Rows are annihilated from the last one up; each
 * reflector P = I − u uᵀ/H is applied as A ← A − p uᵀ − u pᵀ with p = (A u/H) − K u, K = uᵀA u/(2H²).
 */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    const ri = i * n;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(a[ri + k]!);
      if (scale === 0) {
        e[i] = a[ri + l]!;
      } else {
        for (let k = 0; k <= l; k++) {
          a[ri + k]! /= scale;
          h += a[ri + k]! * a[ri + k]!;
        }
        const f = a[ri + l]!;
        const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[ri + l] = f - g; // row i, columns 0..l, now holds u
        let uAu = 0;
        for (let j = 0; j <= l; j++) {
          a[j * n + i] = a[ri + j]! / h; // u/H, kept for building Q
          let s = 0;
          for (let k = 0; k <= j; k++) s += a[j * n + k]! * a[ri + k]!;
          for (let k = j + 1; k <= l; k++) s += a[k * n + j]! * a[ri + k]!;
          e[j] = s / h; // p = A u / H (e[0..l] is free until the sub-diagonal is written)
          uAu += e[j]! * a[ri + j]!;
        }
        const kk = uAu / (h + h);
        for (let j = 0; j <= l; j++) {
          const uj = a[ri + j]!;
          const pj = e[j]! - kk * uj;
          e[j] = pj;
          for (let k = 0; k <= j; k++) a[j * n + k]! -= uj * e[k]! + pj * a[ri + k]!;
        }
      }
    } else {
      e[i] = a[ri + l]!;
    }
    d[i] = h;
  }
  d[0] = 0;
  e[0] = 0;
  // accumulate Q = P_{n-1} ⋯ P_1 in place, growing from the top-left corner
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const l = i - 1;
    if (d[i] !== 0) {
      for (let j = 0; j <= l; j++) {
        let s = 0;
        for (let k = 0; k <= l; k++) s += a[ri + k]! * a[k * n + j]!;
        for (let k = 0; k <= l; k++) a[k * n + j]! -= s * a[k * n + i]!;
      }
    }
    d[i] = a[ri + i]!;
    a[ri + i] = 1;
    for (let j = 0; j <= l; j++) a[j * n + i] = a[ri + j] = 0;
  }
}

/**
 * Eigenvalues of the symmetric tridiagonal (d, e) by implicit QL with shifts; `rows` (n × n, one
 * basis vector per row) receives the same plane rotations, so it ends as the eigenvectors.
 */
function implicitQl(d: Float64Array, e: Float64Array, rows: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (++iterations > 60) throw new Error(`symmetricEigen: no convergence after 60 QL iterations (eigenvalue ${l} of ${n})`);
      // shift from the leading 2 × 2 block
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1]! -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        const ra = i * n;
        const rb = (i + 1) * n;
        for (let k = 0; k < n; k++) {
          const x = rows[rb + k]!;
          const y = rows[ra + k]!;
          rows[rb + k] = s * y + c * x;
          rows[ra + k] = c * y - s * x;
        }
      }
      if (underflow) continue;
      d[l]! -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
