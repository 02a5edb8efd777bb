/** The token-batch check the losses, masking and samplers share; general checks are core's `checks`. */
import { fmt, type Tensor } from '@grokkit/core';

/** An int32 tensor of shape [B, T]; returns [B, T]. */
export function checkTokens2d(op: string, name: string, x: Tensor): [number, number] {
  if (x.dtype !== 'int32' || x.ndim !== 2) throw new Error(`${op}: expected ${name} to be int32 [B, T], got ${x.dtype} ${fmt(x.shape)}`);
  return x.shape as [number, number];
}
