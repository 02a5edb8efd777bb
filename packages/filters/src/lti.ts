import { axpby, detach, mul, zeros, checks, type Params, type Tensor } from '@grokkit/core';
import { addScaled } from './grokfast-ema.js';
import { perParamFilter, type PerParamState } from './per-param.js';
import { isStable, spectralRadius, trimTrailingZeros } from './polynomial.js';
import { withSpec, type FilterTransform } from './spec.js';
import { checkCoefficients } from './validate.js';

export interface LtiOptions {
  /** Feed-forward coefficients b₀ … b_M (applied to g[n] … g[n−M]). */
  b: readonly number[];
  /** Feedback coefficients a₀ … a_N (default [1]: an FIR filter). */
  a?: readonly number[];
  /** Amplification λ of the filtered signal (default 1). */
  lamb?: number;
  /**
   * Initial conditions. 'zero' (default): the filter starts at rest, g[n] = y[n] = 0 for n < 0.
   * 'first': as if the first gradient had been arriving forever: g[n] = g[0] and y[n] = G·g[0] for
   * n < 0, where G = Σb/Σa is the DC gain, so y[0] = G·g[0] (for an EMA, "μ starts at the first gradient").
   */
  init?: 'zero' | 'first';
}

/** Per parameter: past inputs g[n−1] … g[n−M] and past outputs y[n−1] … y[n−N], newest first. */
export type LtiState = PerParamState<{ x: Tensor[]; y: Tensor[] }>;

/** Coefficients normalised so that a₀ = 1, trailing zeros removed, stability checked. */
export interface NormalisedFilter {
  b: number[];
  a: number[];
}

/** Validate and normalise difference-equation coefficients (throws on a₀ = 0 or an unstable IIR). */
export function normaliseFilter(op: string, bIn: unknown, aIn: unknown = [1]): NormalisedFilter {
  const b0 = checkCoefficients(op, 'b', bIn);
  const a0 = checkCoefficients(op, 'a', aIn);
  if (a0[0] === 0) throw new Error(`${op}: expected a[0] ≠ 0 (it divides the output), got a = ${JSON.stringify(a0)}`);
  const b = trimTrailingZeros(b0.map((x) => x / a0[0]!));
  const a = trimTrailingZeros(a0.map((x) => x / a0[0]!));
  if (a.length > 1 && !isStable(a)) {
    throw new Error(
      `${op}: unstable IIR filter: expected every pole strictly inside the unit circle, but a = ${JSON.stringify(a0)} has a pole of modulus ${spectralRadius(a).toFixed(6)}`,
    );
  }
  return { b, a };
}

/**
 * A general causal linear filter from its difference equation
 *   a₀·y[n] = Σ_k b_k·g[n−k] − Σ_{k≥1} a_k·y[n−k],
 * run per parameter on the gradient sequence; the output is ĝ = g + λ·y. FIR when a = [1].
 * Costs one multiply and one add per non-zero coefficient per parameter per step (a coefficient
 * of exactly 1 skips its multiply).
 *
 * With b = [1−α], a = [1, −α], init 'first', it reproduces `grokfastEma` bit for bit; with b = [1]·w
 * (a = [1], init 'zero') it is `grokfastMa` with filterType 'sum', warmup false.
 */
export function lti(opts: LtiOptions): FilterTransform<LtiState> {
  const op = 'lti';
  const { b, a } = normaliseFilter(op, opts.b, opts.a ?? [1]);
  const lamb = checks.number(op, 'lamb', opts.lamb ?? 1);
  const mode = opts.init ?? 'zero';
  if (mode !== 'zero' && mode !== 'first') throw new Error(`${op}: expected init 'zero' or 'first', got ${JSON.stringify(mode)}`);
  const M = b.length - 1;
  const N = a.length - 1;
  const c = a.map((x) => -x); // y[n] = Σ b_k g[n−k] + Σ_{k≥1} c_k y[n−k]
  const dc = b.reduce((s, x) => s + x, 0) / a.reduce((s, x) => s + x, 0);
  const term = (t: Tensor, k: number) => (k === 1 ? t : mul(t, k));

  const inner = perParamFilter<{ x: Tensor[]; y: Tensor[] }>({
    name: op,
    init: (p) => ({
      x: Array.from({ length: M }, () => zeros(p.shape, { dtype: p.dtype, device: p.device })),
      y: Array.from({ length: N }, () => zeros(p.shape, { dtype: p.dtype, device: p.device })),
    }),
    step(g, s, { count }) {
      if (mode === 'first' && count === 0) {
        const y0 = term(g, dc);
        return {
          grad: addScaled(g, y0, lamb),
          state: { x: s.x.map(() => detach(g)), y: s.y.map((_, i) => (i === 0 ? y0 : detach(y0))) },
        };
      }
      // y = Σ coef·tensor, two terms per fused pass
      const terms: [number, Tensor][] = [];
      if (b[0] !== 0) terms.push([b[0]!, g]);
      for (let k = 1; k <= M; k++) if (b[k] !== 0) terms.push([b[k]!, s.x[k - 1]!]);
      for (let k = 1; k <= N; k++) if (c[k] !== 0) terms.push([c[k]!, s.y[k - 1]!]);
      let y: Tensor;
      if (terms.length === 0) y = mul(g, 0);
      else if (terms.length === 1) y = term(terms[0]![1], terms[0]![0]);
      else {
        y = axpby(terms[0]![0], terms[0]![1], terms[1]![0], terms[1]![1]);
        for (const [k, t] of terms.slice(2)) y = axpby(1, y, k, t);
      }
      return {
        grad: addScaled(g, y, lamb),
        state: { x: M > 0 ? [g, ...s.x.slice(0, M - 1)] : [], y: N > 0 ? [y, ...s.y.slice(0, N - 1)] : [] },
      };
    },
  });
  const t = {
    init(params: Params) {
      // float32 state uses float32 coefficients: check that rounding them keeps the filter stable
      if (N > 0 && Object.values(params).some((p) => p.dtype === 'float32')) {
        const a32 = a.map(Math.fround);
        if (!isStable(a32)) {
          throw new Error(
            `${op}: a = ${JSON.stringify(opts.a)} is stable in float64 but not once rounded to float32 (pole modulus ${spectralRadius(a32).toFixed(9)}); use a lower order, a higher cutoff or float64 parameters`,
          );
        }
      }
      return inner.init(params);
    },
    update: inner.update,
  };
  return withSpec(t, { kind: 'lti', b, a, lamb });
}
