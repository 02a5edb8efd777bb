/**
 * Sinusoidal time embedding (as the transformer's positions): for frequencies
 * ω_k = maxPeriod^{−k/half}, k = 0..half−1, emb(t) = [sin(t·ω_0..), cos(t·ω_0..)].
 */
import { cat, checks, cos, fmt, sin, tensor, type Tensor } from '@grokkit/core';

/** Float times [B] (e.g. integer DDPM steps) → [B, dim]; dim must be even. */
export function timeEmbedding(t: Tensor, dim: number, maxPeriod = 10000): Tensor {
  checks.positiveInt('timeEmbedding', 'dim', dim);
  if (dim % 2 !== 0) throw new Error(`timeEmbedding: expected an even dim, got ${dim}`);
  if (t.ndim !== 1) throw new Error(`timeEmbedding: expected times of shape [B], got ${fmt(t.shape)}`);
  if (!(maxPeriod > 1)) throw new Error(`timeEmbedding: expected maxPeriod > 1, got ${maxPeriod}`);
  const half = dim / 2;
  const freqs = new Float32Array(half);
  for (let k = 0; k < half; k++) freqs[k] = Math.exp((-Math.log(maxPeriod) * k) / half);
  const arg = t.float().unsqueeze(1).mul(tensor(freqs, { shape: [1, half], device: t.device }));
  return cat([sin(arg), cos(arg)], 1);
}
