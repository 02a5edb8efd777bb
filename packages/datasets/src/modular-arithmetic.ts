import { rng, tensor, checks, type Tensor } from '@grokkit/core';
import { MODULAR_OPS, isModularOp, isPrime, modularOpIds, type ModularOp } from './modular-ops.js';
import { trainCount, type Split } from './split.js';

export interface ModularArithmeticOptions {
  /** Modulus (default 97). Division-like ops need a prime. */
  p?: number;
  /** Operation id (default 'mul'); see `modularOpIds`. */
  op?: ModularOp;
  /** Fraction of all equations used for training, in (0, 1) (default 0.5). */
  trainFraction?: number;
  /** Seed of the train/val permutation (default 0). */
  seed?: number | bigint;
  /**
   * Override the smallest y (0 or 1). Defaults to the op's own: 1 for 'mul', 'div', 'div_odd',
   * 0 otherwise. Division-like ops refuse 0.
   */
  yMin?: 0 | 1;
}

export interface ModularArithmeticDescription {
  p: number;
  op: ModularOp;
  formula: string;
  trainFraction: number;
  seed: number | bigint;
  yMin: number;
  nTrain: number;
  nVal: number;
  nTotal: number;
  /** Token ids: 0..p−1 are numbers, `opToken` = p, `eqToken` = p + 1. */
  opToken: number;
  eqToken: number;
}

export interface ModularArithmeticDataset {
  /** inputs int32 [nTrain, 4] = [x, op, y, =]; targets int32 [nTrain] = x∘y mod p. */
  train: Split;
  val: Split;
  vocabSize: number;
  seqLen: 4;
  /**
   * Which equations each split holds, as indices into the canonical enumeration
   * (x-major: index = x·(p − yMin) + (y − yMin)), in split order.
   */
  indices: { train: Int32Array; val: Int32Array };
  description: ModularArithmeticDescription;
}

const FN = 'modularArithmetic';
/** Largest table (p·(p−yMin) equations) built; 4 int32 tokens each stay well inside typed-array limits. */
const MAX_EQUATIONS = 1 << 27;

function pack(tokens: Int32Array, answers: Int32Array, idx: Int32Array): Split {
  const n = idx.length;
  const inp = new Int32Array(n * 4);
  const tgt = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const e = idx[i]!;
    inp.set(tokens.subarray(e * 4, e * 4 + 4), i * 4);
    tgt[i] = answers[e]!;
  }
  return { inputs: tensor(inp, { dtype: 'int32', shape: [n, 4] }), targets: tensor(tgt, { dtype: 'int32', shape: [n] }) };
}

/**
 * Every equation x∘y = z (mod p) of one Power et al. operation, tokenised as [x, op, y, =] with
 * answer z, split into train and val by a seeded permutation (first ⌊trainFraction·n⌋ to train).
 */
export function modularArithmetic(opts: ModularArithmeticOptions = {}): ModularArithmeticDataset {
  const p = checks.int(FN, 'p', opts.p ?? 97, 2);
  const op = opts.op ?? 'mul';
  if (!isModularOp(op)) throw new Error(`${FN}: unknown op ${checks.show(op)}; expected one of ${modularOpIds.map((o) => `'${o}'`).join(', ')}`);
  const trainFraction = checks.openFraction(FN, 'trainFraction', opts.trainFraction ?? 0.5);
  const seed = checks.seed(FN, opts.seed ?? 0);
  const spec = MODULAR_OPS[op];
  if (spec.needsPrime && !isPrime(p)) {
    throw new Error(`${FN}: op '${op}' (${spec.formula}) divides by y, which needs a prime modulus; got p = ${p}, which is not prime`);
  }
  const yMin = opts.yMin ?? spec.yMin;
  if (yMin !== 0 && yMin !== 1) throw new Error(`${FN}: expected yMin 0 or 1, got ${checks.show(yMin)}`);
  if (yMin === 0 && spec.yMin === 1 && spec.needsPrime) {
    throw new Error(`${FN}: op '${op}' (${spec.formula}) is undefined at y = 0; yMin must be 1`);
  }
  const ny = p - yMin;
  const n = p * ny;
  if (n > MAX_EQUATIONS) throw new Error(`${FN}: p = ${p} gives ${n} equations; at most ${MAX_EQUATIONS} are supported`);
  const nTrain = trainCount(FN, n, trainFraction);

  const tokens = new Int32Array(n * 4);
  const answers = new Int32Array(n);
  for (let x = 0, e = 0; x < p; x++) {
    for (let y = yMin; y < p; y++, e++) {
      tokens[e * 4] = x;
      tokens[e * 4 + 1] = p;
      tokens[e * 4 + 2] = y;
      tokens[e * 4 + 3] = p + 1;
      answers[e] = spec.apply(x, y, p);
    }
  }
  const perm = rng(seed, 'modular-arithmetic/split').permutation(n);
  const trainIdx = perm.slice(0, nTrain);
  const valIdx = perm.slice(nTrain);
  return {
    train: pack(tokens, answers, trainIdx),
    val: pack(tokens, answers, valIdx),
    vocabSize: p + 2,
    seqLen: 4,
    indices: { train: trainIdx, val: valIdx },
    description: {
      p,
      op,
      formula: spec.formula,
      trainFraction,
      seed,
      yMin,
      nTrain,
      nVal: n - nTrain,
      nTotal: n,
      opToken: p,
      eqToken: p + 1,
    },
  };
}
