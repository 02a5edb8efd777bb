/** The forward (noising) process of masked diffusion: replace tokens by the mask token. */
import { checks, defaultGenerator, fmt, tensor, type Generator, type Tensor } from '@grokkit/core';
import { checkTokens2d } from './check-tokens.js';

export interface MaskOptions {
  /** The absorbing token (usually the task vocabulary size, so the model's vocabulary is one larger). */
  maskId: number;
  /**
   * Which positions may be masked: bool [T] or [B, T] (true = maskable). Positions that are not
   * maskable (a prompt) are always visible. Default: every position.
   */
  maskable?: Tensor;
  /** Shorthand for `maskable`: the first `promptLength` positions of every row stay visible. */
  promptLength?: number;
  rng?: Generator;
}

export interface Masked {
  /** x_t: x₀ with the masked positions set to `maskId`, int32 [B, T]. */
  xt: Tensor;
  /** bool [B, T], true where x_t is masked. */
  masked: Tensor;
  /** bool [B, T], true where the position was allowed to be masked. */
  maskable: Tensor;
}

/** A host copy of the maskable positions as a flat [B·T] byte array. */
export function maskableArray(op: string, b: number, t: number, opts: { maskable?: Tensor; promptLength?: number }): Uint8Array {
  const out = new Uint8Array(b * t).fill(1);
  if (opts.promptLength !== undefined) {
    const p = opts.promptLength;
    if (!Number.isInteger(p) || p < 0 || p > t) throw new Error(`${op}: expected 0 ≤ promptLength ≤ ${t} (an integer), got ${p}`);
    for (let i = 0; i < b; i++) out.fill(0, i * t, i * t + p);
  }
  const m = opts.maskable;
  if (m) {
    if (m.dtype !== 'bool') throw new Error(`${op}: expected maskable to be a bool tensor, got ${m.dtype}`);
    const row = m.ndim === 1 && m.shape[0] === t;
    if (!row && !(m.ndim === 2 && m.shape[0] === b && m.shape[1] === t)) {
      throw new Error(`${op}: expected maskable of shape [${t}] or [${b}, ${t}], got ${fmt(m.shape)}`);
    }
    const d = m.dataSync();
    for (let i = 0; i < b * t; i++) if (!d[row ? i % t : i]) out[i] = 0;
  }
  return out;
}

/**
 * Sample x_t ~ q(x_t | x₀): each maskable token of row b becomes `maskId` with probability t_b.
 * `t` is one time for the batch or a float tensor/array [B] of per-row times in [0, 1].
 */
export function maskTokens(x0: Tensor, t: number | Tensor | ArrayLike<number>, opts: MaskOptions): Masked {
  const op = 'maskTokens';
  const [b, len] = checkTokens2d(op, 'x0', x0);
  const maskId = checks.int(op, 'maskId', opts.maskId, 0);
  const times = typeof t === 'number' ? new Float64Array(b).fill(t) : 'dataSync' in (t as object) ? (t as Tensor).dataSync() : Array.from(t as ArrayLike<number>);
  if (times.length !== b) throw new Error(`${op}: expected ${b} times (one per row), got ${times.length}`);
  for (let i = 0; i < b; i++) {
    const ti = times[i]!;
    if (!(ti >= 0 && ti <= 1)) throw new Error(`${op}: expected times in [0, 1], got ${ti} for row ${i}`);
  }
  const g = opts.rng ?? defaultGenerator();
  const can = maskableArray(op, b, len, opts);
  const src = x0.dataSync();
  const xt = new Int32Array(b * len);
  const masked = new Uint8Array(b * len);
  for (let i = 0; i < b; i++) {
    const ti = times[i]!;
    for (let j = 0; j < len; j++) {
      const k = i * len + j;
      if (src[k] === maskId) throw new Error(`${op}: x0 already holds the mask token ${maskId} at [${i}, ${j}]`);
      if (can[k] && g.uniform() < ti) {
        xt[k] = maskId;
        masked[k] = 1;
      } else xt[k] = src[k]!;
    }
  }
  return {
    xt: tensor(xt, { dtype: 'int32', shape: [b, len] }),
    masked: tensor(masked, { dtype: 'bool', shape: [b, len] }),
    maskable: tensor(can, { dtype: 'bool', shape: [b, len] }),
  };
}
