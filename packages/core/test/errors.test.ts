import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';

const { tensor } = g;

describe('bad input gets a clear error', () => {
  it('broadcast mismatch names both shapes', () => {
    expect(() => g.ones([2, 3]).add(g.ones([4]))).toThrow(/\[2, 3\] and \[4\]/);
  });
  it('matmul misalignment names both shapes', () => {
    expect(() => g.ones([2, 3]).matmul(g.ones([4, 5]))).toThrow(/\[2, 3\] and \[4, 5\]/);
  });
  it('reshape to a wrong size', () => {
    expect(() => g.ones([2, 3]).reshape(4, 2)).toThrow(/cannot reshape \[2, 3\] \(6 elements\) into \[4, 2\]/);
  });
  it('dims out of range', () => {
    expect(() => g.ones([2, 3]).sum(2)).toThrow(/dim 2 is out of range/);
    expect(() => g.ones([2]).softmax(-2)).toThrow(/out of range/);
  });
  it('out-of-range indices', () => {
    expect(() => g.ones([2, 3]).indexSelect(0, tensor([5], { dtype: 'int32' }))).toThrow(/index 5 is out of range for a dim of size 2/);
    expect(() => g.crossEntropy(g.ones([2, 3]), tensor([0, 3], { dtype: 'int32' }))).toThrow(/target 3 at index 1 is outside \[0, 3\)/);
  });
  it('wrong index dtype', () => {
    expect(() => g.ones([2, 3]).gather(0, g.zeros([1, 3]))).toThrow(/expected an int32 index, got float32/);
    expect(() => g.crossEntropy(g.ones([2, 3]), g.zeros([2]))).toThrow(/int32/);
  });
  it('crossEntropy target shape', () => {
    expect(() => g.crossEntropy(g.ones([2, 3]), tensor([0, 1, 2], { dtype: 'int32' }))).toThrow(/need targets of shape \[2\], got \[3\]/);
  });
  it('backward on a non-scalar without a seed', () => {
    const x = g.ones([3], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/one-element tensor, got shape \[3\]/);
    x.mul(2).backward(g.ones([3]));
    expect(x.grad!.toArray()).toEqual([2, 2, 2]);
    expect(() => x.mul(2).backward(g.ones([2]))).toThrow(/seed gradient shape \[2\] does not match the tensor's \[3\]/);
  });
  it('backward on something that does not require grad', () => {
    expect(() => g.ones([1]).sum().backward()).toThrow(/does not require grad/);
  });
  it('use after dispose', () => {
    const x = g.ones([2]);
    x.dispose();
    expect(() => x.add(1)).toThrow(/used after dispose/);
  });
  it('ragged nested arrays', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
  });
  it('checkFinite names the op that produced NaN', () => {
    g.setCheckFinite(true);
    try {
      const x = tensor([-1]);
      const before = g.liveTensors();
      expect(() => x.log()).toThrow(/checkFinite: log\(\[1\] float32\) produced NaN/);
      expect(g.liveTensors()).toBe(before);
    } finally {
      g.setCheckFinite(false);
    }
  });
  it('checkFinite names the op that first computes with a NaN input, not the reshape before it', () => {
    const x = tensor([[1, NaN], [3, 4]]);
    const w = tensor([[1, 0], [0, 1]]);
    g.setCheckFinite(true);
    try {
      expect(() => x.matmul(w)).toThrow(/checkFinite: matmul\(.*\) got NaN in input 0 .* produced NaN/);
      expect(() => x.reshape([4]).add(1)).toThrow(/checkFinite: add\(/);
    } finally {
      g.setCheckFinite(false);
    }
  });
  it('requiresGrad only for floats', () => {
    expect(() => tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(/only float tensors/);
  });
  it('unknown backend', () => {
    expect(() => g.setBackend('nope')).toThrow(/backend 'nope' is not registered \(registered: cpu/);
  });
});

describe('backward after an input was disposed', () => {
  it('names the operation and the tensor', () => {
    const w = g.ones([4, 3], { requiresGrad: true });
    const x = g.ones([4, 3]);
    const y = x.mul(w).sum();
    x.dispose();
    expect(() => y.backward()).toThrow(/an input of 'mul' \(tensor #\d+ \[4, 3\] float32\) was disposed before backward/);
  });
});
