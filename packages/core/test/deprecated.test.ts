import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import * as g from '../src/index.js';

const { tensor } = g;
const values = (t: g.Tensor) => Array.from(t.dataSync());

describe('PyTorch names and argument orders', () => {
  it('scatterAdd(input, dim, index, src) adds src into input, as torch.scatter_add', () => {
    const input = tensor([[1, 1], [1, 1], [1, 1]]);
    const index = tensor([[2, 0], [2, 1]], { dtype: 'int32' });
    const src = tensor([[1, 2], [3, 4]]);
    expect(g.scatterAdd(input, 0, index, src).toArray()).toEqual([[1, 3], [1, 5], [5, 1]]);
    expect(input.scatterAdd(0, index, src).toArray()).toEqual([[1, 3], [1, 5], [5, 1]]);
    expect(() => g.scatterAdd(input, 0, index, src.cast('float64'))).toThrow(/^scatterAdd: expected src of input's dtype float32, got float64$/);
    expect(() => g.scatterAdd(tensor([1, 1]), 0, index, src)).toThrow(/^scatterAdd: index \[2, 2\], src \[2, 2\] and output \[2\] do not fit along dim 0$/);
  });

  it('mseLoss(input, target, { reduction }) as crossEntropy', () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([1, 0, 0]);
    expect(g.mseLoss(a, b).item()).toBeCloseTo(13 / 3, 6);
    expect(g.mseLoss(a, b, { reduction: 'sum' }).item()).toBe(13);
    expect(values(g.mseLoss(a, b, { reduction: 'none' }))).toEqual([0, 4, 9]);
  });

  it('var is torch.var (variance under another name); std uses the same correction', () => {
    const x = tensor([[1, 2, 3, 6]]);
    expect(g.var).toBe(g.variance);
    expect(values(g.var(x, 1))).toEqual(values(x.var(1)));
    expect(g.var(x, 1, { correction: 0 }).item()).toBeCloseTo(3.5, 6);
    expect(g.std(x, 1, { correction: 0 }).item()).toBeCloseTo(Math.sqrt(3.5), 6);
  });
});

describe('replaced signatures still work for one release and warn once each', () => {
  let warn: MockInstance;
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => warn.mockRestore());

  it('scatterAdd(src, dim, index, shape) scatters into zeros', () => {
    const idx = tensor([0, 0, 2], { dtype: 'int32' });
    const old = g.scatterAdd(tensor([1, 2, 3]), 0, idx, [3]);
    g.scatterAdd(tensor([1, 2, 3]), 0, idx, [3]);
    expect(values(old)).toEqual(values(g.scatterAdd(g.zeros([3]), 0, idx, tensor([1, 2, 3]))));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/scatterAdd\(src, dim, index, shape\) is deprecated.*scatterAdd\(input, dim, index, src\)/);
  });

  it('mseLoss(input, target, reduction)', () => {
    const a = tensor([1, 2]);
    const b = tensor([0, 0]);
    expect(g.mseLoss(a, b, 'sum').item()).toBe(5);
    expect(values(g.mseLoss(a, b, 'none'))).toEqual([1, 4]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/mseLoss\(input, target, reduction\) is deprecated.*\{ reduction \}/);
  });

  it('new LayerNorm(shape, eps, opts) and LayerNorm.shape', () => {
    const ln = new g.LayerNorm(4, 1e-3, { bias: false });
    expect([ln.eps, ln.bias]).toEqual([1e-3, null]);
    expect(ln.shape).toEqual([4]);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      expect.stringMatching(/new LayerNorm\(shape, eps, opts\) is deprecated/),
      expect.stringMatching(/LayerNorm.shape is deprecated.*normalizedShape/),
    ]);
  });

  it('Embedding.num and Embedding.dim', () => {
    const e = new g.Embedding(5, 3);
    expect([e.num, e.dim, e.num]).toEqual([5, 3, 5]);
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
