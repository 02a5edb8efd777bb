/**
 * Additive attention masks. A masked score gets MASK_VALUE added: finite, so softmax and its
 * gradient stay NaN-free (a fully masked row becomes uniform instead of 0/0), yet exp of it is 0.
 */
import { currentBackend, keep, tensor, type FloatDType, type Tensor } from '@grokkit/core';

export const MASK_VALUE = -1e9;

const causalCache = new Map<string, Tensor>();

/**
 * The causal bias [Tq, Tk] for queries at the last Tq of Tk positions: query i (absolute
 * position Tk − Tq + i) sees keys j ≤ Tk − Tq + i. Built once per (Tq, Tk, dtype, device) and kept.
 */
export function causalBias(tq: number, tk: number, dtype: FloatDType = 'float32', device: string = currentBackend()): Tensor {
  if (tq > tk) throw new Error(`causalBias: expected at most as many queries as keys, got ${tq} queries and ${tk} keys`);
  const key = `${tq},${tk},${dtype},${device}`;
  let t = causalCache.get(key);
  if (!t || t.isDisposed) {
    const data = new Float64Array(tq * tk);
    for (let i = 0; i < tq; i++) for (let j = tk - tq + i + 1; j < tk; j++) data[i * tk + j] = MASK_VALUE;
    t = keep(tensor(data, { shape: [tq, tk], dtype, device }));
    causalCache.set(key, t);
  }
  return t;
}

/** The bias [B, 1, 1, T] from a bool key-padding mask [B, T] (true = padded key, never attended). */
export function paddingBias(padMask: Tensor, dtype: FloatDType = 'float32'): Tensor {
  const [b, t] = padMask.shape as [number, number];
  return padMask.cast(dtype).mul(MASK_VALUE).reshape([b, 1, 1, t]);
}
