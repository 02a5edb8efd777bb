import { fmt } from '../shape.js';
import { add, div, matmul, mul, sqrt, sum, transpose } from '../ops.js';
import type { Tensor } from '../tensor.js';

/** One odd polynomial step X ← aX + b(XXᵀ)X + c(XXᵀ)²X, as the coefficients (a, b, c). */
export type NewtonSchulzCoefficients = readonly [a: number, b: number, c: number];

/**
 * Muon's quintic (Jordan et al. 2024): chosen for the steepest slope at zero, so five steps lift
 * even small singular values close to 1; it does not converge to exactly 1 (the results lie in
 * roughly [0.7, 1.2]), which Muon does not need.
 */
export const MUON_QUINTIC: NewtonSchulzCoefficients = [3.4445, -4.775, 2.0315];

/** The classic cubic X ← 1.5X − 0.5(XXᵀ)X: converges to the orthogonal polar factor UVᵀ (slowly for small singular values). */
export const CUBIC: NewtonSchulzCoefficients = [1.5, -0.5, 0];

export interface NewtonSchulzOptions {
  /** Iterations (default 5). */
  steps?: number;
  /** Polynomial coefficients (default MUON_QUINTIC). */
  coefficients?: NewtonSchulzCoefficients;
  /** Added to the Frobenius norm before the first division (default 1e-7). */
  eps?: number;
}

/**
 * Approximately orthogonalise a matrix G = USVᵀ: scale it to Frobenius norm 1 (so every singular
 * value is ≤ 1), then apply an odd matrix polynomial `steps` times, which maps each singular value
 * through the scalar polynomial and keeps U and V. The Gram product is taken on the short side
 * (the matrix is transposed when it has more rows than columns). Composed of matmuls, so it runs
 * on any backend and is differentiable.
 */
export function newtonSchulz(g: Tensor, opts: NewtonSchulzOptions = {}): Tensor {
  const steps = opts.steps ?? 5;
  const [a, b, c] = opts.coefficients ?? MUON_QUINTIC;
  const eps = opts.eps ?? 1e-7;
  if (g.ndim !== 2) throw new Error(`newtonSchulz: expected a matrix, got shape ${fmt(g.shape)}`);
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`newtonSchulz: expected steps to be an integer ≥ 0, got ${steps}`);
  if (![a, b, c, eps].every(Number.isFinite)) throw new Error(`newtonSchulz: expected finite coefficients and eps, got [${a}, ${b}, ${c}] and ${eps}`);
  const tall = g.shape[0]! > g.shape[1]!;
  let x = tall ? transpose(g) : g;
  x = div(x, add(sqrt(sum(mul(x, x))), eps));
  for (let i = 0; i < steps; i++) {
    const gram = matmul(x, transpose(x));
    const poly = c === 0 ? mul(gram, b) : add(mul(gram, b), mul(matmul(gram, gram), c));
    x = add(mul(x, a), matmul(poly, x));
  }
  return tall ? transpose(x) : x;
}
