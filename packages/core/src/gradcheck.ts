import { fmt } from './shape.js';
import { Tensor, tidy } from './tensor.js';
import { grad } from './autograd.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Allowed |analytic − numeric| ≤ atol + rtol·|numeric| (defaults 1e-5, 1e-3). */
  atol?: number;
  rtol?: number;
}

/**
 * Compare the gradient of sum(fn(...inputs) · w), for a fixed random weighting w, with central
 * finite differences. Inputs should be float64 tensors; those with requiresGrad are checked.
 * Throws with the input, position and both values on the first mismatch; returns the largest error.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): number {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = opts;
  for (const x of inputs) {
    if (x.requiresGrad && x.dtype !== 'float64') throw new Error(`gradcheck: inputs that require grad must be float64, got ${x.dtype}`);
  }
  const wanted = inputs.filter((x) => x.requiresGrad);
  // a fixed pseudo-random weighting makes every output element matter
  let weights: Tensor | null = null;
  const scalarOf = (...xs: Tensor[]): Tensor => {
    const y = fn(...xs);
    if (!weights) {
      const w = new Float64Array(y.size);
      for (let i = 0; i < w.length; i++) w[i] = 0.5 + ((i * 7919) % 13) / 13;
      weights = Tensor.fromHost(w, y.shape, 'float64', y.device);
      weights.kept = true;
    }
    return y.cast('float64').mul(weights).sum();
  };
  try {
    const analytic = tidy(() => grad(scalarOf(...inputs), wanted).map((g) => g.dataSync()));
    let worst = 0;
    wanted.forEach((x, wi) => {
      const base = x.dataSync() as Float64Array;
      for (let i = 0; i < base.length; i++) {
        const at = (v: number) =>
          // grad mode stays on: `fn` may itself take gradients (higher-order checks)
          tidy(() => {
            const d = base.slice();
            d[i] = v;
            const xi = Tensor.fromHost(d, x.shape, 'float64', x.device).requiresGrad_();
            return scalarOf(...inputs.map((t) => (t === x ? xi : t))).item();
          });
        const numeric = (at(base[i]! + eps) - at(base[i]! - eps)) / (2 * eps);
        const a = analytic[wi]![i]!;
        const err = Math.abs(a - numeric);
        if (!(err <= atol + rtol * Math.abs(numeric))) {
          throw new Error(`gradcheck: input ${inputs.indexOf(x)} ${fmt(x.shape)} at flat index ${i}: analytic ${a}, numeric ${numeric}`);
        }
        worst = Math.max(worst, err);
      }
    });
    return worst;
  } finally {
    (weights as Tensor | null)?.dispose();
  }
}
