/**
 * Option checks only the filters need; the general ones (finite numbers, positive integers) are
 * core's `checks`. Each error names the option, what was expected and what was given.
 */

/** A decay factor in [0, 1). */
export function checkAlpha(op: string, alpha: unknown): number {
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha < 1)) throw new Error(`${op}: expected 0 ≤ alpha < 1, got ${String(alpha)}`);
  return alpha;
}

/** A list of finite numbers with at least one entry. */
export function checkCoefficients(op: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`${op}: expected ${name} to be a non-empty array of numbers, got ${JSON.stringify(v)}`);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${op}: expected ${name}[${i}] to be a finite number, got ${String(x)}`);
  });
  return [...(v as number[])];
}
