/**
 * Emits `gelu(X, Y, n, T, derivative)`: Y[i] = GELU(X[i]) (or its derivative) for n float32 values,
 * from the table T of (Φ(g), φ(g)) float64 pairs on the grid g = i/GELU_STEPS − GELU_SPAN (16 bytes
 * per point, GELU_LAST + 2 points; pointers in bytes). The arithmetic is the JS loop's
 * (cpu/fused-kernels.ts `geluLoop`), in float64, operation for operation:
 *
 *   t = min(max((x + SPAN)·STEPS, 0), LAST);  k = trunc(t);  f = t − k
 *   c = Φₖ + f·(Φₖ₊₁ − Φₖ);  p = φₖ + f·(φₖ₊₁ − φₖ)
 *   y = x·c,  or for the derivative  y = c + x·p,  rounded to float32
 *
 * so its results are the JS loop's to the bit. Two values at a time in f64x2 lanes; each value's
 * (Φ, φ) pairs at k and k + 1 are two 16-byte loads, interpolated together in one f64x2.
 */
import { mapF64Pairs, type Code, type ModuleBuilder } from './emitter.js';

/** The grid of the GELU tables: [−SPAN, SPAN] in steps of 1/STEPS. */
export const GELU_SPAN = 8;
export const GELU_STEPS = 1024;
/** The last grid index a value is clamped to (the tables hold one point more). */
export const GELU_LAST = 2 * GELU_SPAN * GELU_STEPS;

export function emitGelu(m: ModuleBuilder): void {
  const I = 'i32' as const;
  const c: Code = m.func([I, I, I, I, I], [], 'gelu').code;
  const [X, Y, n, T, derivative] = [0, 1, 2, 3, 4];
  const i = c.local('i32');
  const [span, steps, zero, last, magic, tSplat] = Array.from({ length: 6 }, () => c.local('v128'));
  const [x2, t, f, addr, v0, v1, y] = Array.from({ length: 7 }, () => c.local('v128'));
  const splat = (v: number, into: number): void => void c.f64Const(v).f64x2Splat().set(into);
  splat(GELU_SPAN, span);
  splat(GELU_STEPS, steps);
  splat(0, zero);
  splat(GELU_LAST, last);
  splat(2 ** 52, magic);
  c.get(T).i32x4Splat().set(tSplat);

  /** y = GELU'(x2) or GELU(x2), per f64 lane (x2 and y are locals). */
  const pair = (deriv: boolean): void => {
    // t = min(max(v, 0), LAST) with a NaN v taken to 0 (pmax(0, v) = 0 < v ? v : 0): the same t for
    // every other v, and for a NaN x the result is NaN either way (x·c, c + x·p), while the index stays
    // in the table
    c.get(zero).get(x2).get(span).f64x2Add().get(steps).f64x2Mul().f64x2Pmax().get(last).f64x2Pmin().set(t);
    // k = ⌊t⌋ (t ≥ 0), f = t − k; k + 2⁵² holds k in its low 32 bits (i32 lanes 0 and 2)
    c.get(t).f64x2Floor().set(addr);
    c.get(t).get(addr).f64x2Sub().set(f);
    c.get(addr).get(magic).f64x2Add().i32(4).i32x4Shl().get(tSplat).i32x4Add().set(addr);
    for (const [j, v] of [[0, v0], [1, v1]] as const) {
      // (Φₖ, φₖ) + f·((Φₖ₊₁, φₖ₊₁) − (Φₖ, φₖ))
      c.get(addr).i32x4ExtractLane(2 * j).v128Load().set(y);
      c.get(y).get(f).get(f).shuffle64(j, j);
      c.get(addr).i32x4ExtractLane(2 * j).v128Load(16).get(y).f64x2Sub().f64x2Mul().f64x2Add().set(v);
    }
    if (deriv) {
      c.get(v0).get(v1).shuffle64(0, 2);
      c.get(x2).get(v0).get(v1).shuffle64(1, 3).f64x2Mul().f64x2Add().set(y);
    } else {
      c.get(x2).get(v0).get(v1).shuffle64(0, 2).f64x2Mul().set(y);
    }
  };

  const loop = (deriv: boolean): void =>
    mapF64Pairs(c, X, Y, i, n, () => {
      c.set(x2);
      pair(deriv);
      c.get(y);
    });
  c.get(derivative).if_();
  loop(true);
  c.else_();
  loop(false);
  c.end();
}
