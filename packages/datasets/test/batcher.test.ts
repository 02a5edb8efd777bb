import { describe, expect, it } from 'vitest';
import { arange, liveTensors, reshape, tensor, type Tensor } from '@grokkit/core';
import { Batcher, batches } from '../src/index.js';

function dataset(n: number) {
  const inputs = tensor(Int32Array.from({ length: n * 2 }, (_, i) => i), { dtype: 'int32', shape: [n, 2] });
  const targets = tensor(Int32Array.from({ length: n }, (_, i) => 1000 + i), { dtype: 'int32', shape: [n] });
  return { inputs, targets };
}
const ids = (t: Tensor) => Array.from(t.dataSync());

describe('Batcher', () => {
  it('Grokfast shape: 4,656 examples at 512 → 9 full batches and one of 48 per epoch, each epoch a permutation', () => {
    const b = batches(dataset(4656), { batchSize: 512, seed: 1 });
    expect(b.batchesPerEpoch).toBe(10);
    const epochs: number[][] = [[], []];
    for (let e = 0; e < 2; e++) {
      const sizes: number[] = [];
      for (const batch of b.epochBatches()) {
        expect(batch.epoch).toBe(e);
        sizes.push(batch.indices.length);
        epochs[e]!.push(...batch.indices);
      }
      expect(sizes).toEqual([512, 512, 512, 512, 512, 512, 512, 512, 512, 48]);
      expect([...epochs[e]!].sort((x, y) => x - y)).toEqual(Array.from({ length: 4656 }, (_, i) => i));
    }
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(b.step).toBe(20);
  });

  it('gathers the rows named by indices', () => {
    const data = dataset(50);
    const b = new Batcher(data, { batchSize: 8, seed: 3 });
    const batch = b.next();
    expect(batch.inputs.shape).toEqual([8, 2]);
    expect(batch.targets.shape).toEqual([8]);
    const idx = Array.from(batch.indices);
    expect(ids(batch.targets)).toEqual(idx.map((i) => 1000 + i));
    expect(ids(batch.inputs)).toEqual(idx.flatMap((i) => [2 * i, 2 * i + 1]));
  });

  it('dropLast drops the short batch', () => {
    const b = batches(dataset(4656), { batchSize: 512, dropLast: true });
    expect(b.batchesPerEpoch).toBe(9);
    const sizes = [...b.epochBatches()].map((x) => x.indices.length);
    expect(sizes).toEqual(new Array(9).fill(512));
  });

  it('batchSize ≥ n gives the whole set every batch', () => {
    for (const dropLast of [false, true]) {
      const b = batches(dataset(37), { batchSize: 512, dropLast, seed: 2 });
      expect(b.batchesPerEpoch).toBe(1);
      const x = b.next();
      const y = b.next();
      expect(x.targets.shape).toEqual([37]);
      expect([...x.indices].sort((a, c) => a - c)).toEqual(Array.from({ length: 37 }, (_, i) => i));
      expect(y.epoch).toBe(1);
      expect(y.indices.length).toBe(37);
    }
  });

  it('shuffle: false keeps the stored order', () => {
    const b = batches(dataset(10), { batchSize: 4, shuffle: false });
    expect([...b.epochBatches()].map((x) => [...x.indices])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('is deterministic per seed', () => {
    const run = (seed: number) => {
      const b = batches(dataset(100), { batchSize: 16, seed });
      return Array.from({ length: 20 }, () => [...b.next().indices]);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('resumes bit-identically from a JSON round-tripped state, mid-epoch and at an epoch boundary', () => {
    const data = dataset(100);
    for (const stopAt of [0, 3, 7, 14, 23]) {
      const a = batches(data, { batchSize: 16, seed: 9 }); // 7 batches per epoch
      for (let i = 0; i < stopAt; i++) a.next();
      const saved = JSON.parse(JSON.stringify(a.state()));
      const expected = Array.from({ length: 15 }, () => {
        const x = a.next();
        return { i: [...x.indices], inp: ids(x.inputs), e: x.epoch, k: x.index, s: x.step };
      });
      const b = batches(data, { batchSize: 16, seed: 12345 }).setState(saved); // the seed is overridden by the state
      const got = Array.from({ length: 15 }, () => {
        const x = b.next();
        return { i: [...x.indices], inp: ids(x.inputs), e: x.epoch, k: x.index, s: x.step };
      });
      expect(got).toEqual(expected);
      expect(b.state()).toEqual(a.state());
    }
  });

  it('a batch adds exactly its own tensors to the live count', () => {
    const b = batches(dataset(64), { batchSize: 10 });
    const before = liveTensors();
    const x = b.next();
    expect(liveTensors()).toBe(before + 2);
    x.inputs.dispose();
    x.targets.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('batches any record of tensors sharing dim 0', () => {
    const feats = reshape(arange(12), [6, 2]);
    const b = batches({ x: feats, y: arange(6) }, { batchSize: 3, shuffle: false });
    const first = b.next();
    expect(Array.from(first.y.dataSync())).toEqual([0, 1, 2]);
    expect(Array.from(first.x.dataSync())).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rejects bad arguments', () => {
    const data = dataset(10);
    expect(() => batches(data, { batchSize: 0 })).toThrow(/batchSize to be an integer ≥ 1, got 0/);
    expect(() => batches({ inputs: data.inputs, targets: arange(9) }, { batchSize: 2 })).toThrow(/'targets' has shape \[9\]/);
    expect(() => batches({ ...data, step: arange(10) }, { batchSize: 2 })).toThrow(/reserved/);
    expect(() => batches(data, { batchSize: 4 }).setState({ epoch: 0, index: 9, step: 0, rng: { key: [0, 0], counter: [0, 0], buffered: [] } })).toThrow(/index/);
  });
});
