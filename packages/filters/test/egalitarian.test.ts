import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { egalitarianGrad } from '../src/index.js';

const maxAbs = (t: g.Tensor) => Math.max(...Array.from(t.abs().dataSync()));

describe('egalitarianGrad (EGD)', () => {
  it('replaces each matrix gradient G by its polar factor UVᵀ: QᵀQ = I and QᵀG symmetric positive definite', () => {
    const params = { w: g.zeros([20, 6], { dtype: 'float64' }), b: g.zeros([6], { dtype: 'float64' }) };
    const grads = { w: g.randn([20, 6], { dtype: 'float64', rng: g.rng(5) }), b: g.randn([6], { dtype: 'float64', rng: g.rng(6) }) };
    const t = egalitarianGrad();
    const r = t.update(grads, t.init(params), params);
    const q = r.grads.w!;
    // these two properties determine the polar factor of a full-rank matrix uniquely
    expect(maxAbs(g.matmul(q.transpose(), q).sub(g.eye(6, 6, { dtype: 'float64' })))).toBeLessThan(1e-12);
    const h = g.matmul(q.transpose(), grads.w);
    expect(maxAbs(h.sub(h.transpose()))).toBeLessThan(1e-12);
    expect(Math.min(...g.symmetricEigen(h.dataSync(), 6).values)).toBeGreaterThan(0);
    // every singular value is now 1, so ‖Q‖²_F = rank
    expect(q.square().sum().item()).toBeCloseTo(6, 10);
    // vectors pass through
    expect([...r.grads.b!.dataSync()]).toEqual([...grads.b.dataSync()]);
    expect(r.state).toBeNull();
  });

  it('include picks the matrices (the reference code: the MLP weights only)', () => {
    const params = { 'mlp.fc1.weight': g.zeros([8, 4]), 'attn.q.weight': g.zeros([4, 4]) };
    const grads = { 'mlp.fc1.weight': g.randn([8, 4], { rng: g.rng(1) }), 'attn.q.weight': g.randn([4, 4], { rng: g.rng(2) }) };
    const t = egalitarianGrad({ include: (name) => name.includes('.mlp.') || name.startsWith('mlp.') });
    const r = t.update(grads, t.init(params), params);
    expect([...r.grads['attn.q.weight']!.dataSync()]).toEqual([...grads['attn.q.weight'].dataSync()]);
    expect([...r.grads['mlp.fc1.weight']!.dataSync()]).toEqual([...g.polarFactor(grads['mlp.fc1.weight']).dataSync()]);
    expect(r.grads['mlp.fc1.weight']!.square().sum().item()).toBeCloseTo(4, 5);
  });

  it('errors name the parameter and what was expected', () => {
    expect(() => egalitarianGrad({ include: () => true }).init({ b: g.zeros([3]) })).toThrow(/egalitarianGrad: 'b' expected a matrix, got shape \[3\]/);
    const t = egalitarianGrad();
    expect(() => t.update({ w: g.zeros([2, 3]) }, null, { w: g.zeros([3, 2]) })).toThrow(/egalitarianGrad: 'w' expected \[3, 2\] float32, got \[2, 3\] float32/);
  });
});
