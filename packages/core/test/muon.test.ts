import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(tol);
};

describe('partition', () => {
  it('routes each parameter to its labelled transform and keeps one state per label', () => {
    const params = { w: g.ones([2, 3]), b: g.ones([3]) };
    const t = g.partition((_, p) => (p.ndim === 2 ? 'matrix' : 'vector'), { matrix: g.scale(2), vector: g.sgd({ lr: 0.5, momentum: 0.9 }) });
    const state = t.init(params);
    expect(Object.keys(state)).toEqual(['matrix', 'vector']);
    const r = t.update({ w: g.ones([2, 3]), b: g.full([3], 4) }, state, params);
    expect([...r.grads.w!.dataSync()]).toEqual(new Array(6).fill(2));
    expect([...r.grads.b!.dataSync()]).toEqual([-2, -2, -2]);
    expect(Object.keys((r.state.vector as [{ trace: g.Params }])[0].trace)).toEqual(['b']);
  });

  it('says which label was unknown', () => {
    const t = g.partition(() => 'other', { matrix: g.scale(1) });
    expect(() => t.init({ w: g.ones([2]) })).toThrow(/partition: 'w' was labelled 'other', expected one of matrix/);
  });
});

describe('muon', () => {
  it('first step: −lr·√max(1, rows/cols)·NS(g) on matrices, the other optimizer on the rest', () => {
    const params = { tall: g.randn([8, 2], { rng: g.rng(1) }), wide: g.randn([2, 8], { rng: g.rng(2) }), bias: g.zeros([8]) };
    const grads = { tall: g.randn([8, 2], { rng: g.rng(3) }), wide: g.randn([2, 8], { rng: g.rng(4) }), bias: g.ones([8]) };
    const t = g.muon({ lr: 0.1, other: g.sgd({ lr: 0.5 }) });
    const r = t.update(grads, t.init(params), params);
    // the buffer is (1−β)g and the Nesterov mix (1−β)(1+β)g: a positive multiple, which NS's normalisation removes
    close(r.grads.tall!.dataSync(), g.newtonSchulz(grads.tall).mul(-0.1 * 2).dataSync(), 1e-6);
    close(r.grads.wide!.dataSync(), g.newtonSchulz(grads.wide).mul(-0.1).dataSync(), 1e-6);
    expect([...r.grads.bias!.dataSync()]).toEqual(new Array(8).fill(-0.5));
  });

  it('momentum carries earlier gradients; decoupled weight decay; the default routes every matrix', () => {
    const w = g.tensor([[1, 0], [0, 1], [1, 1]]);
    const params = { w };
    const g1 = g.tensor([[1, 0], [0, 0], [0, 0]]);
    const g2 = g.tensor([[0, 0], [0, 1], [0, 0]]);
    const t = g.muon({ lr: 1, momentum: 0.5, nesterov: false, weightDecay: 0.1 });
    let s = t.init(params);
    s = t.update({ w: g1 }, s, params).state;
    const r = t.update({ w: g2 }, s, params);
    // m = 0.5·(0.5·g1) + 0.5·g2
    const m = g1.mul(0.25).add(g2.mul(0.5));
    const want = g.newtonSchulz(m).mul(Math.sqrt(3 / 2)).add(w.mul(0.1)).neg();
    close(r.grads.w!.dataSync(), want.dataSync(), 1e-6);
    expect(() => g.muon({ useMuon: () => true }).init({ b: g.zeros([3]) })).toThrow(/muon: 'b' expected a matrix, got shape \[3\]/);
    expect(() => g.scaleByMuon({ momentum: 1 })).toThrow(/0 ≤ momentum < 1, got 1/);
  });

  it('state round-trips through a checkpoint and training resumes bit-identically', async () => {
    const make = () => g.muon({ lr: 0.02, weightDecay: 0.01, other: g.adamw({ lr: 1e-3 }) });
    const setup = (seed: number) => {
      const r = g.rng(seed);
      const model = new g.Sequential(new g.Linear(3, 8, { rng: r }), new g.Activation('relu'), new g.Linear(8, 2, { rng: r }));
      return { model, opt: new g.Optimizer(model.namedParameters(), make()), data: g.rng(seed + 1) };
    };
    const step = (s: ReturnType<typeof setup>) =>
      g.tidy(() => {
        const loss = g.crossEntropy(s.model.forward(g.randn([16, 3], { rng: s.data })), g.randint(0, 2, [16], { rng: s.data }));
        loss.backward();
        s.opt.update();
        s.opt.zeroGrad();
        return loss.item();
      });
    const bits = (m: g.Module) => m.parameters().map((p) => Array.from(new Uint32Array(p.dataSync().buffer)));
    const a = setup(0);
    for (let i = 0; i < 4; i++) step(a);
    const bytes = await g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state, extra: { data: a.data.state() } });
    const rest = Array.from({ length: 5 }, () => step(a));
    const b = setup(9);
    const loaded = g.loadCheckpoint(bytes);
    g.restoreCheckpoint(loaded, { params: b.model.namedParameters(), optimizer: b.opt });
    b.data.setState(loaded.extra.data as g.RngState);
    expect(Array.from({ length: 5 }, () => step(b))).toEqual(rest);
    expect(bits(b.model)).toEqual(bits(a.model));
  });
});
