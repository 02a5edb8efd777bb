import { rng, tensor, checks, type Generator } from '@grokkit/core';
import type { Split } from './split.js';

export interface PathFindingOptions {
  /** Node labels 0..nodes−1 (default 32); each graph uses branches·armLength + 1 of them. */
  nodes?: number;
  /** Arms leaving the start node (default 2). */
  branches?: number;
  /** Nodes per arm, so the path has armLength + 1 nodes (default 3). */
  armLength?: number;
  /** Training graphs (default 2000). */
  nTrain?: number;
  /** Test graphs, none of which appears in train (default 500). */
  nTest?: number;
  seed?: number | bigint;
}

export interface PathFindingDataset {
  /**
   * inputs int32 [n, 2·branches·armLength + 4]: the directed edges u v in random order, then
   * '|', start, goal, '='. targets int32 [n, armLength + 1]: the path start → goal.
   */
  train: Split;
  test: Split;
  vocabSize: number;
  inputLen: number;
  targetLen: number;
  /** Nodes are tokens 0..nodes−1; `query` = nodes ('|'), `answer` = nodes + 1 ('='). */
  vocab: { nodes: [number, number]; query: number; answer: number };
  /** Target position where the right arm must be chosen (the first step after start). */
  decisionIndex: 1;
  description: { nodes: number; branches: number; armLength: number; nTrain: number; nTest: number; seed: string };
}

/**
 * A minimal planning task (after Ye et al. 2024): a star of `branches` arms of `armLength` nodes
 * around a start node, with random labels. Given the edge list, start and goal (the end of one
 * arm), output the path. Its first step is the branch choice, which needs the whole arm to be
 * traced back from the goal: left-to-right decoding must decide it before seeing why.
 */
export function pathFinding(opts: PathFindingOptions = {}): PathFindingDataset {
  const fn = 'pathFinding';
  const branches = checks.int(fn, 'branches', opts.branches ?? 2, 2);
  const L = checks.int(fn, 'armLength', opts.armLength ?? 3, 1);
  const used = branches * L + 1;
  const N = checks.int(fn, `nodes (≥ branches·armLength + 1 = ${used})`, opts.nodes ?? 32, used);
  const nTrain = checks.int(fn, 'nTrain', opts.nTrain ?? 2000, 0);
  const nTest = checks.int(fn, 'nTest', opts.nTest ?? 500, 0);
  const seed = checks.seed(fn, opts.seed ?? 0);
  const g = rng(seed, 'path-finding');
  const nEdges = branches * L;
  const inputLen = 2 * nEdges + 4;
  const targetLen = L + 1;

  const draw = (gen: Generator): { inp: number[]; path: number[] } => {
    const labels = gen.permutation(N).slice(0, used);
    const start = labels[0]!;
    const edges: [number, number][] = [];
    for (let b = 0; b < branches; b++) {
      let prev = start;
      for (let k = 0; k < L; k++) {
        const v = labels[1 + b * L + k]!;
        edges.push([prev, v]);
        prev = v;
      }
    }
    const arm = gen.int(0, branches);
    const path = [start];
    for (let k = 0; k < L; k++) path.push(labels[1 + arm * L + k]!);
    const inp: number[] = [];
    for (const e of gen.permutation(nEdges)) inp.push(...edges[e]!);
    inp.push(N, start, path[L]!, N + 1);
    return { inp, path };
  };

  const seen = new Set<string>();
  const make = (n: number): Split => {
    const inp = new Int32Array(n * inputLen);
    const tgt = new Int32Array(n * targetLen);
    for (let i = 0, tries = 0; i < n; ) {
      const { inp: x, path } = draw(g);
      const key = x.join(',');
      if (seen.has(key)) {
        if (++tries > 100 * (n + 10)) throw new Error(`${fn}: could not draw ${n} distinct graphs with nodes = ${N}; raise nodes`);
        continue;
      }
      seen.add(key);
      inp.set(x, i * inputLen);
      tgt.set(path, i * targetLen);
      i++;
    }
    return { inputs: tensor(inp, { dtype: 'int32', shape: [n, inputLen] }), targets: tensor(tgt, { dtype: 'int32', shape: [n, targetLen] }) };
  };
  const train = make(nTrain);
  const test = make(nTest);
  return {
    train,
    test,
    vocabSize: N + 2,
    inputLen,
    targetLen,
    vocab: { nodes: [0, N], query: N, answer: N + 1 },
    decisionIndex: 1,
    description: { nodes: N, branches, armLength: L, nTrain, nTest, seed: String(seed) },
  };
}
