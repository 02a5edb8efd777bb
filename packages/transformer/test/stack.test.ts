import { describe, expect, it } from 'vitest';
import { Optimizer, adam, grad, liveTensors, logStableMax, randint, randn, rng, tensor, tidy, type Tensor } from '@grokkit/core';
import { Decoder, Encoder, grokfastConfig, type TransformerConfig } from '../src/index.js';
import { gradcheckModule, maxAbsDiff } from './helpers.js';

const small: TransformerConfig = { vocabSize: 7, maxLen: 6, dim: 16, depth: 2, heads: 2 };

function changedAt(logitsA: Tensor, logitsB: Tensor): boolean[] {
  const a = logitsA.toArray() as number[][][];
  const b = logitsB.toArray() as number[][][];
  return a[0]!.map((row, t) => row.some((v, j) => Math.abs(v - b[0]![t]![j]!) > 1e-6));
}

describe('parameter count', () => {
  it('the Grokfast model has the hand-computed number of parameters', () => {
    const d = 128;
    const V = 99;
    const block = 2 * d /* ln1 */ + 3 * (d * d + d) /* q,k,v */ + (d * d + d) /* out */ + 2 * d /* ln2 */ + (d * 4 * d + 4 * d) /* fc1 */ + (4 * d * d + d); /* fc2 */
    const expected = (maxLen: number) => V * d /* tokens */ + maxLen * d /* positions */ + 2 * block + 2 * d /* final LN */ + d * V; /* head, no bias */
    expect(expected(4)).toBe(422_656);
    expect(new Decoder({ vocabSize: 99, maxLen: 4, rng: rng(0) }).numParameters()).toBe(422_656);
    // the reference code's position table has 5 rows
    expect(new Decoder({ ...grokfastConfig(97), rng: rng(0) }).numParameters()).toBe(expected(5));
  });
});

describe('Decoder and Encoder', () => {
  it('same seed → same initial parameters; another seed → different ones', () => {
    const a = new Decoder({ ...small, rng: rng(42) }).namedParameters();
    const b = new Decoder({ ...small, rng: rng(42) }).namedParameters();
    const c = new Decoder({ ...small, rng: rng(43) }).namedParameters();
    expect(Object.keys(a)).toEqual(Object.keys(b));
    for (const k of Object.keys(a)) expect(Array.from(a[k]!.dataSync())).toEqual(Array.from(b[k]!.dataSync()));
    expect(Array.from(a['blocks.0.attn.q.weight']!.dataSync())).not.toEqual(Array.from(c['blocks.0.attn.q.weight']!.dataSync()));
  });

  it('maps tokens [B, T] to logits [B, T, V] with a float64 option', () => {
    const m = new Decoder({ ...small, rng: rng(1), dtype: 'float64' });
    const y = m.forward(randint(0, 7, [3, 5], { rng: rng(2) }));
    expect(y.shape).toEqual([3, 5, 7]);
    expect(y.dtype).toBe('float64');
    expect(Object.values(m.namedParameters()).every((p) => p.dtype === 'float64')).toBe(true);
  });

  for (const positional of ['learned', 'sinusoidal', 'rotary', 'none'] as const) {
    it(`causality with ${positional} positions: Decoder ignores future tokens, Encoder does not`, () => {
      const a = tensor([[1, 2, 3, 4, 5]], { dtype: 'int32' });
      const b = tensor([[1, 2, 3, 6, 5]], { dtype: 'int32' });
      const dec = new Decoder({ ...small, positional, rng: rng(3) });
      expect(changedAt(dec.forward(a), dec.forward(b))).toEqual([false, false, false, true, true]);
      const enc = new Encoder({ ...small, positional, rng: rng(3) });
      expect(changedAt(enc.forward(a), enc.forward(b))).toEqual([true, true, true, true, true]);
    });
  }

  it('Encoder with a right-padding mask gives the unpadded positions the same output as the short sequence', () => {
    const m = new Encoder({ ...small, rng: rng(4), dtype: 'float64' });
    const long = tensor([[1, 2, 3, 0, 0]], { dtype: 'int32' });
    const padMask = tensor([[false, false, false, true, true]]);
    const short = tensor([[1, 2, 3]], { dtype: 'int32' });
    expect(maxAbsDiff(m.forward(long, { padMask }).slice(1, 0, 3), m.forward(short))).toBeLessThan(1e-12);
  });

  it('lastOnly gives the last position’s logits and the same gradients as slicing the full output', () => {
    const m = new Decoder({ ...grokfastConfig(5), dim: 16, heads: 4, rng: rng(5), dtype: 'float64' });
    const x = randint(0, 7, [4, 4], { rng: rng(6) });
    const targets = randint(0, 7, [4], { rng: rng(7) });
    const params = m.parameters();
    const full = m.forward(x).slice(1, 3).reshape([4, 7]);
    const last = m.forward(x, { lastOnly: true });
    expect(last.shape).toEqual([4, 7]);
    expect(maxAbsDiff(full, last)).toBeLessThan(1e-12);
    const g1 = grad(m.loss(full, targets), params);
    const g2 = grad(m.loss(last, targets), params);
    g1.forEach((g, i) => expect(maxAbsDiff(g, g2[i]!)).toBeLessThan(1e-12));
  });

  it('gradcheck through a whole rotary RMSNorm SiLU decoder (lastOnly, padding)', () => {
    const m = new Decoder({ vocabSize: 5, maxLen: 4, dim: 8, depth: 1, heads: 2, positional: 'rotary', norm: 'rms', activation: 'silu', rng: rng(8), dtype: 'float64' });
    const x = tensor([[1, 2, 3, 4], [4, 3, 2, 0]], { dtype: 'int32' });
    const padMask = tensor([[false, false, false, false], [false, false, false, true]]);
    gradcheckModule(m, ['tokens.weight', 'blocks.0.attn.k.weight', 'blocks.0.norm1.weight', 'head.weight'], [], () => m.forward(x, { padMask, lastOnly: true }));
  });

  it('gradcheck through a learned-position LayerNorm GELU encoder', () => {
    const m = new Encoder({ vocabSize: 5, maxLen: 3, dim: 8, depth: 1, heads: 2, rng: rng(9), dtype: 'float64' });
    const x = tensor([[1, 2, 0]], { dtype: 'int32' });
    gradcheckModule(m, ['positions.weight', 'blocks.0.attn.q.weight', 'blocks.0.mlp.fc1.bias', 'norm.bias'], [], () => m.forward(x));
  });

  it('initScale multiplies every initial parameter', () => {
    const base = new Decoder({ ...small, rng: rng(10) }).namedParameters();
    const big = new Decoder({ ...small, rng: rng(10), initScale: 8 }).namedParameters();
    for (const k of Object.keys(base)) expect(maxAbsDiff(big[k]!, base[k]!.mul(8))).toBe(0);
  });

  it("residual 'normed' adds attention to norm(x) instead of x", () => {
    const a = new Decoder({ ...small, depth: 1, rng: rng(11) });
    const b = new Decoder({ ...small, depth: 1, rng: rng(11), residual: 'normed' });
    const h = randn([1, 3, 16], { rng: rng(12) });
    const blockA = a.blocks[0]!;
    const blockB = b.blocks[0]!;
    const attn = blockA.attn.forward(blockA.norm1.forward(h));
    const y = blockB.norm1.forward(h).add(attn);
    const want = y.add(blockB.mlp.forward(blockB.norm2.forward(y)));
    expect(maxAbsDiff(blockB.forward(h), want)).toBeLessThan(1e-6);
    expect(maxAbsDiff(blockA.forward(h), blockB.forward(h))).toBeGreaterThan(1e-3);
  });

  it("output 'stablemax' makes loss use log-StableMax", () => {
    const m = new Decoder({ ...small, output: 'stablemax', rng: rng(13) });
    const logits = m.forward(randint(0, 7, [2, 3], { rng: rng(14) }));
    const targets = tensor([[0, 1, 2], [3, 4, 5]], { dtype: 'int32' });
    const lp = logStableMax(logits, -1).toArray() as number[][][];
    const want = -(lp[0]![0]![0]! + lp[0]![1]![1]! + lp[0]![2]![2]! + lp[1]![0]![3]! + lp[1]![1]![4]! + lp[1]![2]![5]!) / 6;
    expect(m.loss(logits, targets).item()).toBeCloseTo(want, 5);
    const soft = new Decoder({ ...small, rng: rng(13) });
    expect(Math.abs(soft.loss(logits, targets).item() - want)).toBeGreaterThan(1e-3);
    expect(m.probs(logits).sum(-1).dataSync().every((s) => Math.abs(s - 1) < 1e-5)).toBe(true);
  });

  it('a training step leaks no tensors once caches are warm', () => {
    const m = new Decoder({ ...small, positional: 'rotary', rng: rng(15) });
    const opt = new Optimizer(m.namedParameters(), adam({ lr: 1e-3 }));
    const x = randint(0, 7, [4, 5], { rng: rng(16) });
    const y = randint(0, 7, [4, 5], { rng: rng(17) });
    const step = () => {
      tidy(() => {
        opt.zeroGrad();
        m.loss(m.forward(x, { padMask: tensor([[false, false, false, false, true], [false, false, false, false, false], [false, false, false, false, false], [false, false, false, false, false]]) }), y).backward();
      });
      opt.update();
    };
    step();
    const live = liveTensors();
    step();
    step();
    expect(liveTensors()).toBe(live);
  });

  it('dropout is active in training mode only', () => {
    const m = new Encoder({ ...small, dropout: 0.5, rng: rng(18) });
    const x = randint(0, 7, [2, 4], { rng: rng(19) });
    const t1 = m.forward(x);
    const t2 = m.forward(x);
    expect(maxAbsDiff(t1, t2)).toBeGreaterThan(1e-3);
    m.eval();
    expect(maxAbsDiff(m.forward(x), m.forward(x))).toBe(0);
  });
});

describe('cached tables follow the device', () => {
  it('a model on another backend does not reuse masks or position tables made for the first', async () => {
    const g = await import('@grokkit/core');
    const { Decoder } = await import('../src/index.js');
    const tokens = (dev: string) => g.tensor(Int32Array.from([1, 2, 3, 0]), { shape: [1, 4], device: dev });
    const results: number[][] = [];
    for (const device of ['cpu', 'cpu-reference']) {
      const prev = g.currentBackend();
      g.setBackend(device);
      try {
        for (const positional of ['learned', 'sinusoidal', 'rotary'] as const) {
          const m = new Decoder({ vocabSize: 5, maxLen: 4, dim: 8, depth: 1, heads: 2, positional, rng: g.rng(0) });
          results.push(Array.from(m.forward(tokens(device)).dataSync()));
        }
      } finally {
        g.setBackend(prev);
      }
    }
    for (let i = 0; i < 3; i++) results[i]!.forEach((v, j) => expect(results[i + 3]![j]).toBeCloseTo(v, 5));
  });
});
