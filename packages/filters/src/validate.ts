/** Option checks shared by the filters: each error names the option, what was expected and what was given. */

export function checkFinite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${op}: expected ${name} to be a finite number, got ${String(v)}`);
  return v;
}

/** A decay factor in [0, 1). */
export function checkAlpha(op: string, alpha: unknown): number {
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha < 1)) throw new Error(`${op}: expected 0 ≤ alpha < 1, got ${String(alpha)}`);
  return alpha;
}

/** An integer ≥ 1. */
export function checkPositiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${op}: expected ${name} to be an integer ≥ 1, got ${String(v)}`);
  return v;
}

/** A list of finite numbers with at least one entry. */
export function checkCoefficients(op: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`${op}: expected ${name} to be a non-empty array of numbers, got ${JSON.stringify(v)}`);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${op}: expected ${name}[${i}] to be a finite number, got ${String(x)}`);
  });
  return [...(v as number[])];
}
