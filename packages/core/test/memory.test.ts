import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';

describe('memory', () => {
  it('tidy disposes intermediates and keeps the result', () => {
    const x = g.ones([3]);
    const before = g.liveTensors();
    const y = g.tidy(() => x.add(1).mul(2).exp());
    expect(g.liveTensors()).toBe(before + 1);
    expect(y.isDisposed).toBe(false);
    y.dispose();
    expect(g.liveTensors()).toBe(before);
  });

  it('tidy returns tensors nested in objects and disposes on error', () => {
    const before = g.liveTensors();
    const r = g.tidy(() => ({ a: g.ones([2]).add(1), list: [g.zeros([1])] }));
    expect(g.liveTensors()).toBe(before + 2);
    r.a.dispose();
    r.list[0]!.dispose();
    expect(() =>
      g.tidy(() => {
        g.ones([5]).mul(3);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(g.liveTensors()).toBe(before);
  });

  it('using disposes at the end of the block', () => {
    const before = g.liveTensors();
    {
      using t = g.ones([4]);
      expect(g.liveTensors()).toBe(before + 1);
      expect(g.tidy(() => t.sum().item())).toBe(4);
    }
    expect(g.liveTensors()).toBe(before);
  });

  it('views share storage: disposing one keeps the other readable', () => {
    const x = g.arange(6);
    const v = x.reshape(2, 3);
    x.dispose();
    expect(v.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it('100 training steps leave liveTensors() unchanged', () => {
    const r = g.rng(0);
    const model = new g.Sequential(new g.Linear(4, 16, { rng: r }), new g.Activation('gelu'), new g.Linear(16, 3, { rng: r }));
    const x = g.randn([32, 4], { rng: r });
    const y = g.randint(0, 3, [32], { rng: r });
    const opt = new g.Optimizer(model.namedParameters(), g.chain(g.clipByGlobalNorm(1), g.adamw({ lr: 1e-2 })));
    const step = () =>
      g.tidy(() => {
        const loss = g.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.update();
        opt.zeroGrad();
        return loss.item();
      });
    step();
    const before = g.liveTensors();
    for (let i = 0; i < 100; i++) step();
    expect(g.liveTensors()).toBe(before);
  });
});

describe('cpu buffer reuse', () => {
  it('a disposed tensor’s buffer comes back zero-filled to the next op of its size', () => {
    const a = g.full([1000], 5).mul(1); // 1000 float32 values, not shared
    a.dispose();
    const padded = g.tidy(() => g.ones([10, 99]).pad([0, 1])); // 1000 values; pad relies on zeros
    expect(padded.slice(1, 99).sum().item()).toBe(0);
    expect(padded.sum().item()).toBe(990);
  });

  it('a buffer still shared by a view is not reused', () => {
    const x = g.full([4, 250], 7).mul(1);
    const v = x.reshape(1000);
    x.dispose();
    g.tidy(() => g.zeros([1000]).add(1));
    expect(v.sum().item()).toBe(7000);
  });
});
