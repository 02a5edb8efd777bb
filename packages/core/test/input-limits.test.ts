import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';

const { tensor } = g;
const int = (v: number[]) => tensor(v, { dtype: 'int32' });

describe('values outside what an op or dtype can take are refused, not wrapped or dropped', () => {
  it('oneHot refuses class indices outside [0, numClasses), as PyTorch does', () => {
    expect(() => g.oneHot(int([5]), 3)).toThrow(/oneHot: class index 5 at index 0 is outside \[0, 3\)/);
    expect(() => g.oneHot(int([0, -1]), 3)).toThrow(/class index -1 at index 1 is outside \[0, 3\)/);
    expect(() => g.oneHot(int([0]), 2.5)).toThrow(/oneHot: expected numClasses to be a non-negative integer, got 2.5/);
    expect(g.oneHot(int([2, 0]), 3).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
  });

  it('argmax treats NaN as the maximum, as PyTorch: the index of the first NaN', () => {
    expect(g.argmax(tensor([1, NaN, 2])).item()).toBe(1);
    expect(g.argmax(tensor([NaN, 5, NaN])).item()).toBe(0);
    expect(g.argmin(tensor([1, NaN, -2])).item()).toBe(1);
    const rows = tensor([[1, 3, 2], [NaN, 7, 8], [4, 0, NaN]]);
    expect(g.argmax(rows, 1).toArray()).toEqual([1, 0, 2]);
    expect(g.argmax(rows, 0).toArray()).toEqual([1, 1, 2]);
    expect(g.argmax(tensor([1, 2, 2])).item()).toBe(1);
    expect(g.argmax(int([3, 9, 9])).item()).toBe(1);
  });

  it('int32 tensors refuse values int32 cannot hold (PyTorch: "cannot be converted to type int32 without overflow")', () => {
    expect(() => tensor([3e9], { dtype: 'int32' })).toThrow(/tensor: value 3000000000 cannot be int32 \(expected an integer in \[-2147483648, 2147483647\]/);
    expect(() => tensor([1, -2147483649], { dtype: 'int32' })).toThrow(/value -2147483649 at index 1 cannot be int32/);
    expect(() => tensor([1.5], { dtype: 'int32' })).toThrow(/value 1.5 cannot be int32/);
    expect(() => tensor([NaN], { dtype: 'int32' })).toThrow(/value NaN cannot be int32/);
    expect(() => tensor(new Float32Array([0.5, 1]), { dtype: 'int32' })).toThrow(/value 0.5 at index 0 cannot be int32/);
    expect(() => g.full([2], 2 ** 31, { dtype: 'int32' })).toThrow(/full: value 2147483648 cannot be int32/);
    expect(() => g.arange(2 ** 31 - 2, 2 ** 31 + 2)).toThrow(/arange: value 2147483649 \(the last value, at index 3\) cannot be int32/);
    expect(tensor([-2147483648, 2147483647], { dtype: 'int32' }).toArray()).toEqual([-2147483648, 2147483647]);
    // an explicit cast truncates, as PyTorch's .to(torch.int32)
    expect(tensor([1.7, -1.7]).int().toArray()).toEqual([1, -1]);
    // bool takes truthiness, with NaN true as in PyTorch
    expect(tensor([0, NaN, 2], { dtype: 'bool' }).toArray()).toEqual([false, true, true]);
  });

  it('an unknown dtype gets one line listing the dtypes', () => {
    const list = /unknown dtype "float16" \(expected one of bool, int32, float32, float64\)/;
    expect(() => g.zeros([2], { dtype: 'float16' as g.DType })).toThrow(new RegExp(`zeros: ${list.source}`));
    expect(() => tensor([1], { dtype: 'float16' as g.DType })).toThrow(new RegExp(`tensor: ${list.source}`));
    expect(() => g.ones([2]).cast('float16' as g.DType)).toThrow(new RegExp(`cast: ${list.source}`));
    expect(() => g.arange(3, undefined, 1, { dtype: 'int8' as g.DType })).toThrow(/arange: unknown dtype "int8"/);
    expect(() => g.randn([2], { dtype: 'half' as g.DType })).toThrow(/randn: unknown dtype "half"/);
  });

  it('tensors over MAX_ELEMENTS are refused before allocating, naming the op, the shape and the limit', () => {
    const limit = `over the limit of ${g.MAX_ELEMENTS} \\(2\\^31 - 1\\) per tensor`;
    expect(g.MAX_ELEMENTS).toBe(2 ** 31 - 1);
    expect(() => g.zeros([1e6, 1e6])).toThrow(new RegExp(`zeros: shape \\[1000000, 1000000\\] has 1000000000000 elements, ${limit}`));
    expect(() => g.ones([65536, 65536])).toThrow(/ones: shape \[65536, 65536\] has 4294967296 elements/);
    expect(() => g.randn([1e5, 1e5])).toThrow(/randn: shape \[100000, 100000\]/);
    expect(() => g.eye(1e5)).toThrow(/eye: shape \[100000, 100000\]/);
    expect(() => g.arange(0, 3e9, 1)).toThrow(new RegExp(`arange: shape \\[3000000000\\] has 3000000000 elements, ${limit}`));
    const col = g.zeros([100000, 1]);
    const row = g.zeros([1, 100000]);
    expect(() => g.matmul(col, row)).toThrow(/matmul: shape \[1, 100000, 100000\] has 10000000000 elements/);
    expect(() => g.add(col, row)).toThrow(/add: shape \[100000, 100000\] has 10000000000 elements/);
    expect(() => g.linear(col, g.zeros([100000, 1]))).toThrow(/linear: shape \[100000, 100000\]/);
    expect(() => col.expand(100000, 100000)).toThrow(/expand: shape \[100000, 100000\]/);
    col.dispose();
    row.dispose();
  });

  it('arange refuses non-finite bounds and steps', () => {
    expect(() => g.arange(0, Infinity)).toThrow(/arange: expected finite start, end and step, got 0, Infinity, 1/);
    expect(() => g.arange(NaN)).toThrow(/arange: expected finite start, end and step, got 0, NaN, 1/);
    expect(() => g.arange(0, 1, NaN)).toThrow(/got 0, 1, NaN/);
    expect(g.arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
  });
});
