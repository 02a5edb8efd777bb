/**
 * A seeded fuzz test of the checkpoint loader: every mutation of a valid checkpoint is either
 * rejected with a "checkpoint: …" error and no live-tensor growth, or loads bit-identical tensors,
 * state and extra. A changed load is allowed only without a checksum (flipped data bytes, and header
 * edits that happen to describe another valid file); with the checksum there is none.
 */
import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { joinFile, splitFile, withoutChecksum } from './safetensors-files.js';

const MUTATIONS = 600; // per variant (with and without a checksum)
const SEED = 2024;

async function fixture(): Promise<Uint8Array> {
  const r = g.rng(7);
  const model = new g.Sequential(new g.Linear(4, 6, { rng: r }), new g.Activation('relu'), new g.Linear(6, 3, { rng: r }));
  const opt = new g.Optimizer(model.namedParameters(), g.chain(g.clipByGlobalNorm(1), g.adamw({ lr: 1e-2 })));
  g.tidy(() => {
    g.crossEntropy(model.forward(g.randn([5, 4], { rng: r })), g.randint(0, 3, [5], { rng: r })).backward();
    opt.update();
    opt.zeroGrad();
  });
  // every dtype appears: float32 parameters and moments, and int32, bool and float64 tensors in the state
  const state = { opt: opt.state, counts: g.tensor([3, -1, 7], { dtype: 'int32' }), mask: g.tensor([true, false, true]), f64: g.tensor([1e-300, -2], { dtype: 'float64' }) };
  return g.saveCheckpoint({ params: model.namedParameters(), state, extra: { step: 1, optimizerStep: opt.step, label: 'fuzz', lr: 0.01 } });
}

/** A canonical text of everything a load returns: tensors by dtype, shape and exact bytes, and the JSON around them. */
function canonical(loaded: g.LoadedCheckpoint): string {
  const t = (x: g.Tensor) => {
    const d = x.dataSync();
    return `T(${x.dtype} ${x.shape.join('x')} ${Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex')})`;
  };
  const walk = (x: unknown): unknown => {
    if (x instanceof g.Tensor) return t(x);
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, walk(v)]));
    return x;
  };
  return JSON.stringify(walk(loaded));
}

type Kind =
  | 'flip data byte' | 'change header byte' | 'insert bytes' | 'delete bytes' | 'truncate'
  | 'edit offsets' | 'edit shape' | 'edit dtype' | 'edit header length' | 'edit metadata' | 'edit entries';
const KINDS: Kind[] = ['flip data byte', 'change header byte', 'insert bytes', 'delete bytes', 'truncate', 'edit offsets', 'edit shape', 'edit dtype', 'edit header length', 'edit metadata', 'edit entries'];

function mutate(file: Uint8Array, kind: Kind, r: g.Generator): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[r.int(0, xs.length)]!;
  const { header, data } = splitFile(file);
  const dataStart = file.length - data.length;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const out = file.slice();
  switch (kind) {
    case 'flip data byte': {
      out[dataStart + r.int(0, data.length)]! ^= 1 << r.int(0, 8);
      return out;
    }
    case 'change header byte': {
      out[r.int(0, dataStart)]! ^= r.int(1, 256); // the length field or the JSON
      return out;
    }
    case 'insert bytes': {
      const at = r.int(0, file.length + 1);
      const extra = Uint8Array.from({ length: r.int(1, 9) }, () => r.int(0, 256));
      return Uint8Array.from([...file.subarray(0, at), ...extra, ...file.subarray(at)]);
    }
    case 'delete bytes': {
      const at = r.int(0, file.length);
      return Uint8Array.from([...file.subarray(0, at), ...file.subarray(Math.min(file.length, at + r.int(1, 9)))]);
    }
    case 'truncate':
      return file.slice(0, r.int(0, file.length));
    case 'edit offsets': {
      const e = header[pick(names)];
      const which = r.int(0, 3);
      const delta = pick([-16, -8, -4, -1, 1, 4, 8, 16]);
      if (which !== 1) e.data_offsets[0] += delta;
      if (which !== 0) e.data_offsets[1] += delta;
      return joinFile(header, data);
    }
    case 'edit shape': {
      const e = header[pick(names)];
      const n = e.shape.reduce((a: number, b: number) => a * b, 1);
      const choice = r.int(0, 7);
      if (choice === 0) e.shape = [...e.shape].reverse(); // same element count
      else if (choice === 1) e.shape = [n]; // same element count
      else if (choice === 2) e.shape = [...e.shape, 1]; // same element count
      else if (choice === 3 && e.shape.length) e.shape[r.int(0, e.shape.length)] += pick([-1, 1, 2]);
      else if (choice === 4 && e.shape.length) e.shape[r.int(0, e.shape.length)] = pick([-1, 0.5, 1e12, '3', null]);
      else if (choice === 5) e.shape = [n * 2];
      else e.shape = pick([[], 'x', {}]);
      return joinFile(header, data);
    }
    case 'edit dtype': {
      header[pick(names)].dtype = pick(['F32', 'F64', 'I32', 'BOOL', 'F16', 'BF16', 'I64', 'U8', 'f32', '', 7, null]);
      return joinFile(header, data);
    }
    case 'edit header length': {
      const n = Number(new DataView(file.buffer).getBigUint64(0, true));
      new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, n + pick([-9, -8, -1, 1, 7, 8, 64]))), true);
      if (r.int(0, 4) === 0) new DataView(out.buffer).setBigUint64(0, 2n ** 63n + 5n, true);
      return out;
    }
    case 'edit metadata': {
      const m = header.__metadata__;
      const choice = r.int(0, 8);
      if (choice === 0) m.extra = m.extra.replace(/"step":\d+/, `"step":${pick(['-4', '2.5', '1e999', '"3"', 'null'])}`);
      else if (choice === 1) m.extra = m.extra.replace(/"optimizerStep":\d+/, `"optimizerStep":${pick(['-1', '0.5', '1e400'])}`);
      else if (choice === 2) m.state = m.state.slice(0, r.int(0, m.state.length));
      else if (choice === 3) m.extra = m.extra.slice(0, r.int(0, m.extra.length));
      else if (choice === 4) m.format = pick(['grokkit-checkpoint-2', '', 'safetensors']);
      else if (choice === 5) m.state = m.state.replace(/"\$t":"state\/[^"]*"/, `"$t":"${pick([...names, 'state/none', ''])}"`);
      else if (choice === 6) delete m[pick(['format', 'state'])];
      else m[pick(['note', 'checksum'])] = pick(['x', 'crc32:00000000']);
      return joinFile(header, data);
    }
    case 'edit entries': {
      const name = pick(names);
      const choice = r.int(0, 3);
      if (choice === 0) delete header[name];
      else if (choice === 1) header[`${name}.copy`] = { ...header[name] };
      else {
        header[name.replace(/^(params|state)\//, pick(['state/', 'params/', 'other/', '']))] = header[name];
        if (!/^(params|state)\//.test(name)) delete header[name];
      }
      return joinFile(header, data);
    }
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

interface Tally {
  identical: number;
  rejected: number;
  changed: number;
  identicalByKind: Partial<Record<Kind, number>>;
  changedByKind: Partial<Record<Kind, number>>;
}

function fuzz(file: Uint8Array, seed: number): Tally {
  const reference = (() => {
    const l = g.loadCheckpoint(file);
    const c = canonical(l);
    for (const t of g.tensorsIn(l)) t.dispose();
    return c;
  })();
  const r = g.rng(seed);
  const tally: Tally = { identical: 0, rejected: 0, changed: 0, identicalByKind: {}, changedByKind: {} };
  for (let i = 0; i < MUTATIONS; i++) {
    const kind = KINDS[i % KINDS.length]!;
    let mutated = mutate(file, kind, r);
    while (sameBytes(mutated, file)) mutated = mutate(file, kind, r); // a no-op edit (e.g. reversing a 1-D shape) is not a mutation
    const before = g.liveTensors();
    let loaded: g.LoadedCheckpoint;
    try {
      loaded = g.loadCheckpoint(mutated);
    } catch (e) {
      const where = `mutation ${i} (${kind})`;
      expect(e, where).toBeInstanceOf(Error);
      expect((e as Error).message, where).toMatch(/^checkpoint: /);
      expect((e as Error).message.includes('\n'), `${where}: one line`).toBe(false);
      expect(g.liveTensors(), `${where} leaked tensors`).toBe(before);
      tally.rejected++;
      continue;
    }
    if (canonical(loaded) === reference) {
      tally.identical++;
      tally.identicalByKind[kind] = (tally.identicalByKind[kind] ?? 0) + 1;
    } else {
      tally.changed++;
      tally.changedByKind[kind] = (tally.changedByKind[kind] ?? 0) + 1;
    }
    for (const t of g.tensorsIn(loaded)) t.dispose();
    expect(g.liveTensors()).toBe(before);
  }
  return tally;
}

describe('checkpoint loader fuzz', () => {
  it('the test can rebuild an unmutated file byte for byte (so header edits change only what they edit)', async () => {
    const file = await fixture();
    const { header, data } = splitFile(file);
    expect(joinFile(header, data)).toEqual(file);
  });

  it(`${MUTATIONS} mutations with a checksum: each is rejected cleanly or loads identical; none loads changed`, async () => {
    const t = fuzz(await fixture(), SEED);
    console.log(`checkpoint fuzz, with checksum, seed ${SEED}: ${JSON.stringify(t)}`);
    expect(t.identical + t.rejected + t.changed).toBe(MUTATIONS);
    expect(t.changed).toBe(0);
  });

  it(`${MUTATIONS} mutations without a checksum: changed loads come only from flipped bytes and header edits that describe another valid file`, async () => {
    const t = fuzz(withoutChecksum(await fixture()), SEED + 1);
    console.log(`checkpoint fuzz, without checksum, seed ${SEED + 1}: ${JSON.stringify(t)}`);
    expect(t.identical + t.rejected + t.changed).toBe(MUTATIONS);
    const allowed: Kind[] = ['flip data byte', 'change header byte', 'edit shape', 'edit dtype'];
    expect(Object.keys(t.changedByKind).filter((k) => !allowed.includes(k as Kind))).toEqual([]);
    // a flipped data byte is undetectable without a checksum, except in a BOOL tensor (bytes must be 0 or 1)
    expect(t.changedByKind['flip data byte']).toBeGreaterThan(0);
  });
});
