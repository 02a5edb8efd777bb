import type { Tensor } from '@grokkit/core';

/** A set of examples: int32 token inputs (or float32 features) and int32 targets, first dim = examples. */
// a type alias (not an interface) so a Split is also a Record<string, Tensor>, e.g. for Batcher
export type Split = {
  inputs: Tensor;
  targets: Tensor;
};

/**
 * How many of `n` examples go to the training split: ⌊fraction·n⌋ (with a tolerance of 1e-9 so
 * that e.g. 0.3·10 counts as 3), as `torch.randperm(n).split(n // 2)` does for one half.
 */
export function trainCount(fn: string, n: number, fraction: number): number {
  const k = Math.floor(fraction * n + 1e-9);
  if (k < 1 || k > n - 1) {
    throw new Error(`${fn}: trainFraction ${fraction} of ${n} examples leaves ${k} for training and ${n - k} for validation; both must be ≥ 1`);
  }
  return k;
}
