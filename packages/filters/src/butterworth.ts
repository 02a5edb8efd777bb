import { checks } from '@grokkit/core';
import { polyMul, type Complex } from './polynomial.js';

export interface ButterworthOptions {
  /** Filter order N (number of poles), an integer in 1..16. */
  order: number;
  /** Cutoff as a fraction of the Nyquist frequency, in (0, 1): the −3 dB point is at ω = π·cutoff. */
  cutoff: number;
}

/**
 * A digital low-pass Butterworth filter, designed from the analog prototype by the bilinear
 * transform s = (z−1)/(z+1) with the cutoff prewarped to Ω = tan(π·cutoff/2). The N analog poles
 * Ω·exp(iπ(2k+N+1)/(2N)) map to z = (1+s)/(1−s); all N zeros land at z = −1. The gain is set so
 * that H(1) = 1. Returns {b, a} for `lti` (pass `lamb` there).
 */
export function butterworth(opts: ButterworthOptions): { b: number[]; a: number[] } {
  const order = checks.positiveInt('butterworth', 'order', opts.order);
  if (order > 16) throw new Error(`butterworth: expected order ≤ 16 (higher orders lose precision in direct form), got ${order}`);
  const wc = opts.cutoff;
  if (typeof wc !== 'number' || !(wc > 0 && wc < 1)) throw new Error(`butterworth: expected 0 < cutoff < 1 (a fraction of Nyquist), got ${String(wc)}`);
  const warped = Math.tan((Math.PI * wc) / 2);
  let den: Complex[] = [[1, 0]];
  let num: Complex[] = [[1, 0]];
  for (let k = 0; k < order; k++) {
    const th = (Math.PI * (2 * k + order + 1)) / (2 * order);
    const s: Complex = [warped * Math.cos(th), warped * Math.sin(th)];
    // z = (1+s)/(1−s); factor (1 − z·z⁻¹) in powers of z⁻¹
    const d = (1 - s[0]) ** 2 + s[1] ** 2;
    const z: Complex = [((1 + s[0]) * (1 - s[0]) - s[1] * s[1]) / d, (s[1] * (1 - s[0]) + s[1] * (1 + s[0])) / d];
    den = polyMul(den, [[1, 0], [-z[0], -z[1]]]);
    num = polyMul(num, [[1, 0], [1, 0]]);
  }
  const a = den.map((c) => c[0]);
  const bRaw = num.map((c) => c[0]);
  const gain = a.reduce((s, x) => s + x, 0) / bRaw.reduce((s, x) => s + x, 0);
  return { b: bRaw.map((x) => x * gain), a };
}
