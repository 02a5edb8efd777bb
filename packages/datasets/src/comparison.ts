import { rng, tensor, checks } from '@grokkit/core';
import { shuffleInPlace } from './shuffle.js';
import type { Split } from './split.js';

export interface ComparisonOptions {
  /** |E| (default 100). */
  entities?: number;
  /** Ordinal attributes (default 5). */
  attributes?: number;
  /** Each attribute takes values 0..values−1 (default 20). */
  values?: number;
  /** Fraction of atomic facts (entity, attribute) that are OOD, in [0, 1) (default 0.2). */
  oodFraction?: number;
  /** Inferred ID comparisons in train per ID atomic fact (default 3.6). */
  phi?: number;
  seed?: number | bigint;
  /** Size cap of each test set (default 1000). */
  testSize?: number;
}

export interface ComparisonVocab {
  entities: [number, number];
  attributes: [number, number];
  /** Value v is token values[0] + v. */
  values: [number, number];
  /** Answer tokens '<', '=', '>'. */
  lt: number;
  eq: number;
  gt: number;
  pad: number;
}

export interface ComparisonDataset {
  /**
   * Each atomic fact twice, [attr, e, PAD] and [attr, PAD, e] → value token (e in either entity slot of a
   * query), then inferred ID comparisons [attr, e1, e2] → '<' | '=' | '>'.
   */
  train: Split;
  testId: Split;
  /** Comparisons whose two atomic facts are both OOD. */
  testOod: Split;
  vocabSize: number;
  seqLen: 3;
  vocab: ComparisonVocab;
  /** Attribute values, [entities, attributes] row-major, and which atomic facts are OOD. */
  atomic: { values: Int32Array; ood: Uint8Array };
  description: {
    entities: number; attributes: number; values: number; oodFraction: number; phi: number; seed: string;
    nAtomic: number; nAtomicOod: number;
    /** Atomic-fact rows in train (the first rows): 2 · nAtomic, one per entity slot. */
    nTrainAtomic: number;
    nTrainInferred: number; nTrain: number; nTestId: number; nTestOod: number;
  };
}

function pack(rows: number[][], targets: number[]): Split {
  const inp = new Int32Array(rows.length * 3);
  rows.forEach((r, i) => inp.set(r, i * 3));
  return { inputs: tensor(inp, { dtype: 'int32', shape: [rows.length, 3] }), targets: tensor(Int32Array.from(targets), { dtype: 'int32', shape: [targets.length] }) };
}

/**
 * Comparison over ordinal attributes (Wang et al. 2024): atomic facts give each (entity,
 * attribute) a value; the query (attr, e1, e2) asks whether e1's value is <, = or > e2's. A
 * comparison is ID when both atomic facts are ID and OOD when both are OOD.
 *
 * Train holds every atomic fact in both entity slots of a query, `[attr, e, PAD]` and
 * `[attr, PAD, e]`: a query reads e1's value in the second slot and e2's in the third, and an OOD
 * entity is seen only in atomic facts, so with one slot its value would be learnt where the
 * query never looks it up for e2 (measured on one seed in the implicit-reasoning example: OOD
 * comparison 0.80 with one slot, 0.84 with both; docs/reproductions.md).
 */
export function comparison(opts: ComparisonOptions = {}): ComparisonDataset {
  const fn = 'comparison';
  const E = checks.int(fn, 'entities', opts.entities ?? 100, 2);
  const A = checks.int(fn, 'attributes', opts.attributes ?? 5, 1);
  const V = checks.int(fn, 'values', opts.values ?? 20, 2);
  const oodFraction = checks.number(fn, 'oodFraction', opts.oodFraction ?? 0.2, 0, 1);
  if (oodFraction >= 1) throw new Error(`${fn}: expected oodFraction in [0, 1), got ${oodFraction}`);
  const phi = checks.number(fn, 'phi', opts.phi ?? 3.6, 0);
  const seed = checks.seed(fn, opts.seed ?? 0);
  const testSize = checks.int(fn, 'testSize', opts.testSize ?? 1000, 0);
  const g = rng(seed, 'comparison');

  const nA = E * A;
  const values = new Int32Array(nA);
  for (let i = 0; i < nA; i++) values[i] = g.int(0, V);
  const ood = new Uint8Array(nA);
  const nOod = Math.floor(oodFraction * nA + 1e-9);
  g.permutation(nA).slice(0, nOod).forEach((i) => (ood[i] = 1));

  const vocab: ComparisonVocab = {
    entities: [0, E], attributes: [E, E + A], values: [E + A, E + A + V],
    lt: E + A + V, eq: E + A + V + 1, gt: E + A + V + 2, pad: E + A + V + 3,
  };
  const idRows: number[][] = [], idT: number[] = [], oodRows: number[][] = [], oodT: number[] = [];
  for (let a = 0; a < A; a++) {
    for (let e1 = 0; e1 < E; e1++) {
      for (let e2 = 0; e2 < E; e2++) {
        if (e1 === e2) continue;
        const f1 = e1 * A + a, f2 = e2 * A + a;
        if (ood[f1] !== ood[f2]) continue;
        const v1 = values[f1]!, v2 = values[f2]!;
        const t = v1 < v2 ? vocab.lt : v1 === v2 ? vocab.eq : vocab.gt;
        if (ood[f1]) (oodRows.push([E + a, e1, e2]), oodT.push(t));
        else (idRows.push([E + a, e1, e2]), idT.push(t));
      }
    }
  }
  const nTrainInferred = Math.round(phi * (nA - nOod));
  if (nTrainInferred > idRows.length) {
    throw new Error(`${fn}: phi = ${phi} asks for ${nTrainInferred} ID comparisons in train, but only ${idRows.length} exist; lower phi`);
  }
  const idOrder = shuffleInPlace(Array.from(idRows.keys()), g);
  const oodOrder = shuffleInPlace(Array.from(oodRows.keys()), g);
  const trainRows: number[][] = [], trainT: number[] = [];
  for (let e = 0; e < E; e++) {
    for (let a = 0; a < A; a++) {
      const v = E + A + values[e * A + a]!;
      trainRows.push([E + a, e, vocab.pad], [E + a, vocab.pad, e]);
      trainT.push(v, v);
    }
  }
  for (const i of idOrder.slice(0, nTrainInferred)) (trainRows.push(idRows[i]!), trainT.push(idT[i]!));
  const tid = idOrder.slice(nTrainInferred, nTrainInferred + testSize);
  const tood = oodOrder.slice(0, testSize);
  return {
    train: pack(trainRows, trainT),
    testId: pack(tid.map((i) => idRows[i]!), tid.map((i) => idT[i]!)),
    testOod: pack(tood.map((i) => oodRows[i]!), tood.map((i) => oodT[i]!)),
    vocabSize: E + A + V + 4,
    seqLen: 3,
    vocab,
    atomic: { values, ood },
    description: {
      entities: E, attributes: A, values: V, oodFraction, phi, seed: String(seed),
      nAtomic: nA, nAtomicOod: nOod, nTrainAtomic: 2 * nA, nTrainInferred, nTrain: trainRows.length, nTestId: tid.length, nTestOod: tood.length,
    },
  };
}
