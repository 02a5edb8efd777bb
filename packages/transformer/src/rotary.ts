/**
 * Rotary position embedding (RoPE, Su et al. 2021), in the half-split layout: dimension i and
 * i + d/2 of a head form a pair rotated by the angle p·θ_i, θ_i = base^(−2i/d), at position p.
 * Applied to queries and keys, it makes q·k depend on positions only through their difference.
 */
import { Module, cat, checks, currentBackend, fmt, keep, tensor, type FloatDType, type Tensor } from '@grokkit/core';

export class Rotary extends Module {
  readonly dtype: FloatDType;
  readonly base: number;
  private readonly cache = new Map<string, [Tensor, Tensor]>();
  constructor(
    readonly headDim: number,
    readonly maxLen: number,
    opts: { base?: number; dtype?: FloatDType } = {},
  ) {
    super();
    checks.positiveInt('Rotary', 'headDim', headDim);
    checks.positiveInt('Rotary', 'maxLen', maxLen);
    if (headDim % 2 !== 0) throw new Error(`Rotary: expected an even head dim, got ${headDim}`);
    this.dtype = checks.floatDType('Rotary', opts.dtype ?? 'float32');
    this.base = opts.base ?? 10000;
  }

  /** cos and signed sin tables [length, headDim] for positions offset..offset+length−1 (made once, kept). */
  tables(offset: number, length: number, device: string = currentBackend()): [Tensor, Tensor] {
    if (offset + length > this.maxLen) {
      throw new Error(`Rotary: sequence length ${offset + length} exceeds maxLen ${this.maxLen}`);
    }
    const key = `${offset},${length},${device}`;
    let t = this.cache.get(key);
    if (!t) {
      const d = this.headDim;
      const h = d / 2;
      const c = new Float64Array(length * d);
      const s = new Float64Array(length * d);
      for (let p = 0; p < length; p++) {
        for (let i = 0; i < h; i++) {
          const angle = (offset + p) * Math.pow(this.base, (-2 * i) / d);
          c[p * d + i] = c[p * d + i + h] = Math.cos(angle);
          s[p * d + i] = -Math.sin(angle);
          s[p * d + i + h] = Math.sin(angle);
        }
      }
      const opts = { shape: [length, d], dtype: this.dtype, device };
      t = [keep(tensor(c, opts)), keep(tensor(s, opts))];
      this.cache.set(key, t);
    }
    return t;
  }

  /** Rotate x [..., T, headDim] as positions offset..offset+T−1. */
  forward(x: Tensor, offset = 0): Tensor {
    const d = this.headDim;
    if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new Error(`Rotary: expected a float input, got ${x.dtype}`);
    if (x.ndim < 2 || x.shape[x.ndim - 1] !== d) throw new Error(`Rotary: expected input of shape [..., T, ${d}], got ${fmt(x.shape)}`);
    const [cos, sinSigned] = this.tables(offset, x.shape[x.ndim - 2]!, x.device);
    const h = d / 2;
    // (x₁, x₂) ↦ (x₁cos − x₂sin, x₂cos + x₁sin), as x·cos + (x₂, x₁)·(−sin, sin)
    const swapped = cat([x.slice(-1, h, d), x.slice(-1, 0, h)], -1);
    return x.mul(cos).add(swapped.mul(sinSigned));
  }
}
