import { describe, expect, it } from 'vitest';
import { checks, tensor } from '../src/index.js';

describe('checks: return the value or throw one line naming the argument, what was expected and what was given', () => {
  it('numbers', () => {
    expect(checks.positiveInt('f', 'n', 3)).toBe(3);
    expect(() => checks.positiveInt('f', 'n', 0)).toThrow(/^f: expected n to be a positive integer, got 0$/);
    expect(() => checks.positiveInt('f', 'n', '3')).toThrow(/^f: expected n to be a positive integer, got "3"$/);
    expect(checks.int('f', 'k', -2)).toBe(-2);
    expect(() => checks.int('f', 'k', 2.5)).toThrow(/^f: expected k to be an integer, got 2.5$/);
    expect(() => checks.int('f', 'k', -1, 0)).toThrow(/^f: expected k to be an integer ≥ 0, got -1$/);
    expect(() => checks.int('f', 'k', 9, 1, 8)).toThrow(/^f: expected k to be an integer in 1\.\.8, got 9$/);
    expect(checks.number('f', 'x', 0.5, 0, 1)).toBe(0.5);
    expect(() => checks.number('f', 'x', NaN)).toThrow(/^f: expected x to be a finite number, got NaN$/);
    expect(() => checks.number('f', 'x', -1, 0)).toThrow(/^f: expected x to be a finite number ≥ 0, got -1$/);
    expect(() => checks.number('f', 'x', 2, -Infinity, 1)).toThrow(/^f: expected x to be a finite number ≤ 1, got 2$/);
    expect(() => checks.number('f', 'x', 2, 0, 1)).toThrow(/^f: expected x to be a finite number in \[0, 1\], got 2$/);
    expect(checks.openFraction('f', 'p', 0.3)).toBe(0.3);
    expect(() => checks.openFraction('f', 'p', 1)).toThrow(/^f: expected p in the open interval \(0, 1\), got 1$/);
  });

  it('choices, seeds and dtypes', () => {
    expect(checks.oneOf('f', 'mode', 'a', ['a', 'b'] as const)).toBe('a');
    expect(() => checks.oneOf('f', 'mode', 'c', ['a', 'b'])).toThrow(/^f: expected mode to be one of 'a', 'b', got "c"$/);
    expect(checks.seed('f', 7n)).toBe(7n);
    expect(() => checks.seed('f', 1.5)).toThrow(/^f: expected seed to be an integer, got 1.5$/);
    expect(checks.floatDType('f', 'float64')).toBe('float64');
    expect(() => checks.floatDType('f', 'bool')).toThrow(/^f: expected dtype 'float32' or 'float64', got "bool"$/);
    expect(checks.show([1, 'a', [true]])).toBe('[1, "a", [true]]');
  });

  it('tensor inputs: features and indices', () => {
    checks.features('f', tensor([[1, 2, 3]]), 3);
    checks.features('f', tensor([[1, 2, 3]]), [1, 3]);
    expect(() => checks.features('f', tensor([[1, 2]]), 3)).toThrow(/^f: expected input of shape \[\.\.\., 3\], got \[1, 2\]$/);
    expect(() => checks.features('f', tensor([3]), [2, 1])).toThrow(/^f: expected input of shape \[\.\.\., 2, 1\], got \[1\]$/);
    expect(() => checks.features('f', tensor([1], { dtype: 'int32' }), 1)).toThrow(/^f: expected a float input, got int32$/);
    checks.indices('f', 'labels', tensor([0, 3], { dtype: 'int32' }), 4);
    expect(() => checks.indices('f', 'labels', tensor([0, 4], { dtype: 'int32' }), 4)).toThrow(/^f: expected labels in \[0, 4\), got 4 at flat index 1$/);
    expect(() => checks.indices('f', 'labels', tensor([0.5]), 4)).toThrow(/^f: expected labels to be int32, got float32$/);
  });
});
