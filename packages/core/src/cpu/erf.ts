const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The error function to near double precision: the Maclaurin series below |x| = 3, and the
 * Laplace continued fraction for erfc beyond (evaluated bottom-up, 60 terms).
 */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (ax > 6) return x > 0 ? 1 : -1;
  // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

/**
 * erf to float32 accuracy, fast: a Maclaurin polynomial (7 terms) below |x| = 0.5, and
 * Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7) above.
 */
export function erf32(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const z = x * x;
    return (
      1.1283791670955126 *
      x *
      (1 + z * (-1 / 3 + z * (1 / 10 + z * (-1 / 42 + z * (1 / 216 + z * (-1 / 1320 + z * (1 / 9360)))))))
    );
  }
  const t = 1 / (1 + 0.3275911 * ax);
  const p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const y = 1 - p * Math.exp(-ax * ax);
  return x < 0 ? -y : y;
}
