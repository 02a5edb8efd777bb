/**
 * Argument checks for constructors and functions, shared by every package (exported as the
 * `checks` namespace). Each check returns the checked value, narrowed, or throws one line:
 * `op: expected <name> to be <what>, got <value>`.
 */
import type { FloatDType } from './dtype.js';
import { fmt } from './shape.js';
import type { Tensor } from './tensor.js';

/** A value as it should read in an error message: strings quoted, arrays bracketed. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return String(v);
}

/** An integer in [min, max]. */
export function int(op: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Infinity ? (min === -Infinity ? '' : ` ≥ ${min}`) : ` in ${min}..${max}`;
    throw new Error(`${op}: expected ${name} to be an integer${range}, got ${show(v)}`);
  }
  return v;
}

/** An integer ≥ 1 (a size, a count). */
export function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${op}: expected ${name} to be a positive integer, got ${show(v)}`);
  return v;
}

/** A finite number in the closed interval [min, max]. */
export function number(op: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = max === Infinity ? (min === -Infinity ? '' : ` ≥ ${min}`) : min === -Infinity ? ` ≤ ${max}` : ` in [${min}, ${max}]`;
    throw new Error(`${op}: expected ${name} to be a finite number${range}, got ${show(v)}`);
  }
  return v;
}

/** A number strictly between 0 and 1. */
export function openFraction(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 1) {
    throw new Error(`${op}: expected ${name} in the open interval (0, 1), got ${show(v)}`);
  }
  return v;
}

/** One of the strings in `allowed`. */
export function oneOf<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) {
    throw new Error(`${op}: expected ${name} to be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** A seed for `rng()`: a safe integer or a bigint. */
export function seed(op: string, v: unknown): number | bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`${op}: expected seed to be an integer, got ${show(v)}`);
  return v;
}

/** The dtype of a layer's parameters: 'float32' or 'float64'. */
export function floatDType(op: string, v: unknown): FloatDType {
  if (v !== 'float32' && v !== 'float64') throw new Error(`${op}: expected dtype 'float32' or 'float64', got ${show(v)}`);
  return v;
}

/** A float tensor whose trailing dims are `trailing` (any leading dims): a layer's input. */
export function features(op: string, x: Tensor, trailing: number | readonly number[]): void {
  const want = typeof trailing === 'number' ? [trailing] : trailing;
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new Error(`${op}: expected a float input, got ${x.dtype}`);
  const k = want.length;
  if (x.ndim < k || want.some((d, i) => x.shape[x.ndim - k + i] !== d)) {
    throw new Error(`${op}: expected input of shape [..., ${want.join(', ')}], got ${fmt(x.shape)}`);
  }
}

/**
 * int32 indices into a table of `size` rows (token ids, class labels), each in [0, size). The
 * range is checked on the host when the backend reads synchronously (free on cpu); on other
 * backends the gather kernel is left to range-check.
 */
export function indices(op: string, name: string, ids: Tensor, size: number): void {
  if (ids.dtype !== 'int32') throw new Error(`${op}: expected ${name} to be int32, got ${ids.dtype}`);
  let data: ArrayLike<number>;
  try {
    data = ids.view();
  } catch {
    return;
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v >= size) throw new RangeError(`${op}: expected ${name} in [0, ${size}), got ${v} at flat index ${i}`);
  }
}
