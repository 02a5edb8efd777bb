/**
 * Samplers for masked diffusion. Both start from tokens in which the positions to generate hold
 * the mask token (a prompt stays visible), only ever write to masked positions — a revealed token
 * is never changed — and return with no mask left.
 *
 * - ancestral: a fixed grid 1 = t₀ > t₁ > … > t_N = 0; going from t to s each still-masked token is
 *   revealed with probability (t − s)/t, its value drawn from p_θ(x₀ | x_t). The last step (s = 0)
 *   reveals everything left.
 * - confidence: each step reveals the k masked positions whose prediction is most confident
 *   (largest probability of the chosen token); k = ⌈remaining / steps left⌉ for a fixed step count,
 *   or a fixed k per step.
 */
import { checks, defaultGenerator, fmt, noGrad, softmax, tensor, tidy, type Generator, type Tensor } from '@grokkit/core';
import { suppressMask } from './subs.js';
import { checkTokens2d } from './check-tokens.js';

/** A denoiser: int32 tokens [B, T] → logits [B, T, V] with V > maskId. */
export type Denoise = (xt: Tensor) => Tensor;

export interface SamplerOptions {
  maskId: number;
  /** Denoiser calls at most (default: the largest number of masked positions in a row, one token per step). */
  steps?: number;
  /** 0 (default): take the most likely token; > 0: sample from softmax(logits / temperature). */
  temperature?: number;
  rng?: Generator;
  /** Called after every step with a copy of the tokens [B·T] and the step index (for tracing). */
  onStep?(tokens: Int32Array, step: number): void;
}

export interface ConfidenceSamplerOptions extends SamplerOptions {
  /** Reveal this many positions per row per step (overrides `steps`; runs until no mask is left). */
  k?: number;
}

interface Prepared {
  b: number;
  len: number;
  tokens: Int32Array;
  maskId: number;
  temperature: number;
  g: Generator;
}

function prepare(op: string, x: Tensor, o: SamplerOptions): Prepared {
  const [b, len] = checkTokens2d(op, 'x', x);
  const maskId = checks.int(op, 'maskId', o.maskId, 0);
  const temperature = o.temperature ?? 0;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new Error(`${op}: expected temperature ≥ 0, got ${temperature}`);
  return { b, len, tokens: Int32Array.from(x.dataSync()), maskId, temperature, g: o.rng ?? defaultGenerator() };
}

function maskedCounts(p: Prepared): number[] {
  const out = new Array<number>(p.b).fill(0);
  for (let i = 0; i < p.b * p.len; i++) if (p.tokens[i] === p.maskId) out[Math.floor(i / p.len)]!++;
  return out;
}

/** p_θ(x₀ | x_t) on the host, [B·T·V] (mask token at probability 0), with V. */
function predict(op: string, denoise: Denoise, p: Prepared): { probs: Float32Array | Float64Array; v: number } {
  return tidy(() =>
    noGrad(() => {
      const logits = denoise(tensor(p.tokens, { dtype: 'int32', shape: [p.b, p.len] }));
      if (logits.ndim !== 3 || logits.shape[0] !== p.b || logits.shape[1] !== p.len || logits.shape[2]! <= p.maskId) {
        throw new Error(`${op}: expected the denoiser to return logits [${p.b}, ${p.len}, V > ${p.maskId}], got ${fmt(logits.shape)}`);
      }
      const scaled = p.temperature > 0 ? logits.div(p.temperature) : logits;
      const probs = softmax(suppressMask(scaled, p.maskId), -1).dataSync() as Float32Array | Float64Array;
      return { probs, v: logits.shape[2]! };
    }),
  );
}

/** The chosen token at flat position i (argmax, or a draw when temperature > 0) and its probability. */
function choose(p: Prepared, probs: ArrayLike<number>, v: number, i: number): [number, number] {
  const off = i * v;
  if (p.temperature > 0) {
    let u = p.g.uniform53();
    let last = -1;
    for (let c = 0; c < v; c++) {
      const q = probs[off + c]!;
      if (c === p.maskId || q <= 0) continue;
      last = c;
      if (u < q) return [c, q];
      u -= q;
    }
    return [last, probs[off + last]!]; // rounding left u ≥ 0: the last candidate
  }
  let best = -1;
  let bp = -1;
  for (let c = 0; c < v; c++) {
    if (c === p.maskId) continue;
    const q = probs[off + c]!;
    if (q > bp) [best, bp] = [c, q];
  }
  return [best, bp];
}

function finish(p: Prepared): Tensor {
  return tensor(p.tokens, { dtype: 'int32', shape: [p.b, p.len] });
}

/** Ancestral sampling on the uniform grid t_i = 1 − i/steps (MDLM). */
export function ancestralSample(denoise: Denoise, x: Tensor, opts: SamplerOptions): Tensor {
  const op = 'ancestralSample';
  const p = prepare(op, x, opts);
  const counts = maskedCounts(p);
  const steps = checks.positiveInt(op, 'steps', opts.steps ?? Math.max(1, ...counts));
  for (let i = 0; i < steps; i++) {
    const t = 1 - i / steps;
    const s = i === steps - 1 ? 0 : 1 - (i + 1) / steps;
    const reveal = (t - s) / t;
    // decide first which positions move, so the model is only run when something changes
    const chosen: number[] = [];
    for (let j = 0; j < p.b * p.len; j++) if (p.tokens[j] === p.maskId && (reveal >= 1 || p.g.uniform() < reveal)) chosen.push(j);
    if (chosen.length > 0) {
      const { probs, v } = predict(op, denoise, p);
      for (const j of chosen) p.tokens[j] = choose(p, probs, v, j)[0];
    }
    opts.onStep?.(Int32Array.from(p.tokens), i);
  }
  return finish(p);
}

/** Confidence-ordered decoding: reveal the most confident masked positions first (Kim et al. 2025). */
export function confidenceSample(denoise: Denoise, x: Tensor, opts: ConfidenceSamplerOptions): Tensor {
  const op = 'confidenceSample';
  const p = prepare(op, x, opts);
  const counts = maskedCounts(p);
  const most = Math.max(0, ...counts);
  const k = opts.k === undefined ? undefined : checks.positiveInt(op, 'k', opts.k);
  const steps = k !== undefined ? Math.ceil(most / k) : checks.positiveInt(op, 'steps', opts.steps ?? Math.max(1, most));
  for (let i = 0; i < steps && counts.some((c) => c > 0); i++) {
    const { probs, v } = predict(op, denoise, p);
    for (let r = 0; r < p.b; r++) {
      const left = counts[r]!;
      if (left === 0) continue;
      const n = Math.min(left, k ?? Math.ceil(left / (steps - i)));
      const cands: { j: number; c: number; q: number }[] = [];
      for (let j = r * p.len; j < (r + 1) * p.len; j++) {
        if (p.tokens[j] !== p.maskId) continue;
        const [c, q] = choose(p, probs, v, j);
        cands.push({ j, c, q });
      }
      cands.sort((a, b) => b.q - a.q || a.j - b.j);
      for (const { j, c } of cands.slice(0, n)) p.tokens[j] = c;
      counts[r] = left - n;
    }
    opts.onStep?.(Int32Array.from(p.tokens), i);
  }
  return finish(p);
}
