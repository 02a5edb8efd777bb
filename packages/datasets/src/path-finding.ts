import { rng, tensor, checks, type Generator, type Tensor } from '@grokkit/core';
import type { Split } from './split.js';

export const BRANCH_POINTS = ['start', 'anywhere'] as const;
/**
 * Where the decoy arms leave the path: `'start'`, a star around the start node (every path's first
 * step is the branch choice, `armLength` steps from the goal); `'anywhere'`, at path node k drawn
 * uniformly from 0..armLength−1, so the planning distance armLength − k varies from 1 to armLength.
 */
export type BranchPoint = (typeof BRANCH_POINTS)[number];

export interface PathFindingOptions {
  /** Node labels 0..nodes−1 (default 32); each graph uses branches·armLength + 1 of them. */
  nodes?: number;
  /** Arms leaving the branch node: the path's own and branches − 1 decoys (default 2). */
  branches?: number;
  /** Steps from start to goal, so the path has armLength + 1 nodes; every decoy arm has armLength nodes too (default 3). */
  armLength?: number;
  /** Where the decoy arms leave the path (default 'start'). */
  branchAt?: BranchPoint;
  /** Follow every edge by a separator token, `u v ,` (default false: `u v`). */
  separator?: boolean;
  /** Training graphs (default 2000). */
  nTrain?: number;
  /** Test graphs, none of which appears in train (default 500). */
  nTest?: number;
  seed?: number | bigint;
}

/** A split of path graphs with each row's planning distance. */
export type PathSplit = Split & {
  /**
   * int32 [n]: steps from the branch node to the goal, the lookahead the branch choice needs. The
   * choice is target position targetLen − 1 − planningDistance + 1 = armLength + 1 − planningDistance.
   */
  planningDistance: Tensor;
};

export interface PathFindingDataset {
  /**
   * inputs int32 [n, 2·branches·armLength + 4] (3·… with separators): the directed edges u v
   * (each followed by ',' with `separator`) in random order, then '|', start, goal, '='. targets int32 [n, armLength + 1]: the path start → goal.
   */
  train: PathSplit;
  test: PathSplit;
  /** `n` more training graphs drawn with `gen` (repeats allowed, test graphs never): a stream of fresh data. */
  fresh(n: number, gen: Generator): PathSplit;
  vocabSize: number;
  inputLen: number;
  targetLen: number;
  /** Nodes are tokens 0..nodes−1; `query` = nodes ('|'), `answer` = nodes + 1 ('='), `separator` = nodes + 2 (',') when used. */
  vocab: { nodes: [number, number]; query: number; answer: number; separator: number | null };
  description: { nodes: number; branches: number; armLength: number; branchAt: BranchPoint; nTrain: number; nTest: number; seed: string };
}

/**
 * A minimal planning task (after Ye et al. 2024): a path of `armLength` steps from a start node to
 * a goal, and `branches` − 1 decoy arms of `armLength` nodes leaving one of its nodes (the start by
 * default, a star), with random labels. Given the edge list, start and goal, output the path. At
 * the branch node the right arm must be chosen, which needs the arm to be traced back from the
 * goal: left-to-right decoding must decide it before seeing why.
 */
export function pathFinding(opts: PathFindingOptions = {}): PathFindingDataset {
  const fn = 'pathFinding';
  const branches = checks.int(fn, 'branches', opts.branches ?? 2, 2);
  const L = checks.int(fn, 'armLength', opts.armLength ?? 3, 1);
  const used = branches * L + 1;
  const N = checks.int(fn, `nodes (≥ branches·armLength + 1 = ${used})`, opts.nodes ?? 32, used);
  const branchAt = checks.oneOf(fn, 'branchAt', opts.branchAt ?? 'start', BRANCH_POINTS);
  const nTrain = checks.int(fn, 'nTrain', opts.nTrain ?? 2000, 0);
  const nTest = checks.int(fn, 'nTest', opts.nTest ?? 500, 0);
  const seed = checks.seed(fn, opts.seed ?? 0);
  const g = rng(seed, 'path-finding');
  const nEdges = branches * L;
  const sep = opts.separator ?? false;
  const inputLen = (sep ? 3 : 2) * nEdges + 4;
  const targetLen = L + 1;

  const draw = (gen: Generator): { inp: number[]; path: number[]; distance: number } => {
    const labels = gen.permutation(N).slice(0, used);
    const path = Array.from(labels.subarray(0, L + 1)); // start … goal
    const k = branchAt === 'start' ? 0 : gen.int(0, L);
    const edges: [number, number][] = [];
    for (let i = 0; i < L; i++) edges.push([path[i]!, path[i + 1]!]);
    for (let b = 1; b < branches; b++) {
      let prev = path[k]!;
      for (let i = 0; i < L; i++) {
        const v = labels[L + 1 + (b - 1) * L + i]!;
        edges.push([prev, v]);
        prev = v;
      }
    }
    const inp: number[] = [];
    for (const e of gen.permutation(nEdges)) {
      inp.push(...edges[e]!);
      if (sep) inp.push(N + 2);
    }
    inp.push(N, path[0]!, path[L]!, N + 1);
    return { inp, path, distance: L - k };
  };

  const fill = (n: number, next: () => { inp: number[]; path: number[]; distance: number }): PathSplit => {
    const inp = new Int32Array(n * inputLen);
    const tgt = new Int32Array(n * targetLen);
    const dist = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = next();
      inp.set(r.inp, i * inputLen);
      tgt.set(r.path, i * targetLen);
      dist[i] = r.distance;
    }
    return {
      inputs: tensor(inp, { dtype: 'int32', shape: [n, inputLen] }),
      targets: tensor(tgt, { dtype: 'int32', shape: [n, targetLen] }),
      planningDistance: tensor(dist, { dtype: 'int32', shape: [n] }),
    };
  };
  /** Draws `n` graphs never drawn before (all of them are in `seen`), and adds their keys to `keys` too. */
  const seen = new Set<string>();
  const distinct = (n: number, keys?: Set<string>): PathSplit => {
    let tries = 0;
    return fill(n, () => {
      for (;;) {
        const r = draw(g);
        const key = r.inp.join(',');
        if (!seen.has(key)) {
          seen.add(key);
          keys?.add(key);
          return r;
        }
        if (++tries > 100 * (n + 10)) throw new Error(`${fn}: could not draw ${n} distinct graphs with nodes = ${N}; raise nodes`);
      }
    });
  };
  const train = distinct(nTrain);
  const testKeys = new Set<string>();
  const test = distinct(nTest, testKeys);
  const fresh = (n: number, gen: Generator): PathSplit => {
    checks.int(`${fn}.fresh`, 'n', n, 0);
    let tries = 0;
    return fill(n, () => {
      for (;;) {
        const r = draw(gen);
        if (!testKeys.has(r.inp.join(','))) return r;
        if (++tries > 100 * (n + 10)) throw new Error(`${fn}.fresh: could not draw ${n} graphs outside the test set with nodes = ${N}; raise nodes`);
      }
    });
  };
  return {
    train,
    test,
    fresh,
    vocabSize: sep ? N + 3 : N + 2,
    inputLen,
    targetLen,
    vocab: { nodes: [0, N], query: N, answer: N + 1, separator: sep ? N + 2 : null },
    description: { nodes: N, branches, armLength: L, branchAt, nTrain, nTest, seed: String(seed) },
  };
}
