import { randn, type Generator, type Module, type Tensor } from '@grokkit/core';
import { gradcheck, type GradcheckOptions } from '@grokkit/core/testing';

/** A float64 input that requires grad. */
export function input64(shape: number[], g: Generator): Tensor {
  return randn(shape, { rng: g, dtype: 'float64' }).requiresGrad_(true);
}

function swap(root: object, path: string, value: Tensor): Tensor {
  const parts = path.split('.');
  let o = root as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) o = o[p] as Record<string, unknown>;
  const last = parts[parts.length - 1]!;
  const old = o[last] as Tensor;
  o[last] = value;
  return old;
}

/**
 * Finite-difference check of `run(...extra)` with respect to `extra` and the module parameters
 * named in `names` (float64 modules): each parameter is swapped for the perturbed copy.
 */
export function gradcheckModule(
  module: Module,
  names: string[],
  extra: Tensor[],
  run: (...extra: Tensor[]) => Tensor,
  opts: GradcheckOptions = {},
): number {
  const params = module.namedParameters();
  for (const n of names) if (!params[n]) throw new Error(`no parameter '${n}' (have ${Object.keys(params).join(', ')})`);
  const ps = names.map((n) => params[n]!);
  return gradcheck(
    (...xs: Tensor[]) => {
      const olds = names.map((n, i) => swap(module, n, xs[extra.length + i]!));
      try {
        return run(...xs.slice(0, extra.length));
      } finally {
        names.forEach((n, i) => swap(module, n, olds[i]!));
      }
    },
    [...extra, ...ps],
    opts,
  );
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  if (x.length !== y.length) throw new Error(`sizes differ: ${x.length} vs ${y.length}`);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}
