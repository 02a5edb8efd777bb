/** Scaled dot-product attention and multi-head self-attention. */
import { Dropout, Linear, Module, checks, fmt, mm, softmax, type FloatDType, type Generator, type Tensor } from '@grokkit/core';
import { causalBias, paddingBias } from './mask.js';
import type { Rotary } from './rotary.js';
import { checkPadMask, checkSequence } from './sequence-checks.js';

export interface SdpaOptions {
  /** Additive bias broadcastable to the scores [..., Tq, Tk] (see `causalBias`, `paddingBias`). */
  bias?: Tensor | null;
  /** Multiplies the scores (default 1/√headDim). */
  scale?: number;
  /** Applied to the attention probabilities (e.g. dropout). */
  onProbs?: (p: Tensor) => Tensor;
}

/**
 * softmax(q·kᵀ·scale + bias)·v for q [..., Tq, d], k [..., Tk, d], v [..., Tk, dv] with the same
 * leading dims; returns [..., Tq, dv]. The leading dims are folded into one batch of 3-D products,
 * and kᵀ is read transposed by the matmul, not copied.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: SdpaOptions = {}): Tensor {
  const n = q.ndim;
  const sameLead = k.ndim === n && v.ndim === n && q.shape.slice(0, -2).every((s, i) => s === k.shape[i] && s === v.shape[i]);
  if (n < 3 || !sameLead || k.shape[n - 1] !== q.shape[n - 1] || v.shape[n - 2] !== k.shape[n - 2]) {
    throw new Error(
      `scaledDotProductAttention: expected q [..., Tq, d], k [..., Tk, d], v [..., Tk, dv] with equal leading dims, got q ${fmt(q.shape)}, k ${fmt(k.shape)}, v ${fmt(v.shape)}`,
    );
  }
  const lead = q.shape.slice(0, -2);
  const batch = lead.reduce((a, b) => a * b, 1);
  const [tq, d] = q.shape.slice(-2) as [number, number];
  const tk = k.shape[n - 2]!;
  const dv = v.shape[n - 1]!;
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  // scale whichever is smaller: the scores [Tq, Tk] or the queries [Tq, d]
  const qs = tk > d && scale !== 1 ? q.mul(scale) : q;
  let s = mm(qs.reshape([batch, tq, d]), k.reshape([batch, tk, d]), false, true);
  if (tk <= d && scale !== 1) s = s.mul(scale);
  if (opts.bias) {
    const scoreShape = [...lead, tq, tk];
    const bs = opts.bias.shape;
    const off = scoreShape.length - bs.length;
    if (off < 0 || bs.some((x, i) => x !== 1 && x !== scoreShape[off + i])) {
      throw new Error(`scaledDotProductAttention: bias ${fmt(bs)} must broadcast to the scores ${fmt(scoreShape)}`);
    }
    s = s.reshape(scoreShape).add(opts.bias);
  }
  let p = softmax(s, -1);
  if (opts.onProbs) p = opts.onProbs(p);
  return mm(p.reshape([batch, tq, tk]), v.reshape([batch, tk, dv])).reshape([...lead, tq, dv]);
}

export interface AttentionOptions {
  /** Each query sees only keys at its own or earlier positions (default false). */
  causal?: boolean;
  /** Rotary embedding applied to q and k (its headDim must be dim/heads). */
  rotary?: Rotary | null;
  /** Dropout on the attention probabilities (default 0). */
  dropout?: number;
  /** Biases on the q, k, v and output projections (default true). */
  bias?: boolean;
  rng?: Generator;
  dtype?: FloatDType;
}

export interface AttentionCall {
  /** Bool [B, T], true at padded keys, which no query attends to. */
  padMask?: Tensor | null;
  /** Compute the output for the last position only: [B, 1, dim] (keys and values still use all). */
  lastOnly?: boolean;
}

/**
 * Multi-head self-attention on x [B, T, dim]. Separate q, k, v projections (so no slicing of a
 * fused output); heads are laid out [B, H, T, hd] for the batched products. Init follows PyTorch's
 * nn.MultiheadAttention: q/k/v weights Xavier-uniform over the stacked [3·dim, dim] matrix, zero
 * biases; output weight U(±1/√dim), zero bias.
 */
export class MultiHeadAttention extends Module {
  q: Linear;
  k: Linear;
  v: Linear;
  out: Linear;
  readonly headDim: number;
  readonly causal: boolean;
  readonly rotary: Rotary | null;
  readonly dtype: FloatDType;
  private readonly drop: Dropout | null;
  constructor(
    readonly dim: number,
    readonly heads: number,
    opts: AttentionOptions = {},
  ) {
    super();
    checks.positiveInt('MultiHeadAttention', 'dim', dim);
    checks.positiveInt('MultiHeadAttention', 'heads', heads);
    if (dim % heads !== 0) throw new Error(`MultiHeadAttention: heads (${heads}) must divide dim (${dim})`);
    this.headDim = dim / heads;
    this.causal = opts.causal ?? false;
    this.rotary = opts.rotary ?? null;
    if (this.rotary && this.rotary.headDim !== this.headDim) {
      throw new Error(`MultiHeadAttention: rotary headDim must be dim/heads = ${this.headDim}, got ${this.rotary.headDim}`);
    }
    this.dtype = checks.floatDType('MultiHeadAttention', opts.dtype ?? 'float32');
    const common = { bias: opts.bias ?? true, rng: opts.rng, dtype: this.dtype, biasInit: { constant: 0 } };
    const xavier = { uniform: Math.sqrt(6 / (dim + 3 * dim)) };
    this.q = new Linear(dim, dim, { ...common, weightInit: xavier });
    this.k = new Linear(dim, dim, { ...common, weightInit: xavier });
    this.v = new Linear(dim, dim, { ...common, weightInit: xavier });
    this.out = new Linear(dim, dim, common);
    this.drop = opts.dropout ? new Dropout(opts.dropout, opts.rng) : null;
  }

  /** x [B, T, dim] → [B, T, dim] (or [B, 1, dim] with lastOnly). */
  forward(x: Tensor, call: AttentionCall = {}): Tensor {
    checkSequence('MultiHeadAttention', x, this.dim);
    const [b, t] = x.shape as [number, number, number];
    if (call.padMask) checkPadMask('MultiHeadAttention', call.padMask, b, t);
    const tq = call.lastOnly ? 1 : t;
    const xq = tq === t ? x : x.slice(1, t - tq);
    let q = this.splitHeads(this.q.forward(xq), b, tq);
    let k = this.splitHeads(this.k.forward(x), b, t);
    const v = this.splitHeads(this.v.forward(x), b, t);
    if (this.rotary) {
      q = this.rotary.forward(q, t - tq);
      k = this.rotary.forward(k, 0);
    }
    const dtype = x.dtype as FloatDType;
    let bias: Tensor | null = this.causal && t > 1 && tq > 1 ? causalBias(tq, t, dtype, x.device) : null;
    if (call.padMask) {
      const pad = paddingBias(call.padMask, dtype);
      bias = bias ? bias.add(pad) : pad;
    }
    const drop = this.drop;
    const o = scaledDotProductAttention(q, k, v, { bias, onProbs: drop ? (p) => drop.forward(p) : undefined });
    return this.out.forward(this.mergeHeads(o, b, tq));
  }

  /** [B, T, dim] → [B, H, T, hd]; a free reshape when T or H is 1. */
  private splitHeads(y: Tensor, b: number, t: number): Tensor {
    const h = this.heads;
    const split = y.reshape([b, t, h, this.headDim]);
    return t === 1 || h === 1 ? split.reshape([b, h, t, this.headDim]) : split.permute([0, 2, 1, 3]);
  }

  /** [B, H, T, hd] → [B, T, dim]. */
  private mergeHeads(o: Tensor, b: number, t: number): Tensor {
    const h = this.heads;
    const m = t === 1 || h === 1 ? o : o.permute([0, 2, 1, 3]);
    return m.reshape([b, t, this.dim]);
  }
}
