import { describe, expect, it } from 'vitest';
import { tensor } from '@grokkit/core';
import { perSubclassAccuracy } from '../src/index.js';

describe('perSubclassAccuracy', () => {
  const labels = [0, 0, 0, 1, 1, 1];
  const subclasses = [0, 0, 1, 2, 2, 3];
  it('from class ids', () => {
    const r = perSubclassAccuracy([0, 1, 0, 1, 1, 0], labels, subclasses, 5);
    expect(r.overall).toBeCloseTo(4 / 6);
    expect(r.perSubclass.slice(0, 4)).toEqual([0.5, 1, 1, 0]);
    expect(r.perSubclass[4]).toBeNaN();
    expect(r.counts).toEqual([2, 1, 2, 1, 0]);
    expect(r.perClass).toEqual([2 / 3, 2 / 3]);
  });
  it('from logits and int32 tensors', () => {
    const logits = tensor([[2, 1], [0, 3], [5, -1], [0, 1], [-2, 2], [1, 0]]);
    const r = perSubclassAccuracy(logits, tensor(Int32Array.from(labels)), tensor(Int32Array.from(subclasses)));
    expect(r.perSubclass).toEqual([0.5, 1, 1, 0]);
  });
  it('rejects mismatched lengths', () => {
    expect(() => perSubclassAccuracy([0, 1], [0], [0])).toThrow(/labels has 1 entries but pred has 2/);
    expect(() => perSubclassAccuracy([0], [0], [3], 2)).toThrow(/outside 0\.\.1/);
  });
});
