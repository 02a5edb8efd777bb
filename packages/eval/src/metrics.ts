/** One point of a metric curve: the value measured after `step` optimizer updates. */
export interface CurvePoint {
  step: number;
  value: number | null;
}

function isNum(v: number | null | undefined): v is number {
  return typeof v === 'number' && !Number.isNaN(v);
}

/** Points sorted by step, without missing values. */
function clean(curve: readonly CurvePoint[]): { step: number; value: number }[] {
  return curve.filter((p): p is { step: number; value: number } => isNum(p.value)).sort((a, b) => a.step - b.step);
}

/**
 * The first step whose value is ≥ `threshold`; `null` if none is. With `sustained`, the first
 * step from which every later value stays ≥ `threshold` (so a brief spike does not count).
 * Missing values (null/NaN) are ignored.
 */
export function stepsToThreshold(curve: readonly CurvePoint[], threshold: number, opts: { sustained?: boolean } = {}): number | null {
  const pts = clean(curve);
  if (!opts.sustained) return pts.find((p) => p.value >= threshold)?.step ?? null;
  let first: number | null = null;
  for (const p of pts) {
    if (p.value >= threshold) first ??= p.step;
    else first = null;
  }
  return first;
}

/**
 * Steps from the train curve reaching `threshold` to the validation curve reaching it:
 * `stepsToThreshold(val, τ) − stepsToThreshold(train, τ)`. `null` when either never reaches it.
 * Negative when validation got there first (no delay at all).
 */
export function grokkingDelay(train: readonly CurvePoint[], val: readonly CurvePoint[], threshold: number, opts: { sustained?: boolean } = {}): number | null {
  const t = stepsToThreshold(train, threshold, opts);
  const v = stepsToThreshold(val, threshold, opts);
  return t === null || v === null ? null : v - t;
}

/** Pull one metric out of eval records as a curve (`{step, ...metrics}` → `{step, value}`). */
export function curve(records: readonly Record<string, unknown>[], key: string): CurvePoint[] {
  return records.map((r) => {
    const v = r[key];
    return { step: Number(r.step), value: typeof v === 'number' ? v : null };
  });
}

export interface Summary {
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); NaN when n < 2. */
  std: number;
  min: number;
  max: number;
  /** How many values were numbers. */
  n: number;
  /** How many were missing (null, undefined or NaN), e.g. runs that never reached a threshold. */
  missing: number;
}

/** Mean, sample std, min and max of the numbers in `values`; missing values are counted, not used. */
export function summarize(values: readonly (number | null | undefined)[]): Summary {
  const xs = values.filter(isNum);
  const n = xs.length;
  const missing = values.length - n;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN, n, missing };
  const m = xs.reduce((a, b) => a + b, 0) / n;
  const ss = xs.reduce((a, x) => a + (x - m) * (x - m), 0);
  return { mean: m, std: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN, min: Math.min(...xs), max: Math.max(...xs), n, missing };
}

/** "12.3 ± 1.2" (the ± part only when std is a number), "—" when there is no value; "(2 missing)" appended. */
export function formatSummary(s: Summary, digits = 3): string {
  if (s.n === 0) return s.missing ? `— (${s.missing} missing)` : '—';
  const f = (x: number) => formatNumber(x, digits);
  const core = Number.isFinite(s.std) ? `${f(s.mean)} ± ${f(s.std)}` : f(s.mean);
  return s.missing ? `${core} (${s.missing} missing)` : core;
}

/** A compact number: integers as is, others to `digits` significant digits, no exponent below 1e6. */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? '—' : x > 0 ? '∞' : '−∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}
