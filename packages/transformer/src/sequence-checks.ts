/** Checks of the sequence inputs the blocks take; the general argument checks are core's `checks`. */
import { checks, fmt, type Tensor } from '@grokkit/core';

/** A float tensor of shape [B, T, dim] with T ≥ 1. */
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
  checks.indices(op, 'token ids', tokens, vocabSize);
}

/** A bool key-padding mask [B, T] (true marks a padded key, which no query attends to). */
export function checkPadMask(op: string, mask: Tensor, batch: number, length: number): void {
  if (mask.dtype !== 'bool') throw new Error(`${op}: expected a bool padMask, got ${mask.dtype}`);
  if (mask.ndim !== 2 || mask.shape[0] !== batch || mask.shape[1] !== length) {
    throw new Error(`${op}: expected padMask of shape [${batch}, ${length}], got ${fmt(mask.shape)}`);
  }
}
