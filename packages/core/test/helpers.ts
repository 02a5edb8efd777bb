import { randn, rng, type Tensor } from '../src/index.js';

let seed = 100;
/** A float64 leaf that requires grad, with values away from kinks (|x| > 0.1 when `awayFromZero`). */
export function leaf(shape: number[], opts: { positive?: boolean; awayFromZero?: boolean } = {}): Tensor {
  let t = randn(shape, { dtype: 'float64', rng: rng(seed++) });
  if (opts.positive) t = t.abs().add(0.5);
  else if (opts.awayFromZero) t = t.add(t.sign().mul(0.2));
  return t.detach().requiresGrad_();
}

export function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok = Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)) || (Number.isNaN(a[i]) && Number.isNaN(b[i]));
    if (!ok) throw new Error(`index ${i}: ${a[i]} vs ${b[i]} (tol ${tol})`);
  }
}
