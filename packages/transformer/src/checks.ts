/** Input validation shared by the blocks: every error names what was expected and what was given. */
import type { Tensor } from '@grokkit/core';

export type FloatDType = 'float32' | 'float64';

export function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0;
}

export function checkPositiveInt(op: string, name: string, n: unknown): number {
  if (!isPositiveInt(n)) throw new Error(`${op}: expected ${name} to be a positive integer, got ${String(n)}`);
  return n;
}

export function checkFloatDType(op: string, dtype: unknown): FloatDType {
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`${op}: expected dtype 'float32' or 'float64', got ${String(dtype)}`);
  return dtype;
}

export function checkOneOf<T extends string>(op: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new Error(`${op}: expected ${name} to be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** A float tensor whose last dim is `dim` (any leading dims). */
export function checkFeatures(op: string, x: Tensor, dim: number): void {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new Error(`${op}: expected a float input, got ${x.dtype}`);
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== dim) {
    throw new Error(`${op}: expected input of shape [..., ${dim}], got ${fmt(x.shape)}`);
  }
}

/** A float tensor of shape [B, T, dim]. */
export function checkSequence(op: string, x: Tensor, dim: number): void {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new Error(`${op}: expected a float input, got ${x.dtype}`);
  if (x.ndim !== 3 || x.shape[2] !== dim) throw new Error(`${op}: expected input of shape [B, T, ${dim}], got ${fmt(x.shape)}`);
  if (x.shape[1] === 0) throw new Error(`${op}: expected at least one position, got shape ${fmt(x.shape)}`);
}

export function checkMaxLen(op: string, length: number, maxLen: number): void {
  if (length > maxLen) throw new Error(`${op}: sequence length ${length} exceeds maxLen ${maxLen}`);
}

/** int32 token ids of shape [B, T] with 1 ≤ T ≤ maxLen and every id in [0, vocabSize). */
export function checkTokens(op: string, tokens: Tensor, vocabSize: number, maxLen: number): void {
  if (tokens.dtype !== 'int32') throw new Error(`${op}: expected int32 tokens, got ${tokens.dtype}`);
  if (tokens.ndim !== 2 || tokens.shape[1] === 0) throw new Error(`${op}: expected tokens of shape [B, T] with T ≥ 1, got ${fmt(tokens.shape)}`);
  checkMaxLen(op, tokens.shape[1]!, maxLen);
  checkIds(op, tokens, vocabSize);
}

/** Ids in [0, vocabSize), checked on the host when the backend reads synchronously (free on cpu). */
export function checkIds(op: string, ids: Tensor, vocabSize: number): void {
  let data: ArrayLike<number>;
  try {
    data = ids.view();
  } catch {
    return; // asynchronous backend: the gather kernel still range-checks
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v >= vocabSize) throw new RangeError(`${op}: token id ${v} at flat index ${i} is outside the vocabulary [0, ${vocabSize})`);
  }
}

/** A bool key-padding mask [B, T] (true marks a padded key, which no query attends to). */
export function checkPadMask(op: string, mask: Tensor, batch: number, length: number): void {
  if (mask.dtype !== 'bool') throw new Error(`${op}: expected a bool padMask, got ${mask.dtype}`);
  if (mask.ndim !== 2 || mask.shape[0] !== batch || mask.shape[1] !== length) {
    throw new Error(`${op}: expected padMask of shape [${batch}, ${length}], got ${fmt(mask.shape)}`);
  }
}
