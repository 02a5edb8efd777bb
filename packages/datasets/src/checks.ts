/** Argument checks shared by the generators: each error says what was expected and what was given. */

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return String(v);
}

/** An integer in [min, max]. */
export function checkInt(fn: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Infinity ? `≥ ${min}` : `in ${min}..${max}`;
    throw new Error(`${fn}: expected ${name} to be an integer ${range}, got ${show(v)}`);
  }
  return v;
}

/** A finite number in the closed interval [min, max]. */
export function checkNumber(fn: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new Error(`${fn}: expected ${name} to be a finite number in [${min}, ${max}], got ${show(v)}`);
  }
  return v;
}

/** A fraction strictly between 0 and 1. */
export function checkOpenFraction(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 1) {
    throw new Error(`${fn}: expected ${name} in the open interval (0, 1), got ${show(v)}`);
  }
  return v;
}

/** A seed for `rng()`: a safe integer or a bigint. */
export function checkSeed(fn: string, v: unknown): number | bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`${fn}: expected seed to be an integer, got ${show(v)}`);
  return v;
}
