/**
 * Elementwise fusion (src/fusion.ts) and the bind-group cache (src/engine.ts): the same programs
 * run with fusion on, with it off and on 'cpu-reference', and must agree; fusion must cut the
 * dispatches, and a repeated step must create no bind groups.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { registerBackend } from '@grokkit/core/backend';
import { webgpuBackendFor, type WebGPUBackend } from '../src/index.js';
import { backend, probe } from './setup.js';

const randn = (n: number, seed: number) => {
  const r = g.rng(seed);
  return Float32Array.from({ length: n }, () => r.normal());
};

describe.skipIf(!probe.ok)('elementwise fusion', () => {
  let unfused: WebGPUBackend;
  afterAll(() => backend?.destroy());
  afterEach(() => g.setBackend('cpu'));

  /**
   * Interleaved sizes, one-element inputs, an int and a bool chain, a value read by a kernel
   * outside the group (sum) and fed back, a tensor released while its group is pending and its
   * buffer handed to the next op: everything a pending group must be recorded before.
   */
  const program = (device: string): g.Tensor[] => {
    const a = g.Tensor.fromHost(randn(300, 1), [3, 100], 'float32', device);
    const b = g.Tensor.fromHost(randn(300, 2), [3, 100], 'float32', device);
    const c = g.Tensor.fromHost(randn(7, 3), [7], 'float32', device);
    const k = g.Tensor.fromHost(Int32Array.from({ length: 300 }, (_, i) => (i * 7) % 11), [3, 100], 'int32', device);
    const s = g.Tensor.fromHost(Float32Array.from([0.25]), [], 'float32', device);
    const x = g.axpby(0.9, a, 0.1, b); // group of 300
    const y = g.mul(c, 2); // group of 7 (a one-element scalar input)
    const z = g.add(g.mul(x, s), g.exp(g.neg(x))); // 300 again, reading x inside the group
    const t = g.sub(y, 1);
    const m = g.sum(z); // outside the group: z's group is recorded first
    const w = g.div(z, m); // one-element input written by a kernel outside the group
    const dead = g.mul(b, 3);
    dead.dispose(); // released while pending: the group is recorded before its buffer is reused
    const reuse = g.add(a, 1);
    const flag = g.gt(g.cast(k, 'float32'), 4); // int → float → bool in one group
    const kk = g.where(flag, k, g.mul(k, 2));
    // an input released while its group is pending is held from the pool: the matmul's output
    // (same size class) must not get its buffer and overwrite it before the group runs
    const tmp = g.Tensor.fromHost(randn(300, 6), [3, 100], 'float32', device);
    const e = g.exp(tmp);
    tmp.dispose();
    const prod = g.matmul(g.Tensor.fromHost(randn(6, 7), [3, 2], 'float32', device), g.Tensor.fromHost(randn(200, 8), [2, 100], 'float32', device));
    return [x, y, z, t, w, reuse, flag, kk, e, prod];
  };

  const run = async (device: string) => {
    const outs = g.tidy(() => program(device));
    const data = await Promise.all(outs.map((o) => o.data()));
    outs.forEach((o) => o.dispose());
    return data;
  };

  it('gives what cpu-reference gives, with fewer dispatches than unfused', async () => {
    unfused = webgpuBackendFor(backend!.device, { name: 'webgpu-unfused', fuseElementwise: false });
    registerBackend(unfused);
    const ref = await run('cpu-reference');
    const d0 = backend!.stats().dispatches;
    const fused = await run('webgpu');
    const fusedDispatches = backend!.stats().dispatches - d0;
    const u0 = unfused.stats().dispatches;
    const plain = await run('webgpu-unfused');
    const plainDispatches = unfused.stats().dispatches - u0;
    for (let i = 0; i < ref.length; i++) {
      expect(fused[i]!.constructor).toBe(ref[i]!.constructor);
      const [f, p, r] = [Array.from(fused[i]!), Array.from(plain[i]!), Array.from(ref[i]!)];
      // the same arithmetic per element fused or not (up to a driver contracting a·b + c into an FMA)
      f.forEach((v, j) => expect(Math.abs(v - p[j]!), `output ${i}[${j}] vs unfused`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(p[j]!))));
      f.forEach((v, j) => expect(Math.abs(v - r[j]!), `output ${i}[${j}] vs cpu-reference`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(r[j]!))));
    }
    expect(plainDispatches).toBeGreaterThanOrEqual(15);
    expect(fusedDispatches).toBeLessThanOrEqual(plainDispatches / 2);
  });

  it('an optimizer step matches the unfused one, in fewer dispatches', async () => {
    const setup = (device: string) => {
      g.setBackend(device);
      const r = g.rng(0);
      const model = new g.Sequential(new g.Linear(6, 24, { rng: r }), new g.Activation('gelu'), new g.Linear(24, 5, { rng: r }));
      const x = g.randn([16, 6], { rng: r });
      const y = g.randint(0, 5, [16], { rng: r });
      const opt = new g.Optimizer(model.namedParameters(), g.adam({ lr: 1e-2, weightDecay: 0.01 }));
      return async () => {
        const loss = g.tidy(() => {
          const l = g.crossEntropy(model.forward(x), y);
          l.backward();
          opt.update();
          opt.zeroGrad();
          return g.keep(l.detach());
        });
        const v = (await loss.data())[0]!;
        loss.dispose();
        return v;
      };
    };
    const fusedStep = setup('webgpu');
    const plainStep = setup('webgpu-unfused');
    for (let i = 0; i < 6; i++) {
      const [f, p] = [await fusedStep(), await plainStep()];
      expect(Math.abs(f - p)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(p)));
    }
    const [f0, p0] = [backend!.stats().dispatches, unfused.stats().dispatches];
    await fusedStep();
    await plainStep();
    const [f1, p1] = [backend!.stats().dispatches, unfused.stats().dispatches];
    expect(f1 - f0).toBeLessThan((p1 - p0) * 0.75);
  });

  it('fusedExpressions: several outputs over shared inputs, as cpu-reference gives them, in one dispatch', async () => {
    const { ex } = g;
    const [x, m, v] = [ex.input(0), ex.input(1), ex.input(2)];
    const m2 = ex.add(ex.mul(m, ex.param('b1')), ex.mul(x, 0.1));
    const v2 = ex.add(ex.mul(v, 0.98), ex.mul(ex.mul(x, x), ex.param('c')));
    const es = [ex.div(m2, ex.add(ex.sqrt(v2), 1e-8)), m2, v2];
    const data = [randn(500, 11), randn(500, 12), randn(500, 13).map(Math.abs)];
    const params = { b1: 0.9, c: 0.02 };
    const ref = g.fusedExpressions(es, data.map((d) => g.Tensor.fromHost(d, [500], 'float32', 'cpu-reference')), params).map((t) => t.dataSync());
    const ins = data.map((d) => g.Tensor.fromHost(d, [500], 'float32', 'webgpu'));
    const before = backend!.stats().dispatches;
    const outs = g.fusedExpressions(es, ins, params);
    const got = await Promise.all(outs.map((t) => t.data()));
    expect(backend!.stats().dispatches - before).toBe(1);
    got.forEach((f, i) => f.forEach((val, j) => expect(Math.abs(val - ref[i]![j]!), `output ${i}[${j}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref[i]![j]!)))));
    [...ins, ...outs].forEach((t) => t.dispose());
  });

  it('a chain whose intermediates are freed as it goes is one kernel; repeating it creates no bind group', async () => {
    const x = g.Tensor.fromHost(randn(64, 4), [64], 'float32', 'webgpu');
    const chain = async () => {
      let y = g.axpby(1, x, 0, x);
      for (let i = 0; i < 10; i++) {
        const next = g.axpby(0.5, y, 0.25, x);
        y.dispose();
        y = next;
      }
      const d = await y.data();
      y.dispose();
      return d;
    };
    const first = await chain();
    await chain(); // the pool repeats the allocations of the last two rounds (reads)
    const s0 = backend!.stats();
    const again = await chain();
    const s1 = backend!.stats();
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(s1.dispatches - s0.dispatches).toBe(1);
    expect(s1.bindGroups - s0.bindGroups).toBe(0);
    let ref = Float32Array.from(randn(64, 4));
    const xs = Float32Array.from(ref);
    for (let i = 0; i < 10; i++) ref = ref.map((v, j) => Math.fround(Math.fround(0.5 * v) + Math.fround(0.25 * xs[j]!)));
    Array.from(first).forEach((v, j) => expect(Math.abs(v - ref[j]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ref[j]!))));
    x.dispose();
  });

  it('drops the cached bind groups of destroyed buffers', async () => {
    const x = g.Tensor.fromHost(randn(64, 5), [64], 'float32', 'webgpu');
    const y = g.exp(g.mul(x, 3));
    await y.data();
    y.dispose();
    const cached = backend!.stats().bindGroupsCached;
    expect(cached).toBeGreaterThan(0);
    x.dispose();
    backend!.trim(); // destroys every pooled buffer
    expect(backend!.stats().bindGroupsCached).toBeLessThan(cached);
  });
});
