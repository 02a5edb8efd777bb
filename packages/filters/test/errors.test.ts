import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { frequencyResponse, grokfastEma, grokfastMa } from '../src/index.js';

describe('configuration errors say what was expected and what was given', () => {
  it('alpha outside [0, 1)', () => {
    expect(() => grokfastEma({ alpha: 1 })).toThrow(/grokfastEma: expected 0 ≤ alpha < 1, got 1/);
    expect(() => grokfastEma({ alpha: -0.1 })).toThrow(/got -0\.1/);
    expect(() => grokfastEma({ alpha: NaN })).toThrow(/got NaN/);
    expect(() => grokfastEma({ alpha: 0 })).not.toThrow();
    expect(() => frequencyResponse({ kind: 'ema', alpha: 1.5, lamb: 1 })).toThrow(/frequencyResponse: expected 0 ≤ alpha < 1, got 1\.5/);
  });

  it('window < 1 or not an integer', () => {
    expect(() => grokfastMa({ windowSize: 0 })).toThrow(/grokfastMa: expected windowSize to be a positive integer, got 0/);
    expect(() => grokfastMa({ windowSize: 2.5 })).toThrow(/got 2\.5/);
    expect(() => grokfastMa({ filterType: 'median' as 'mean' })).toThrow(/expected filterType 'mean' or 'sum', got "median"/);
  });

  it('lamb not finite', () => {
    expect(() => grokfastEma({ lamb: Infinity })).toThrow(/grokfastEma: expected lamb to be a finite number, got Infinity/);
    expect(() => grokfastMa({ lamb: NaN })).toThrow(/grokfastMa: expected lamb to be a finite number, got NaN/);
  });

  it('mismatched parameter trees on update', () => {
    const p = g.zeros([2, 2]);
    const t = grokfastEma();
    const s = t.init({ p });
    expect(() => t.update({ p: g.zeros([4]) }, s, { p })).toThrow(/grokfastEma: 'p' expected \[2, 2\] float32, got \[4\] float32/);
    expect(() => t.update({ p: g.zeros([2, 2], { dtype: 'float64' }) }, s, { p })).toThrow(/'p' expected \[2, 2\] float32, got \[2, 2\] float64/);
    expect(() => t.update({}, s, { p })).toThrow(/parameter names differ \(missing: p; unexpected: none\)/);
  });
});
