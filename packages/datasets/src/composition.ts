import { rng, tensor, checks } from '@grokkit/core';
import { shuffleInPlace } from './shuffle.js';
import type { Split } from './split.js';

export interface CompositionOptions {
  /** |E| (default 100). */
  entities?: number;
  /** |R| (default 20). */
  relations?: number;
  /** Atomic facts (distinct relations) per entity (default 12). */
  degree?: number;
  /** Fraction of atomic facts that are OOD, in [0, 1) (default 0.2; the paper uses 0.05). */
  oodFraction?: number;
  /** Inferred ID facts in train per ID atomic fact (default 3.6). */
  phi?: number;
  /** Seed of the graph, the ID/OOD split and the sampling (default 0). */
  seed?: number | bigint;
  /** Size cap of each test set (default 1000). */
  testSize?: number;
}

export interface CompositionVocab {
  /** Entity e is token e (0..E−1). */
  entities: [number, number];
  /** Relation r is token E + r. */
  relations: [number, number];
  /** Fills the third slot of an atomic query. */
  pad: number;
}

export interface CompositionDataset {
  /** All atomic facts [h, r, PAD] → t, then φ·|atomic ID| inferred ID facts [h, r1, r2] → t. */
  train: Split;
  /** Held-out inferred facts whose two hops are ID atomic facts. */
  testId: Split;
  /** Inferred facts whose two hops are both OOD atomic facts (OOD atomic facts are trained on). */
  testOod: Split;
  vocabSize: number;
  seqLen: 3;
  vocab: CompositionVocab;
  /** Atomic facts as raw ids (h, r, t) row by row, and which are OOD. */
  atomic: { facts: Int32Array; ood: Uint8Array };
  description: {
    entities: number; relations: number; degree: number; oodFraction: number; phi: number; seed: string;
    nAtomic: number; nAtomicOod: number; nInferredIdAvailable: number; nInferredOodAvailable: number;
    nTrainInferred: number; nTrain: number; nTestId: number; nTestOod: number;
  };
}

function pack(rows: number[][], targets: number[], width: number): Split {
  const n = rows.length;
  const inp = new Int32Array(n * width);
  rows.forEach((r, i) => inp.set(r, i * width));
  return { inputs: tensor(inp, { dtype: 'int32', shape: [n, width] }), targets: tensor(Int32Array.from(targets), { dtype: 'int32', shape: [n] }) };
}

/**
 * Two-hop composition over a random knowledge graph (Wang et al. 2024). Every entity h has
 * `degree` atomic facts (h, r) → t with distinct relations and uniform tails. Atomic facts are
 * split ID/OOD; the inferred fact (h, r1, r2) → t comes from (h, r1) → b and (b, r2) → t and is
 * ID when both hops are ID, OOD when both are OOD (mixed ones are unused).
 */
export function composition(opts: CompositionOptions = {}): CompositionDataset {
  const fn = 'composition';
  const E = checks.int(fn, 'entities', opts.entities ?? 100, 2);
  const R = checks.int(fn, 'relations', opts.relations ?? 20, 1);
  const degree = checks.int(fn, 'degree', opts.degree ?? 12, 1, R);
  const oodFraction = checks.number(fn, 'oodFraction', opts.oodFraction ?? 0.2, 0, 1);
  if (oodFraction >= 1) throw new Error(`${fn}: expected oodFraction in [0, 1), got ${oodFraction}`);
  const phi = checks.number(fn, 'phi', opts.phi ?? 3.6, 0);
  const seed = checks.seed(fn, opts.seed ?? 0);
  const testSize = checks.int(fn, 'testSize', opts.testSize ?? 1000, 0);
  const g = rng(seed, 'composition');

  const nA = E * degree;
  const facts = new Int32Array(nA * 3);
  const tail = new Int32Array(E * R).fill(-1); // (h, r) → atomic fact index
  for (let h = 0, a = 0; h < E; h++) {
    const rels = g.permutation(R).slice(0, degree).sort();
    for (const r of rels) {
      facts.set([h, r, g.int(0, E)], a * 3);
      tail[h * R + r] = a++;
    }
  }
  const ood = new Uint8Array(nA);
  const nOod = Math.floor(oodFraction * nA + 1e-9);
  g.permutation(nA).slice(0, nOod).forEach((a) => (ood[a] = 1));

  const PAD = E + R;
  const idRows: number[][] = [];
  const idT: number[] = [];
  const oodRows: number[][] = [];
  const oodT: number[] = [];
  for (let a1 = 0; a1 < nA; a1++) {
    const h = facts[a1 * 3]!, r1 = facts[a1 * 3 + 1]!, b = facts[a1 * 3 + 2]!;
    for (let r2 = 0; r2 < R; r2++) {
      const a2 = tail[b * R + r2]!;
      if (a2 < 0 || ood[a1] !== ood[a2]) continue;
      const row = [h, E + r1, E + r2];
      const t = facts[a2 * 3 + 2]!;
      if (ood[a1]) (oodRows.push(row), oodT.push(t));
      else (idRows.push(row), idT.push(t));
    }
  }
  const nAtomicId = nA - nOod;
  const nTrainInferred = Math.round(phi * nAtomicId);
  if (nTrainInferred > idRows.length) {
    throw new Error(`${fn}: phi = ${phi} asks for ${nTrainInferred} inferred ID facts in train, but only ${idRows.length} exist; lower phi or raise degree`);
  }
  const idOrder = shuffleInPlace(Array.from(idRows.keys()), g);
  const oodOrder = shuffleInPlace(Array.from(oodRows.keys()), g);

  const trainRows: number[][] = [];
  const trainT: number[] = [];
  for (let a = 0; a < nA; a++) {
    trainRows.push([facts[a * 3]!, E + facts[a * 3 + 1]!, PAD]);
    trainT.push(facts[a * 3 + 2]!);
  }
  for (const i of idOrder.slice(0, nTrainInferred)) (trainRows.push(idRows[i]!), trainT.push(idT[i]!));
  const testIdIdx = idOrder.slice(nTrainInferred, nTrainInferred + testSize);
  const testOodIdx = oodOrder.slice(0, testSize);
  return {
    train: pack(trainRows, trainT, 3),
    testId: pack(testIdIdx.map((i) => idRows[i]!), testIdIdx.map((i) => idT[i]!), 3),
    testOod: pack(testOodIdx.map((i) => oodRows[i]!), testOodIdx.map((i) => oodT[i]!), 3),
    vocabSize: E + R + 1,
    seqLen: 3,
    vocab: { entities: [0, E], relations: [E, E + R], pad: PAD },
    atomic: { facts, ood },
    description: {
      entities: E, relations: R, degree, oodFraction, phi, seed: String(seed),
      nAtomic: nA, nAtomicOod: nOod, nInferredIdAvailable: idRows.length, nInferredOodAvailable: oodRows.length,
      nTrainInferred, nTrain: trainRows.length, nTestId: testIdIdx.length, nTestOod: testOodIdx.length,
    },
  };
}
