import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';

describe('safetensors', () => {
  it('round-trips every dtype with a spec-compliant header', async () => {
    const tensors = {
      w: g.tensor([[1.5, -2], [3, 4]]),
      d: g.tensor([1e-300, 2], { dtype: 'float64' }),
      i: g.tensor([-7, 8, 9], { dtype: 'int32' }),
      b: g.tensor([true, false]),
      e: g.zeros([0, 2]),
    };
    const bytes = await g.saveSafetensors(tensors, { note: 'hi' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.__metadata__).toEqual({ note: 'hi' });
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] });
    expect(header.d.dtype).toBe('F64');
    expect(header.b).toEqual({ dtype: 'BOOL', shape: [2], data_offsets: [44, 46] });
    expect(bytes.length).toBe(8 + n + 46);
    const back = g.loadSafetensors(bytes);
    for (const [k, t] of Object.entries(tensors)) {
      expect(back.tensors[k]!.dtype).toBe(t.dtype);
      expect(back.tensors[k]!.toArray()).toEqual(t.toArray());
    }
    expect(back.metadata).toEqual({ note: 'hi' });
  });

  it('rejects malformed files with a reason', async () => {
    const good = await g.saveSafetensors({ x: g.ones([2]) });
    expect(() => g.loadSafetensors(good.subarray(0, 4))).toThrow(/malformed file \(4 bytes/);
    const bad = good.slice();
    new DataView(bad.buffer).setBigUint64(0, 1000n, true);
    expect(() => g.loadSafetensors(bad)).toThrow(/header length 1000 exceeds/);
    expect(() => g.loadSafetensors(good.subarray(0, good.length - 1))).toThrow(/the tensors need 8 data bytes, only 7 follow the header/);
    const junk = good.slice();
    junk[8] = 0x7b + 1; // corrupt the JSON
    expect(() => g.loadSafetensors(junk)).toThrow(/not valid UTF-8 JSON/);
  });
});

describe('checkpoints', () => {
  function setup(seed: number) {
    const r = g.rng(seed);
    const model = new g.Sequential(new g.Linear(3, 8, { rng: r }), new g.Activation('relu'), new g.Linear(8, 2, { rng: r }));
    const opt = new g.Optimizer(model.namedParameters(), g.chain(g.clipByGlobalNorm(1), g.adamw({ lr: 1e-2, weightDecay: 0.1 })));
    return { model, opt, data: g.rng(seed + 1) };
  }
  function step(s: ReturnType<typeof setup>): number {
    return g.tidy(() => {
      const x = g.randn([16, 3], { rng: s.data });
      const y = g.randint(0, 2, [16], { rng: s.data });
      const loss = g.crossEntropy(s.model.forward(x), y);
      loss.backward();
      s.opt.update();
      s.opt.zeroGrad();
      return loss.item();
    });
  }

  it('a resumed run continues bit-identically', async () => {
    const a = setup(0);
    for (let i = 0; i < 5; i++) step(a);
    const bytes = await g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state, extra: { optimizerStep: a.opt.step, data: a.data.state() } });
    const rest = Array.from({ length: 5 }, () => step(a));

    const b = setup(123); // different init: everything must come from the checkpoint
    const loaded = g.loadCheckpoint(bytes);
    g.restoreCheckpoint(loaded, { params: b.model.namedParameters(), optimizer: b.opt });
    b.data.setState(loaded.extra.data as g.RngState);
    expect(b.opt.step).toBe(5);
    const resumed = Array.from({ length: 5 }, () => step(b));
    expect(resumed).toEqual(rest);
    const pa = a.model.parameters().map((p) => Array.from(p.dataSync()));
    const pb = b.model.parameters().map((p) => Array.from(p.dataSync()));
    expect(pb).toEqual(pa);
  });

  it('a mismatched checkpoint changes nothing', async () => {
    const a = setup(0);
    const bytes = await g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state });
    const r = g.rng(1);
    const other = new g.Sequential(new g.Linear(3, 8, { rng: r }), new g.Activation('relu'), new g.Linear(8, 3, { rng: r }));
    const opt = new g.Optimizer(other.namedParameters(), g.adamw({ lr: 1 }));
    const before = other.parameters().map((p) => Array.from(p.dataSync()));
    expect(() => g.restoreCheckpoint(g.loadCheckpoint(bytes), { params: other.namedParameters(), optimizer: opt })).toThrow(
      /'layers.2.weight' expected \[3, 8\] float32, got \[2, 8\] float32/,
    );
    expect(other.parameters().map((p) => Array.from(p.dataSync()))).toEqual(before);
  });

  it('restores the optimizer step from extra.optimizerStep, and 0 when the checkpoint has none', async () => {
    const a = setup(0);
    for (let i = 0; i < 3; i++) step(a);
    const withStep = await g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state, extra: { optimizerStep: a.opt.step } });
    const without = await g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state });
    const b = setup(1);
    for (let i = 0; i < 7; i++) step(b);
    g.restoreCheckpoint(g.loadCheckpoint(withStep), { params: b.model.namedParameters(), optimizer: b.opt });
    expect(b.opt.step).toBe(3);
    g.restoreCheckpoint(g.loadCheckpoint(without), { params: b.model.namedParameters(), optimizer: b.opt });
    expect(b.opt.step).toBe(0);
    // the transforms' own counters are part of the state either way: Adam's bias correction resumes at 3
    const adamCount = (s: g.State) => ((s as g.State[])[1] as g.State[])[0] as { count: number };
    expect(adamCount(b.opt.state).count).toBe(3);
  });

  it('an optimizerStep that is not a count is refused before anything changes', async () => {
    const a = setup(0);
    step(a);
    const b = setup(1);
    const before = b.model.parameters().map((p) => Array.from(p.dataSync()));
    const good = await g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state, extra: { optimizerStep: 1 } });
    for (const bad of ['3', -1, 2.5]) {
      const message = `checkpoint: extra.optimizerStep must be an integer ≥ 0, got ${typeof bad === 'number' ? bad : JSON.stringify(bad)}`;
      // refused when saving ...
      await expect(g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state, extra: { optimizerStep: bad } })).rejects.toThrow(message);
      // ... and when restoring a checkpoint whose extra was changed after loading
      const loaded = g.loadCheckpoint(good);
      loaded.extra.optimizerStep = bad;
      expect(() => g.restoreCheckpoint(loaded, { params: b.model.namedParameters(), optimizer: b.opt })).toThrow(message);
    }
    expect(b.opt.step).toBe(0);
    expect(b.model.parameters().map((p) => Array.from(p.dataSync()))).toEqual(before);
  });

  it('restoring releases what it loaded', async () => {
    const a = setup(0);
    const bytes = await g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state });
    const b = setup(1);
    const before = g.liveTensors();
    g.restoreCheckpoint(g.loadCheckpoint(bytes), { params: b.model.namedParameters(), optimizer: b.opt });
    expect(g.liveTensors()).toBe(before);
  });
});
