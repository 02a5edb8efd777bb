import { describe, expect, it } from 'vitest';
import { cat, matmul, randn, rng, softmax, tensor, type Tensor } from '@grokkit/core';
import { MASK_VALUE, MultiHeadAttention, Rotary, causalBias, paddingBias, scaledDotProductAttention } from '../src/index.js';
import { gradcheckModule, input64, maxAbsDiff } from './helpers.js';

const ALL = ['q.weight', 'q.bias', 'k.weight', 'k.bias', 'v.weight', 'v.bias', 'out.weight', 'out.bias'];

/** Attention computed head by head with PyTorch-semantics matmul, independent of the module's head layout. */
function reference(m: MultiHeadAttention, x: Tensor, causal: boolean, pad?: boolean[][]): Tensor {
  const [b, t] = x.shape as [number, number, number];
  const hd = m.headDim;
  const heads: Tensor[] = [];
  const proj = (l: { weight: Tensor; bias: Tensor | null }, h: number) =>
    matmul(x, l.weight.slice(0, h * hd, (h + 1) * hd).T).add(l.bias!.slice(0, h * hd, (h + 1) * hd));
  const bias = new Float64Array(b * t * t);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < t; i++)
      for (let j = 0; j < t; j++) if ((causal && j > i) || pad?.[n]?.[j]) bias[(n * t + i) * t + j] = -1e30;
  const biasT = tensor(bias, { shape: [b, t, t], dtype: x.dtype });
  for (let h = 0; h < m.heads; h++) {
    const q = proj(m.q, h);
    const k = proj(m.k, h);
    const v = proj(m.v, h);
    const s = matmul(q, k.transpose(1, 2)).div(Math.sqrt(hd)).add(biasT);
    heads.push(matmul(softmax(s, -1), v));
  }
  return matmul(cat(heads, -1), m.out.weight.T).add(m.out.bias!);
}

describe('MultiHeadAttention', () => {
  it('matches a head-by-head reference (full, causal, with padding)', () => {
    const g = rng(1);
    const x = randn([2, 5, 12], { rng: g, dtype: 'float64' });
    const pad = [
      [false, false, false, true, true],
      [false, false, false, false, false],
    ];
    const padMask = tensor(pad);
    for (const causal of [false, true]) {
      const m = new MultiHeadAttention(12, 3, { causal, rng: rng(2), dtype: 'float64' });
      expect(maxAbsDiff(m.forward(x), reference(m, x, causal))).toBeLessThan(1e-12);
      expect(maxAbsDiff(m.forward(x, { padMask }), reference(m, x, causal, pad))).toBeLessThan(1e-12);
    }
  });

  it('gradcheck: full attention, every parameter and the input', () => {
    const m = new MultiHeadAttention(8, 2, { rng: rng(3), dtype: 'float64' });
    const x = input64([2, 3, 8], rng(4));
    gradcheckModule(m, ALL, [x], (xx) => m.forward(xx));
  });

  it('gradcheck: causal attention with a key-padding mask', () => {
    const m = new MultiHeadAttention(8, 2, { causal: true, rng: rng(5), dtype: 'float64' });
    const x = input64([2, 4, 8], rng(6));
    const padMask = tensor([
      [false, false, true, true],
      [false, false, false, true],
    ]);
    gradcheckModule(m, ALL, [x], (xx) => m.forward(xx, { padMask }));
  });

  it('gradcheck: full attention with a key-padding mask and rotary q/k', () => {
    const rot = new Rotary(4, 8, { dtype: 'float64' });
    const m = new MultiHeadAttention(8, 2, { rotary: rot, rng: rng(7), dtype: 'float64' });
    const x = input64([2, 3, 8], rng(8));
    const padMask = tensor([
      [false, true, false],
      [false, false, false],
    ]);
    gradcheckModule(m, ['q.weight', 'k.weight', 'v.weight'], [x], (xx) => m.forward(xx, { padMask }));
  });

  it('lastOnly equals the last row of the full causal output', () => {
    const m = new MultiHeadAttention(8, 2, { causal: true, rng: rng(9), dtype: 'float64' });
    const x = randn([3, 5, 8], { rng: rng(10), dtype: 'float64' });
    expect(maxAbsDiff(m.forward(x, { lastOnly: true }), m.forward(x).slice(1, 4))).toBeLessThan(1e-12);
  });

  it('padded keys get zero attention: unpadded outputs ignore them and send them no gradient', () => {
    const m = new MultiHeadAttention(8, 2, { rng: rng(11), dtype: 'float64' });
    const x = input64([1, 4, 8], rng(12));
    const padMask = tensor([[false, false, true, true]]);
    const y = m.forward(x, { padMask }).slice(1, 0, 2);
    const moved = x.detach().add(tensor([0, 0, 1, 1], { dtype: 'float64' }).reshape([1, 4, 1]).mul(100));
    expect(maxAbsDiff(y, m.forward(moved, { padMask }).slice(1, 0, 2))).toBeLessThan(1e-12);
    y.sum().backward();
    const gx = x.grad!.toArray() as number[][][];
    expect(gx[0]![2]!.every((v) => v === 0) && gx[0]![3]!.every((v) => v === 0)).toBe(true);
    expect(gx[0]![0]!.some((v) => v !== 0)).toBe(true);
  });

  it('fully masked rows stay finite (no NaN in values or gradients)', () => {
    const m = new MultiHeadAttention(8, 2, { causal: true, rng: rng(13) });
    const x = randn([1, 3, 8], { rng: rng(14) }).requiresGrad_(true);
    const padMask = tensor([[true, false, false]]); // query 0 sees only a padded key
    const y = m.forward(x, { padMask });
    y.sum().backward();
    for (const v of [...y.dataSync(), ...x.grad!.dataSync(), ...m.q.weight.grad!.dataSync()]) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('scaledDotProductAttention and masks', () => {
  it('one query and two keys: the hand-computed weighted sum', () => {
    const q = tensor([[[[1, 0]]]]); // [1, 1, 1, 2]
    const k = tensor([[[[1, 0], [0, 1]]]]);
    const v = tensor([[[[10, 0], [0, 10]]]]);
    const s = 1 / Math.sqrt(2);
    const w0 = Math.exp(s) / (Math.exp(s) + 1);
    const out = scaledDotProductAttention(q, k, v).dataSync();
    expect(out[0]).toBeCloseTo(10 * w0, 5);
    expect(out[1]).toBeCloseTo(10 * (1 - w0), 5);
  });

  it('causalBias hides future keys, offset for the last queries', () => {
    expect(causalBias(3, 3).toArray()).toEqual([
      [0, MASK_VALUE, MASK_VALUE],
      [0, 0, MASK_VALUE],
      [0, 0, 0],
    ]);
    expect(causalBias(1, 3).toArray()).toEqual([[0, 0, 0]]);
    expect(causalBias(3, 3)).toBe(causalBias(3, 3)); // cached
    expect(() => causalBias(4, 3)).toThrow(/4 queries and 3 keys/);
  });

  it('paddingBias is [B, 1, 1, T] with MASK_VALUE at padded keys', () => {
    const b = paddingBias(tensor([[false, true]]));
    expect(b.shape).toEqual([1, 1, 1, 2]);
    expect(b.dataSync()[1]).toBe(MASK_VALUE);
    expect(Math.abs(b.dataSync()[0]!)).toBe(0);
  });

  it('rejects mismatched q, k, v and a bias that does not broadcast', () => {
    const q = randn([2, 3, 4]);
    expect(() => scaledDotProductAttention(q, randn([2, 3, 5]), randn([2, 3, 4]))).toThrow(/q \[2, 3, 4\], k \[2, 3, 5\]/);
    expect(() => scaledDotProductAttention(q, q, q, { bias: randn([2, 4, 3, 3]) })).toThrow(/bias \[2, 4, 3, 3\] must broadcast to the scores \[2, 3, 3\]/);
  });
});
