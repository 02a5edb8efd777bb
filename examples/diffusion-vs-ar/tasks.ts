/**
 * The three tasks as prompt → answer token sequences, shared by both arms: Wang et al.'s two-hop
 * composition and comparison (answer: one token; ID and OOD test sets) and the minimal
 * path-finding task (answer: the whole path; one held-out test set, no OOD split; a fixed set of
 * training graphs or a stream of fresh ones).
 */
import { rng, type Generator } from '@grokkit/core';
import { comparison, composition, pathFinding, type BranchPoint, type PathSplit, type Split } from '@grokkit/datasets';

export const TASKS = ['composition', 'comparison', 'path'] as const;
export type TaskName = (typeof TASKS)[number];

export interface SeqSplit {
  n: number;
  /** int32 [n·promptLen] row-major. */
  prompt: Int32Array;
  /** int32 [n·answerLen] row-major. */
  answer: Int32Array;
  /** Path-finding: each row's planning distance (steps from the branch node to the goal). */
  distance?: Int32Array;
}

export interface SeqTask {
  name: TaskName;
  vocabSize: number;
  promptLen: number;
  answerLen: number;
  train: SeqSplit;
  id: SeqSplit;
  ood: SeqSplit | null;
  /** A stream of training data: `n` fresh rows per call (then `train` is only a sample of it, to measure on). */
  fresh?(n: number, g: Generator): SeqSplit;
  description: Record<string, unknown>;
}

function seqSplit(s: Split | PathSplit, answerLen: number): SeqSplit {
  const n = s.inputs.shape[0]!;
  const prompt = Int32Array.from(s.inputs.dataSync());
  const answer = Int32Array.from(s.targets.dataSync());
  if (answer.length !== n * answerLen) throw new Error(`tasks: expected ${n}×${answerLen} answer tokens, got ${answer.length}`);
  const out: SeqSplit = { n, prompt, answer };
  if ('planningDistance' in s) {
    out.distance = Int32Array.from(s.planningDistance.dataSync());
    s.planningDistance.dispose();
  }
  s.inputs.dispose();
  s.targets.dispose();
  return out;
}

/** The path-finding graphs' shape (defaults in `PATH_DEFAULTS`). */
export interface PathShape {
  branches: number;
  armLength: number;
  nodes: number;
  branchAt: BranchPoint;
  separator: boolean;
}

export const PATH_DEFAULTS: PathShape = { branches: 2, armLength: 3, nodes: 7, branchAt: 'anywhere', separator: false };

export interface TaskSize {
  /** Composition/comparison entities (default 100). */
  entities?: number;
  /** Path-finding training graphs, or 'stream' for fresh graphs every batch (default 2000). */
  nTrain?: number | 'stream';
  /** Cap on each test set (default 500). */
  testSize?: number;
  path?: Partial<PathShape>;
}

/** Rows measured as "train" accuracy when training on a stream (drawn once from the stream's distribution, so in effect unseen graphs). */
const STREAM_TRAIN_SAMPLE = 500;

/** Build a task; `seed` seeds the generator (graph, values, splits). */
export function makeTask(name: TaskName, seed: number, size: TaskSize = {}): SeqTask {
  const testSize = size.testSize ?? 500;
  if (name === 'composition') {
    const d = composition({ seed, entities: size.entities, testSize });
    return {
      name, vocabSize: d.vocabSize, promptLen: 3, answerLen: 1,
      train: seqSplit(d.train, 1), id: seqSplit(d.testId, 1), ood: seqSplit(d.testOod, 1), description: d.description,
    };
  }
  if (name === 'comparison') {
    const d = comparison({ seed, entities: size.entities, testSize });
    return {
      name, vocabSize: d.vocabSize, promptLen: 3, answerLen: 1,
      train: seqSplit(d.train, 1), id: seqSplit(d.testId, 1), ood: seqSplit(d.testOod, 1), description: d.description,
    };
  }
  const shape = { ...PATH_DEFAULTS, ...size.path };
  const nTrain = size.nTrain;
  const stream = nTrain === 'stream';
  const d = pathFinding({ ...shape, seed, nTrain: nTrain === 'stream' ? 0 : nTrain, nTest: testSize });
  const train = stream ? d.fresh(STREAM_TRAIN_SAMPLE, rng(seed, 'stream-train-sample')) : d.train;
  const task: SeqTask = {
    name, vocabSize: d.vocabSize, promptLen: d.inputLen, answerLen: d.targetLen,
    train: seqSplit(train, d.targetLen), id: seqSplit(d.test, d.targetLen), ood: null,
    description: { ...d.description, nTrain: stream ? 'stream' : d.description.nTrain },
  };
  if (stream) task.fresh = (n, g) => seqSplit(d.fresh(n, g), d.targetLen);
  return task;
}

/** Rows `idx` of a split as [prompt | answer] sequences, int32 [idx.length · (P + A)]. */
export function sequences(task: SeqTask, s: SeqSplit, idx: ArrayLike<number>): Int32Array {
  const { promptLen: P, answerLen: A } = task;
  const out = new Int32Array(idx.length * (P + A));
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    out.set(s.prompt.subarray(r * P, (r + 1) * P), i * (P + A));
    out.set(s.answer.subarray(r * A, (r + 1) * A), i * (P + A) + P);
  }
  return out;
}

/** Rows `idx` of a split as a split of their own. */
export function subset(task: SeqTask, s: SeqSplit, idx: ArrayLike<number>): SeqSplit {
  const { promptLen: P, answerLen: A } = task;
  const prompt = new Int32Array(idx.length * P);
  const answer = new Int32Array(idx.length * A);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    prompt.set(s.prompt.subarray(r * P, (r + 1) * P), i * P);
    answer.set(s.answer.subarray(r * A, (r + 1) * A), i * A);
  }
  return { n: idx.length, prompt, answer };
}
