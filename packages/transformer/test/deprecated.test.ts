import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import * as core from '@grokkit/core';
import { rng, tensor } from '@grokkit/core';
import { Dense, LayerNorm, RMSNorm, TokenEmbedding, constParam, createNorm, normalParam, scaleParameters, uniformParam } from '../src/index.js';

/** The same values, element by element. */
const same = (a: core.Tensor, b: core.Tensor) => expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));

describe('names kept for one release warn once and build what their replacements build', () => {
  let warn: MockInstance;
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => warn.mockRestore());

  it('Dense is core Linear with weightBound → weightInit and zeroBias → biasInit', () => {
    const d = new Dense(3, 2, { rng: rng(1), weightBound: 0.1, zeroBias: true, dtype: 'float64' });
    new Dense(3, 2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/Dense from @grokkit\/transformer is deprecated.*use Linear from '@grokkit\/core'/);
    const l = new core.Linear(3, 2, { rng: rng(1), weightInit: { uniform: 0.1 }, biasInit: { constant: 0 }, dtype: 'float64' });
    expect(d).toBeInstanceOf(core.Linear);
    same(d.weight, l.weight);
    same(d.bias!, l.bias!);
    expect(d.weight.dtype).toBe('float64');
    expect(Object.keys(d.namedParameters())).toEqual(['weight', 'bias']);
    const x = tensor([[1, 2, 3]], { dtype: 'float64' });
    same(d.forward(x), l.forward(x));
  });

  it('TokenEmbedding is core Embedding, with vocabSize and dim', () => {
    const t = new TokenEmbedding(5, 3, { rng: rng(2), std: 0.5 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/TokenEmbedding from @grokkit\/transformer is deprecated/);
    same(t.weight, new core.Embedding(5, 3, { rng: rng(2), std: 0.5 }).weight);
    expect([t.vocabSize, t.dim, t.numEmbeddings, t.embeddingDim]).toEqual([5, 3, 5, 3]);
  });

  it('LayerNorm and RMSNorm take (dim, { eps, affine, dtype }) and build core norms', () => {
    const ln = new LayerNorm(4, { affine: false, eps: 1e-3 });
    const rms = new RMSNorm(4, { dtype: 'float64' });
    expect(warn).toHaveBeenCalledTimes(2);
    expect(ln).toBeInstanceOf(core.LayerNorm);
    expect([ln.dim, ln.eps, ln.weight, ln.bias]).toEqual([4, 1e-3, null, null]);
    expect(rms).toBeInstanceOf(core.RMSNorm);
    expect([rms.dim, rms.eps, rms.weight!.dtype]).toEqual([4, 1e-6, 'float64']);
  });

  it('createNorm still reads affine, with a warning', () => {
    const n = createNorm('layer', 4, { affine: false });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/createNorm's option 'affine' is deprecated.*'elementwiseAffine'/);
    expect(n.weight).toBeNull();
    expect(createNorm('rms', 4, { elementwiseAffine: false }).weight).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('uniformParam, normalParam, constParam are core init; scaleParameters is core scaleParameters', () => {
    same(uniformParam([2, 2], 0.3, rng(3), 'float32'), core.init.uniform([2, 2], 0.3, rng(3)));
    same(normalParam([2, 2], 2, rng(4), 'float64'), core.init.normal([2, 2], 2, rng(4), 'float64'));
    same(constParam([3], 7, 'float32'), core.init.constant([3], 7));
    const m = new core.Linear(2, 2, { rng: rng(5) });
    const before = m.weight.dataSync();
    scaleParameters(m, 2);
    expect(Array.from(m.weight.dataSync())).toEqual(Array.from(before, (v) => v * 2));
    expect(warn).toHaveBeenCalledTimes(4);
  });
});
