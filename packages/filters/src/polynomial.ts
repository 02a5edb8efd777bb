/**
 * Polynomials in z⁻¹ for difference equations: the poles of 1/A(z) and a Schur–Cohn stability
 * test. Coefficients are listed from z⁰ down, as in y[n]·a₀ + a₁·y[n−1] + … .
 */

/** A complex number as [re, im]. */
export type Complex = [number, number];

/** Drop trailing zero coefficients (keeping at least one). */
export function trimTrailingZeros(c: readonly number[]): number[] {
  let n = c.length;
  while (n > 1 && c[n - 1] === 0) n--;
  return c.slice(0, n);
}

/**
 * Schur–Cohn (step-down) test: true when every root of a₀zᴺ + a₁zᴺ⁻¹ + … + a_N lies strictly inside
 * the unit circle, i.e. the recursive filter with denominator `a` is stable. Each step removes one
 * order using the reflection coefficient k = a_m/a₀ of the monic polynomial; stable iff all |k| < 1.
 */
export function isStable(a: readonly number[]): boolean {
  let p = trimTrailingZeros(a);
  if (p[0] === 0) return false;
  p = p.map((x) => x / a[0]!);
  for (let m = p.length - 1; m >= 1; m--) {
    const k = p[m]!;
    if (!(Math.abs(k) < 1)) return false;
    const d = 1 - k * k;
    const q: number[] = [];
    for (let i = 0; i < m; i++) q.push((p[i]! - k * p[m - i]!) / d);
    p = q;
  }
  return true;
}

function cmul(a: Complex, b: Complex): Complex {
  return [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
}

function cdiv(a: Complex, b: Complex): Complex {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
}

/**
 * The poles of a filter with denominator `a`: the roots of a₀zᴺ + … + a_N, by Durand–Kerner
 * (Weierstrass) iteration. Accurate to about 1e-10 for the low orders used in gradient filters.
 */
export function poles(a: readonly number[]): Complex[] {
  const p = trimTrailingZeros(a);
  const n = p.length - 1;
  if (n === 0) return [];
  if (p[0] === 0) throw new Error('poles: expected a[0] ≠ 0');
  const c = p.map((x) => x / p[0]!);
  const evalMonic = (z: Complex): Complex => {
    let acc: Complex = [1, 0];
    for (let i = 1; i <= n; i++) {
      acc = cmul(acc, z);
      acc[0] += c[i]!;
    }
    return acc;
  };
  const radius = 1 + Math.max(...c.slice(1).map(Math.abs));
  let roots: Complex[] = Array.from({ length: n }, (_, k) => {
    const th = (2 * Math.PI * k) / n + 0.4;
    return [0.9 * radius * Math.cos(th), 0.9 * radius * Math.sin(th)];
  });
  for (let it = 0; it < 1000; it++) {
    let moved = 0;
    roots = roots.map((z, i) => {
      let den: Complex = [1, 0];
      roots.forEach((w, j) => {
        if (j !== i) den = cmul(den, [z[0] - w[0], z[1] - w[1]]);
      });
      const step = cdiv(evalMonic(z), den);
      moved = Math.max(moved, Math.hypot(step[0], step[1]));
      return [z[0] - step[0], z[1] - step[1]];
    });
    if (moved < 1e-15 * radius) break;
  }
  return roots;
}

/** The largest pole modulus of 1/A (0 for an FIR filter). */
export function spectralRadius(a: readonly number[]): number {
  return poles(a).reduce((m, z) => Math.max(m, Math.hypot(z[0], z[1])), 0);
}

/** Σ c_k e^{−iωk}. */
export function evalAtFrequency(c: readonly number[], omega: number): Complex {
  let re = 0;
  let im = 0;
  c.forEach((x, k) => {
    re += x * Math.cos(omega * k);
    im -= x * Math.sin(omega * k);
  });
  return [re, im];
}

/** H(e^{iω}) = B(e^{−iω}) / A(e^{−iω}). */
export function transferAt(b: readonly number[], a: readonly number[], omega: number): Complex {
  return cdiv(evalAtFrequency(b, omega), evalAtFrequency(a, omega));
}

/** Multiply two polynomials given by coefficient lists (complex). */
export function polyMul(p: readonly Complex[], q: readonly Complex[]): Complex[] {
  const out: Complex[] = Array.from({ length: p.length + q.length - 1 }, () => [0, 0] as Complex);
  p.forEach((x, i) =>
    q.forEach((y, j) => {
      const m = cmul(x, y);
      out[i + j]![0] += m[0];
      out[i + j]![1] += m[1];
    }),
  );
  return out;
}
