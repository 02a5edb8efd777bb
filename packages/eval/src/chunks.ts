import { tidy } from '@grokkit/core';

/**
 * Row-weighted means of per-chunk metrics: `fn(start, end)` is called on consecutive row ranges
 * of at most `rows` rows out of `total`, each inside its own `tidy` scope, and returns the mean of
 * each metric over its rows. Evaluating a large held-out set this way keeps one chunk's
 * activations alive at a time instead of the whole set's, and gives the same accuracy (each row's
 * prediction does not depend on the others in its batch); means of losses differ from one big
 * batch only in float rounding.
 *
 *     const { acc, loss } = meanOverChunks(val.targets.size, 1024, (a, b) => {
 *       const logits = model.forward(val.inputs.slice(0, a, b));
 *       return { acc: accuracy(logits, val.targets.slice(0, a, b)), loss: crossEntropy(logits, val.targets.slice(0, a, b)).item() };
 *     });
 */
export function meanOverChunks<K extends string>(total: number, rows: number, fn: (start: number, end: number) => Record<K, number>): Record<K, number> {
  if (!Number.isInteger(total) || total < 1) throw new Error(`meanOverChunks: expected a positive integer row count, got ${total}`);
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`meanOverChunks: expected a positive integer chunk size, got ${rows}`);
  const sums = {} as Record<K, number>;
  for (let start = 0; start < total; start += rows) {
    const end = Math.min(total, start + rows);
    const m = tidy(() => fn(start, end));
    for (const k of Object.keys(m) as K[]) sums[k] = (sums[k] ?? 0) + m[k] * (end - start);
  }
  for (const k of Object.keys(sums) as K[]) sums[k] /= total;
  return sums;
}
