/**
 * Axis scales shared by the static SVG charts and the interactive charts of the HTML report, so
 * both place the same value at the same position: a linear scale and a log scale that keeps 0.
 */

/** A map from data to pixels, with its tick positions. */
export interface Scale {
  (v: number): number;
  domain: readonly [number, number];
  ticks: number[];
  /** Unlabelled positions for a light grid (2×…9× each decade on a log scale spanning more than 2 decades). */
  minor: number[];
  log: boolean;
}

/** A round step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`. */
export function niceStep(span: number, count = 5): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/** A linear scale whose domain is widened to whole multiples of a round tick step (unless `exact`). */
export function linearScale(min: number, max: number, range: readonly [number, number], opts: { exact?: boolean; ticks?: number } = {}): Scale {
  if (min === max) {
    const d = min === 0 ? 1 : Math.abs(min) / 2;
    min -= d;
    max += d;
  }
  const step = niceStep(max - min, opts.ticks ?? 5);
  const lo = opts.exact ? min : Math.floor(min / step + 1e-9) * step;
  const hi = opts.exact ? max : Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9); t * step <= hi + step * 1e-9; t++) ticks.push(Number((t * step).toPrecision(12)));
  const [r0, r1] = range;
  const f = ((v: number) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0)) as Scale;
  return Object.assign(f, { domain: [lo, hi] as const, ticks, minor: [], log: false });
}

/**
 * The linear part of a log scale over `values`: a tenth of the smallest non-zero |value| (1 when
 * there is none). Below it `logScale` is linear, so 0 (a step-0 evaluation) keeps its place.
 */
export function logThreshold(values: readonly number[]): number {
  let m = Infinity;
  for (const v of values) if (v !== 0 && Number.isFinite(v)) m = Math.min(m, Math.abs(v));
  return Number.isFinite(m) ? m / 10 : 1;
}

/**
 * A log scale that keeps 0: v ↦ asinh(v / c), linear within ±c and logarithmic beyond (uPlot's
 * `distr: 4`, matplotlib's "asinh" scale). `c` defaults to `logThreshold([min, max])`. The domain
 * is [min, max] as given; ticks at 0 and at the decades from 10c on inside it, plus 2× and 5× when
 * it spans at most 2 decades.
 */
export function logScale(min: number, max: number, range: readonly [number, number], opts: { threshold?: number } = {}): Scale {
  if (!(Number.isFinite(min) && Number.isFinite(max))) throw new Error(`logScale: expected a finite domain, got [${min}, ${max}]`);
  const c = opts.threshold ?? logThreshold([min, max]);
  if (!(c > 0)) throw new Error(`logScale: expected a positive threshold, got ${c}`);
  const t = (v: number) => Math.asinh(v / c);
  let l0 = t(min);
  let l1 = t(max);
  if (l1 - l0 < 1e-12) {
    l0 -= 0.5;
    l1 += 0.5;
  }
  const lo = Math.sinh(l0) * c;
  const hi = Math.sinh(l1) * c;
  const inside = (v: number) => v >= lo - Math.abs(lo) * 1e-9 && v <= hi + Math.abs(hi) * 1e-9;
  // decades with |v| ≥ 10c on each side of 0 (those below crowd into the linear part)
  const mags = Math.max(Math.abs(lo), Math.abs(hi));
  const dMin = Math.floor(Math.log10(c) + 1e-9);
  const dMax = Math.ceil(Math.log10(Math.max(mags, c)) - 1e-9);
  // decades covered by the logarithmic part: from c (or the domain's inner end) to its outer end
  const inner = lo <= 0 && hi >= 0 ? 10 * c : Math.max(10 * c, Math.min(Math.abs(lo), Math.abs(hi)));
  const mults = Math.log10(Math.max(mags, c) / inner) <= 2 ? [1, 2, 5] : [1];
  const ticks = new Set<number>();
  const minor: number[] = [];
  if (inside(0)) ticks.add(0);
  for (let d = dMin; d <= dMax; d++) {
    for (const sign of [-1, 1]) {
      for (let m = 1; m <= 9; m++) {
        const v = sign * Number((m * 10 ** d).toPrecision(12));
        if (Math.abs(v) < 10 * c * (1 - 1e-9) || !inside(v)) continue;
        if (mults.includes(m)) ticks.add(v);
        else if (mults.length === 1) minor.push(v);
      }
    }
  }
  const [r0, r1] = range;
  const f = ((v: number) => r0 + ((t(v) - l0) / (l1 - l0)) * (r1 - r0)) as Scale;
  return Object.assign(f, { domain: [lo, hi] as const, ticks: [...ticks].sort((a, b) => a - b), minor, log: true });
}

/** The text of each of a scale's ticks (on a log scale each tick has only the decimals it needs). */
export function tickLabels(s: Pick<Scale, 'ticks' | 'log'>): string[] {
  return s.ticks.map((t) => formatTick(t, s.log ? [t] : s.ticks));
}

/** Tick text: 1k/20k/1M for round thousands, otherwise as many decimals as the spacing needs. */
export function formatTick(v: number, ticks: readonly number[]): string {
  const a = Math.abs(v);
  const si = (d: number, s: string) => `${Number((v / d).toPrecision(6))}${s}`;
  if (a >= 1e6 && Math.abs(v % 1e5) < 1e-6) return si(1e6, 'M');
  if (a >= 1e3 && Math.abs(v % 100) < 1e-6) return si(1e3, 'k');
  if (a >= 1e9 || (a > 0 && a < 1e-4)) return v.toExponential(0);
  const decimals = Math.max(0, ...ticks.filter((t) => t !== 0).map((t) => {
    let d = 0;
    while (d < 10 && Math.abs(Number(t.toFixed(d)) - t) > Math.abs(t) * 1e-9) d++;
    return d;
  }));
  return v.toFixed(decimals);
}
