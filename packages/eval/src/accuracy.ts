import { argmax, eq, mean, noGrad, tidy, type Tensor } from '@grokkit/core';

/**
 * Fraction of rows whose argmax over the last dim equals the target. `logits` is [..., C]
 * (float), `targets` has the leading shape [...] (int32). Reads one number back (synchronously).
 */
export function accuracy(logits: Tensor, targets: Tensor): number {
  const lead = logits.shape.slice(0, -1);
  if (logits.ndim < 1 || lead.length !== targets.ndim || lead.some((d, i) => d !== targets.shape[i])) {
    throw new Error(`accuracy: expected targets of shape [${lead.join(', ')}] for logits [${logits.shape.join(', ')}], got [${targets.shape.join(', ')}]`);
  }
  if (targets.dtype !== 'int32') throw new Error(`accuracy: expected int32 targets, got ${targets.dtype}`);
  if (targets.size === 0) throw new Error('accuracy: expected at least one row, got none');
  return tidy(() => noGrad(() => mean(eq(argmax(logits, logits.ndim - 1), targets)).item()));
}
