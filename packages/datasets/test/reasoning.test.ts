import { describe, expect, it } from 'vitest';
import type { Tensor } from '@grokkit/core';
import { rng } from '@grokkit/core';
import { comparison, composition, pathFinding } from '../src/index.js';

function rows(t: Tensor): number[][] {
  const d = Array.from(t.dataSync());
  const w = t.shape[1]!;
  return Array.from({ length: t.shape[0]! }, (_, i) => d.slice(i * w, i * w + w));
}

describe('composition', () => {
  const ds = composition({ entities: 60, relations: 10, degree: 6, oodFraction: 0.2, phi: 3, seed: 1, testSize: 300 });
  const E = 60;
  const { facts, ood } = ds.atomic;
  const fact = new Map<string, number>(); // "h,r" → atomic index
  for (let a = 0; a < facts.length / 3; a++) fact.set(`${facts[3 * a]},${facts[3 * a + 1]}`, a);
  const hop = (h: number, r: number) => fact.get(`${h},${r}`)!;

  it('has the documented sizes and vocabulary', () => {
    expect(ds.description.nAtomic).toBe(360);
    expect(ds.description.nAtomicOod).toBe(72);
    expect(ds.description.nTrainInferred).toBe(3 * 288);
    expect(ds.train.inputs.shape).toEqual([360 + 864, 3]);
    expect(ds.vocabSize).toBe(71);
    expect(ds.vocab.pad).toBe(70);
    // each entity has `degree` distinct relations
    for (let h = 0; h < E; h++) expect(new Set(Array.from({ length: 6 }, (_, k) => facts[3 * (h * 6 + k) + 1])).size).toBe(6);
  });

  it('train = every atomic fact, then inferred facts whose two hops are ID and whose answers compose', () => {
    const xs = rows(ds.train.inputs);
    const ts = Array.from(ds.train.targets.dataSync());
    xs.forEach(([h, r1, r2], i) => {
      if (r2 === ds.vocab.pad) {
        expect(i).toBeLessThan(360);
        expect(ts[i]).toBe(facts[3 * hop(h!, r1! - E) + 2]);
      } else {
        const a1 = hop(h!, r1! - E);
        const a2 = hop(facts[3 * a1 + 2]!, r2! - E);
        expect(ood[a1]).toBe(0);
        expect(ood[a2]).toBe(0);
        expect(ts[i]).toBe(facts[3 * a2 + 2]);
      }
    });
  });

  it('testId is held out and ID; testOod has both hops OOD', () => {
    const train = new Set(rows(ds.train.inputs).map((r) => r.join(',')));
    for (const [split, flag] of [[ds.testId, 0], [ds.testOod, 1]] as const) {
      expect(split.inputs.shape[0]).toBeGreaterThan(0);
      const ts = Array.from(split.targets.dataSync());
      rows(split.inputs).forEach(([h, r1, r2], i) => {
        expect(train.has([h, r1, r2].join(','))).toBe(false);
        const a1 = hop(h!, r1! - E);
        const a2 = hop(facts[3 * a1 + 2]!, r2! - E);
        expect([ood[a1], ood[a2]]).toEqual([flag, flag]);
        expect(ts[i]).toBe(facts[3 * a2 + 2]);
      });
    }
  });

  it('is deterministic and refuses an impossible phi', () => {
    const again = composition({ entities: 60, relations: 10, degree: 6, oodFraction: 0.2, phi: 3, seed: 1, testSize: 300 });
    expect(Array.from(again.train.inputs.dataSync())).toEqual(Array.from(ds.train.inputs.dataSync()));
    expect(() => composition({ entities: 20, relations: 4, degree: 2, phi: 50 })).toThrow(/only \d+ exist/);
    expect(() => composition({ degree: 30, relations: 20 })).toThrow(/degree/);
  });
});

describe('comparison', () => {
  const ds = comparison({ entities: 30, attributes: 3, values: 10, oodFraction: 0.2, phi: 4, seed: 2, testSize: 200 });
  const { values, ood } = ds.atomic;
  const v = ds.vocab;
  const answer = (a: number, e1: number, e2: number) => {
    const x = values[e1 * 3 + a]!, y = values[e2 * 3 + a]!;
    return x < y ? v.lt : x === y ? v.eq : v.gt;
  };

  it('atomic facts give values; comparisons answer <, =, > correctly; ID/OOD as documented', () => {
    expect(ds.description.nAtomic).toBe(90);
    expect(ds.description.nAtomicOod).toBe(18);
    expect(ds.description.nTrainAtomic).toBe(2 * 90);
    expect(ds.train.inputs.shape[0]).toBe(2 * 90 + 4 * 72);
    const xs = rows(ds.train.inputs);
    const ts = Array.from(ds.train.targets.dataSync());
    const slots = new Map<string, Set<number>>(); // "attr,e" → the entity slots its atomic fact is trained in
    xs.forEach(([a, e1, e2], i) => {
      const attr = a! - v.attributes[0];
      if (e1 === v.pad || e2 === v.pad) {
        expect(i).toBeLessThan(ds.description.nTrainAtomic);
        const e = e2 === v.pad ? e1! : e2!;
        expect(ts[i]).toBe(v.values[0] + values[e * 3 + attr]!);
        const key = `${attr},${e}`;
        slots.set(key, (slots.get(key) ?? new Set()).add(e2 === v.pad ? 1 : 2));
      } else {
        expect(ts[i]).toBe(answer(attr, e1!, e2!));
        expect([ood[e1! * 3 + attr], ood[e2! * 3 + attr]]).toEqual([0, 0]);
      }
    });
    const ots = Array.from(ds.testOod.targets.dataSync());
    rows(ds.testOod.inputs).forEach(([a, e1, e2], i) => {
      const attr = a! - v.attributes[0];
      expect([ood[e1! * 3 + attr], ood[e2! * 3 + attr]]).toEqual([1, 1]);
      expect(ots[i]).toBe(answer(attr, e1!, e2!));
    });
    // every atomic fact, OOD ones included, in both entity slots of a query
    expect(slots.size).toBe(90);
    for (const s of slots.values()) expect(s).toEqual(new Set([1, 2]));
    expect(ds.testId.inputs.shape[0]).toBe(200);
    expect(new Set(ts.filter((t) => t >= v.lt))).toEqual(new Set([v.lt, v.eq, v.gt]));
  });
});

describe('pathFinding', () => {
  const ds = pathFinding({ nodes: 20, branches: 3, armLength: 4, nTrain: 300, nTest: 100, seed: 4 });

  it('each target is the path from start to goal along the given edges, and the first step is a branch choice', () => {
    expect(ds.inputLen).toBe(2 * 12 + 4);
    expect(ds.targetLen).toBe(5);
    expect(ds.vocabSize).toBe(22);
    for (const split of [ds.train, ds.test]) {
      const xs = rows(split.inputs);
      const ps = rows(split.targets);
      xs.forEach((x, i) => {
        const path = ps[i]!;
        const edges = new Set<string>();
        for (let k = 0; k < 12; k++) edges.add(`${x[2 * k]},${x[2 * k + 1]}`);
        expect(x.slice(24)).toEqual([20, path[0], path[4], 21]);
        for (let k = 0; k < 4; k++) expect(edges.has(`${path[k]},${path[k + 1]}`)).toBe(true);
        const children = [...edges].filter((e) => e.startsWith(`${path[0]},`));
        expect(children).toHaveLength(3); // three arms leave the start: the first step must pick one
        expect(new Set(path).size).toBe(5);
      });
    }
  });

  it('train and test graphs are distinct; deterministic per seed', () => {
    const train = new Set(rows(ds.train.inputs).map((r) => r.join(',')));
    expect(train.size).toBe(300);
    for (const r of rows(ds.test.inputs)) expect(train.has(r.join(','))).toBe(false);
    const again = pathFinding({ nodes: 20, branches: 3, armLength: 4, nTrain: 300, nTest: 100, seed: 4 });
    expect(Array.from(again.test.targets.dataSync())).toEqual(Array.from(ds.test.targets.dataSync()));
    expect(() => pathFinding({ nodes: 5, branches: 2, armLength: 3 })).toThrow(/nodes/);
  });

  it("every row's planning distance is the arm length for a star (branchAt 'start')", () => {
    expect(Array.from(ds.test.planningDistance.dataSync()).every((d) => d === 4)).toBe(true);
    expect(ds.description.branchAt).toBe('start');
  });

  it("branchAt 'anywhere': the decoys leave path node k = armLength − planningDistance, every distance 1..armLength occurs", () => {
    const any = pathFinding({ nodes: 20, branches: 3, armLength: 4, nTrain: 50, nTest: 400, seed: 5, branchAt: 'anywhere' });
    const xs = rows(any.test.inputs);
    const ps = rows(any.test.targets);
    const dist = Array.from(any.test.planningDistance.dataSync());
    xs.forEach((x, i) => {
      const path = ps[i]!;
      const out = new Map<number, number>();
      for (let k = 0; k < 12; k++) out.set(x[2 * k]!, (out.get(x[2 * k]!) ?? 0) + 1);
      const k = 4 - dist[i]!;
      path.forEach((v, j) => expect(out.get(v) ?? 0).toBe(j === k ? 3 : j === 4 ? 0 : 1)); // only the branch node has 3 children
      expect(x.slice(24)).toEqual([20, path[0], path[4], 21]);
    });
    expect(new Set(dist)).toEqual(new Set([1, 2, 3, 4]));
    expect(() => pathFinding({ branchAt: 'middle' as never })).toThrow(/branchAt to be one of 'start', 'anywhere', got "middle"/);
  });

  it('separator: every edge is followed by the separator token, the same graphs otherwise', () => {
    const plain = pathFinding({ nodes: 9, armLength: 2, nTrain: 20, nTest: 10, seed: 6 });
    const sep = pathFinding({ nodes: 9, armLength: 2, nTrain: 20, nTest: 10, seed: 6, separator: true });
    expect([sep.inputLen, sep.vocabSize, sep.vocab.separator, plain.vocab.separator]).toEqual([3 * 4 + 4, 12, 11, null]);
    const [a, b] = [rows(plain.test.inputs), rows(sep.test.inputs)];
    b.forEach((x, i) => {
      for (let e = 0; e < 4; e++) expect(x.slice(3 * e, 3 * e + 3)).toEqual([...a[i]!.slice(2 * e, 2 * e + 2), 11]);
      expect(x.slice(12)).toEqual(a[i]!.slice(8));
    });
  });

  it('fresh(n, gen): a stream of new training graphs that never repeats a test graph', () => {
    // a tiny label space (3 labels, 2 arms of 1 step): only 3! label choices × 2 edge orders = 12 inputs exist, so a stream would hit the test set often
    const tiny = pathFinding({ nodes: 3, branches: 2, armLength: 1, nTrain: 0, nTest: 6, seed: 1 });
    const test = new Set(rows(tiny.test.inputs).map((r) => r.join(',')));
    expect(test.size).toBe(6);
    const s = tiny.fresh(300, rng(2));
    expect(s.inputs.shape).toEqual([300, 8]);
    const seen = new Set(rows(s.inputs).map((r) => r.join(',')));
    for (const r of seen) expect(test.has(r)).toBe(false);
    expect(seen.size).toBe(12 - 6); // every other graph turns up
    expect(Array.from(tiny.fresh(5, rng(3)).targets.dataSync())).toEqual(Array.from(tiny.fresh(5, rng(3)).targets.dataSync()));
  });
});
