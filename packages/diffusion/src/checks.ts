/** Input validation: every error names what was expected and what was given. */
import type { Tensor } from '@grokkit/core';

export function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function checkPositiveInt(op: string, name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new Error(`${op}: expected ${name} to be a positive integer, got ${String(n)}`);
  return n;
}

export function checkOneOf<T extends string>(op: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new Error(`${op}: expected ${name} to be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** An int32 tensor of shape [B, T]. */
export function checkTokens2d(op: string, name: string, x: Tensor): [number, number] {
  if (x.dtype !== 'int32' || x.ndim !== 2) throw new Error(`${op}: expected ${name} to be int32 [B, T], got ${x.dtype} ${fmt(x.shape)}`);
  return x.shape as [number, number];
}

/** The mask id is a non-negative integer (the model's vocabulary must hold it). */
export function checkMaskId(op: string, maskId: unknown): number {
  if (typeof maskId !== 'number' || !Number.isInteger(maskId) || maskId < 0) throw new Error(`${op}: expected maskId to be a non-negative integer, got ${String(maskId)}`);
  return maskId;
}
