import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { joinFile, splitFile, withoutChecksum } from './safetensors-files.js';

function setup(seed: number) {
  const r = g.rng(seed);
  const model = new g.Sequential(new g.Linear(3, 4, { rng: r }), new g.Activation('relu'), new g.Linear(4, 2, { rng: r }));
  const opt = new g.Optimizer(model.namedParameters(), g.chain(g.clipByGlobalNorm(1), g.adamw({ lr: 1e-2 })));
  return { model, opt };
}

function trainSteps(s: ReturnType<typeof setup>, n: number): void {
  const data = g.rng(99);
  for (let i = 0; i < n; i++) {
    g.tidy(() => {
      g.crossEntropy(s.model.forward(g.randn([8, 3], { rng: data })), g.randint(0, 2, [8], { rng: data })).backward();
      s.opt.update();
      s.opt.zeroGrad();
    });
  }
}

async function saved(extra: Record<string, unknown> = { step: 3, optimizerStep: 3 }) {
  const a = setup(0);
  trainSteps(a, 3);
  return g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state, extra });
}

/** Edit a checkpoint's metadata (the checksum is dropped, so the edit itself is what the loader sees). */
function editMetadata(bytes: Uint8Array, edit: (m: Record<string, string>) => void): Uint8Array {
  const { header, data } = splitFile(withoutChecksum(bytes));
  edit(header.__metadata__);
  return joinFile(header, data);
}

function rejects(file: Uint8Array, why: RegExp): void {
  const before = g.liveTensors();
  let error: unknown;
  try {
    g.loadCheckpoint(file);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(/^checkpoint: /);
  expect((error as Error).message).toMatch(why);
  expect(g.liveTensors()).toBe(before);
}

const snapshot = (s: ReturnType<typeof setup>) => ({
  params: s.model.parameters().map((p) => Array.from(p.dataSync())),
  state: [...g.tensorsIn(s.opt.state)].map((t) => Array.from(t.dataSync())),
  step: s.opt.step,
});

describe('checkpoint loading validates everything and leaks nothing', () => {
  it('step counters in extra must be integers ≥ 0, on save and on load', async () => {
    for (const bad of [-4, 2.5, NaN, Infinity, '7', null]) {
      await expect(saved({ step: bad })).rejects.toThrow(/^checkpoint: extra.step must be an integer ≥ 0, got /);
      await expect(saved({ optimizerStep: bad })).rejects.toThrow(/^checkpoint: extra.optimizerStep must be an integer ≥ 0/);
    }
    const bytes = await saved();
    for (const [text, shown] of [['-4', '-4'], ['2.5', '2.5'], ['1e999', 'Infinity'], ['"3"', '"3"'], ['null', 'null']]) {
      rejects(editMetadata(bytes, (m) => (m.extra = `{"step":${text}}`)), new RegExp(`extra.step must be an integer ≥ 0, got ${shown}$`));
      rejects(editMetadata(bytes, (m) => (m.extra = `{"step":1,"optimizerStep":${text}}`)), /extra.optimizerStep must be an integer ≥ 0/);
    }
  });

  it('malformed metadata JSON is a "checkpoint: …" error, and nothing stays loaded', async () => {
    const bytes = await saved();
    rejects(editMetadata(bytes, (m) => (m.state = m.state!.slice(0, -3))), /^checkpoint: metadata 'state' is not valid JSON \(/);
    rejects(editMetadata(bytes, (m) => (m.extra = '{"step":')), /^checkpoint: metadata 'extra' is not valid JSON/);
    rejects(editMetadata(bytes, (m) => (m.extra = '[1]')), /metadata 'extra' must be a JSON object, got \[1\]/);
    rejects(editMetadata(bytes, (m) => (m.format = 'other')), /not a grokkit checkpoint \(format "other", expected "grokkit-checkpoint-1"\)/);
    rejects(editMetadata(bytes, (m) => (m.comment = 'hi')), /unexpected metadata 'comment'/);
  });

  it('the state skeleton must refer to each state tensor of the file exactly once', async () => {
    const bytes = await saved();
    const { header } = splitFile(bytes);
    const stateNames = Object.keys(header).filter((k) => k.startsWith('state/'));
    const edit = (f: (skeleton: string) => string) => editMetadata(bytes, (m) => (m.state = f(m.state!)));
    rejects(edit((s) => s.replace(`{"$t":"${stateNames[0]}"}`, '0')), new RegExp(`state tensor '${stateNames[0]}' is not part of the saved state`));
    rejects(edit((s) => s.replace(`"${stateNames[1]}"`, `"${stateNames[0]}"`)), new RegExp(`refers to tensor '${stateNames[0]}' a second time`));
    rejects(edit((s) => s.replace(`"${stateNames[0]}"`, '"params/layers.0.weight"')), /refers to tensor 'params\/layers.0.weight', which is not a state tensor of the file/);
    rejects(edit((s) => s.replace(`"${stateNames[0]}"`, '"state/nope"')), /refers to tensor 'state\/nope'/);
    rejects(edit((s) => s.replace(`{"$t":"${stateNames[0]}"}`, `{"$t":"${stateNames[0]}","x":1}`)), /is a malformed tensor reference/);
    rejects(edit((s) => s.replace('"count":', '"count":1e999,"c2":')), /is Infinity, expected a finite number/);
    rejects(edit(() => '['.repeat(2000) + ']'.repeat(2000)), /state nests deeper than 1000 levels/);
  });

  it('a tensor that is neither a parameter nor state is refused', async () => {
    const bytes = await saved();
    const { header, data } = splitFile(withoutChecksum(bytes));
    const name = Object.keys(header).find((k) => k.startsWith('params/'))!;
    header[`other/${name.slice(7)}`] = header[name];
    delete header[name];
    rejects(joinFile(header, data), /tensor 'other\/layers.0.weight' is neither a parameter \(params\/…\) nor state \(state\/…\)/);
  });

  it('layout errors are "checkpoint: …" errors too, and the checksum catches flipped bytes', async () => {
    const bytes = await saved();
    rejects(bytes.subarray(0, bytes.length - 1), /^checkpoint: safetensors: malformed file \(the tensors need/);
    const flipped = bytes.slice();
    flipped[flipped.length - 5]! ^= 1;
    rejects(flipped, /checksum mismatch/);
    // the same flip without a checksum loads (changed): only a checksum can catch it
    const plain = withoutChecksum(bytes);
    plain[plain.length - 5]! ^= 1;
    const loaded = g.loadCheckpoint(plain);
    for (const t of g.tensorsIn(loaded)) t.dispose();
  });

  it("parameters named '__proto__' and 'constructor' round-trip", async () => {
    // names typed as plain strings, so TypeScript does not read them as Object members
    const [PROTO, CTOR]: string[] = ['__proto__', 'constructor'];
    const params: g.Params = g.emptyParams();
    params[PROTO] = g.tensor([1, 2]).requiresGrad_();
    params[CTOR] = g.tensor([3]).requiresGrad_();
    const opt = new g.Optimizer(params, g.adam({ lr: 0.1 }));
    const grads = g.emptyParams();
    grads[PROTO] = g.ones([2]);
    grads[CTOR] = g.ones([1]);
    opt.update(grads);
    expect(params[PROTO]!.toArray()).not.toEqual([1, 2]);
    const bytes = await g.saveCheckpoint({ params, state: opt.state, extra: { optimizerStep: opt.step } });
    const loaded = g.loadCheckpoint(bytes);
    expect(Object.keys(loaded.params).sort()).toEqual(['__proto__', 'constructor']);
    expect(loaded.params[PROTO]!.toArray()).toEqual(params[PROTO]!.toArray());
    const fresh: g.Params = g.emptyParams();
    fresh[PROTO] = g.zeros([2]).requiresGrad_();
    fresh[CTOR] = g.zeros([1]).requiresGrad_();
    const opt2 = new g.Optimizer(fresh, g.adam({ lr: 0.1 }));
    g.restoreCheckpoint(loaded, { params: fresh, optimizer: opt2 });
    expect(fresh[PROTO]!.toArray()).toEqual(params[PROTO]!.toArray());
    expect(fresh[CTOR]!.toArray()).toEqual(params[CTOR]!.toArray());
    expect(opt2.step).toBe(1);
  });

  it("a missing parameter is noticed even when its name is an Object.prototype member ('constructor')", async () => {
    const params: g.Params = { w: g.tensor([1]) };
    const bytes = await g.saveCheckpoint({ params });
    const target: g.Params = { w: g.tensor([0]), constructor: g.tensor([0]) } as g.Params;
    expect(() => g.restoreCheckpoint(g.loadCheckpoint(bytes), { params: target })).toThrow(/parameter names differ \(missing: constructor; unexpected: none\)/);
  });
});

describe('restoring is all or nothing', () => {
  it('a failure in alsoRestore (e.g. the user state) changes no parameter and no optimizer state', async () => {
    const bytes = await saved();
    const b = setup(1);
    trainSteps(b, 1);
    const before = snapshot(b);
    const live = g.liveTensors();
    expect(() =>
      g.restoreCheckpoint(g.loadCheckpoint(bytes), {
        params: b.model.namedParameters(),
        optimizer: b.opt,
        alsoRestore: () => {
          throw new Error('user state: expected an object, got 3');
        },
      }),
    ).toThrow(/user state: expected an object, got 3/);
    expect(snapshot(b)).toEqual(before);
    expect(g.liveTensors()).toBe(live);
    // and a successful restore runs alsoRestore once, then assigns everything
    let calls = 0;
    g.restoreCheckpoint(g.loadCheckpoint(bytes), { params: b.model.namedParameters(), optimizer: b.opt, alsoRestore: () => void calls++ });
    expect(calls).toBe(1);
    expect(b.opt.step).toBe(3);
    expect(g.liveTensors()).toBe(live);
  });

  it('a state that does not fit the optimizer changes nothing (parameters included)', async () => {
    const bytes = await saved();
    const r = g.rng(1);
    const model = new g.Sequential(new g.Linear(3, 4, { rng: r }), new g.Activation('relu'), new g.Linear(4, 2, { rng: r }));
    const opt = new g.Optimizer(model.namedParameters(), g.sgd({ lr: 0.1, momentum: 0.9 }));
    const before = snapshot({ model, opt });
    const live = g.liveTensors();
    expect(() => g.restoreCheckpoint(g.loadCheckpoint(bytes), { params: model.namedParameters(), optimizer: opt })).toThrow(/^checkpoint: state/);
    expect(snapshot({ model, opt })).toEqual(before);
    expect(g.liveTensors()).toBe(live);
  });

  it('an invalid optimizerStep in a hand-made LoadedCheckpoint changes nothing', async () => {
    const b = setup(1);
    const loaded = g.loadCheckpoint(await saved());
    loaded.extra.optimizerStep = -1;
    const before = snapshot(b);
    expect(() => g.restoreCheckpoint(loaded, { params: b.model.namedParameters(), optimizer: b.opt })).toThrow(/checkpoint: extra.optimizerStep must be an integer ≥ 0, got -1/);
    expect(snapshot(b)).toEqual(before);
    expect([...g.tensorsIn(loaded)].every((t) => t.isDisposed)).toBe(true);
  });
});
