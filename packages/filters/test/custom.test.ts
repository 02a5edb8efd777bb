import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { perParamFilter } from '../src/index.js';
import { biasCorrectedEma } from './custom.js';
import { runSeq } from './helpers.js';

describe('perParamFilter: a custom filter in a few lines', () => {
  it('bias-corrected EMA follows the hand computation', () => {
    // α = ½, λ = 1, g = 2, 4: m = 1, 2.5; m̂ = 2, 2.5/0.75; ĝ = 4, 4 + 10/3
    const got = runSeq(biasCorrectedEma(0.5, 1), [[2], [4]]);
    expect(got[0]![0]).toBe(4);
    expect(got[1]![0]).toBeCloseTo(4 + 10 / 3, 14);
  });

  it('the state is {count, params: {name: ...}} and counts steps', () => {
    const t = biasCorrectedEma(0.5, 1);
    const p = g.zeros([2]);
    const s0 = t.init({ p });
    expect(s0.count).toBe(0);
    expect(Object.keys(s0.params)).toEqual(['p']);
    const r = t.update({ p: g.tensor([2, 2]) }, s0, { p });
    expect(r.state.count).toBe(1);
    expect(Array.from(r.state.params.p!.m.dataSync())).toEqual([1, 1]);
    expect(s0.count).toBe(0); // the input state is not mutated
  });

  it('a step that changes the state structure is caught on the first update', () => {
    const bad = perParamFilter<g.State>({
      name: 'bad',
      init: () => ({ m: null }),
      step: (grad) => ({ grad, state: { m: grad } }),
    });
    const p = g.zeros([2]);
    expect(() => bad.update({ p: g.zeros([2]) }, bad.init({ p }), { p })).toThrow(/bad: step\(\) must return a state shaped like init\(\)'s: p\/m expected null, got tensor \[2\] float32/);
  });

  it('a step that returns a gradient of the wrong shape or dtype is caught, naming the filter and the parameter', () => {
    const p = g.zeros([2, 3]);
    const q = g.zeros([4]);
    const make = (step: (grad: g.Tensor) => unknown) =>
      perParamFilter<null>({ name: 'myFilter', init: () => null, step: (grad) => ({ grad: step(grad) as g.Tensor, state: null }) });
    const run = (t: ReturnType<typeof make>) => t.update({ p: g.ones([2, 3]), q: g.ones([4]) }, t.init({ p, q }), { p, q });
    expect(() => run(make((grad) => grad.sum(0)))).toThrow(/myFilter: step\(\) returned a gradient \[3\] float32 on 'cpu' for parameter 'p', expected \[2, 3\] float32 on 'cpu' \(like the parameter\)/);
    expect(() => run(make((grad) => (grad.ndim === 1 ? grad.cast('float64') : grad)))).toThrow(/myFilter: step\(\) returned a gradient \[4\] float64 on 'cpu' for parameter 'q', expected \[4\] float32/);
    expect(() => run(make(() => undefined))).toThrow(/myFilter: step\(\) returned a gradient undefined for parameter 'p'/);
    expect(() => run(make((grad) => grad.mul(2)))).not.toThrow();
  });

  it('mismatched gradient trees are named', () => {
    const t = biasCorrectedEma(0.5, 1);
    const p = g.zeros([2]);
    const s = t.init({ p });
    expect(() => t.update({ p: g.zeros([3]) }, s, { p })).toThrow(/biasCorrectedEma: 'p' expected \[2\] float32, got \[3\] float32/);
    expect(() => t.update({ p: g.zeros([2]), q: g.zeros([1]) }, s, { p })).toThrow(/parameter names differ \(missing: none; unexpected: q\)/);
    const q = g.zeros([2]);
    expect(() => t.update({ q: g.zeros([2]) }, s, { q })).toThrow(/the gradients and the filter state name different parameters \(no state for: q; state but no gradient for: p\)/);
  });
});
