import { Generator, indexSelect, noGrad, rng, tensor, tidy, checks, type RngState, type Tensor } from '@grokkit/core';

/** Tensors that share their first dimension (examples), e.g. `{ inputs, targets }`. */
export type Examples = Record<string, Tensor>;

export interface BatcherOptions {
  /** Examples per batch; a value ≥ n gives one batch of the whole set per epoch. */
  batchSize: number;
  /** Seed of the per-epoch shuffles (default 0). */
  seed?: number | bigint;
  /** Reshuffle at the start of every epoch (default true); false keeps the stored order. */
  shuffle?: boolean;
  /**
   * Drop the last, smaller batch of each epoch (default false: keep it, as Grokfast's official
   * loop does with `torch.split`, e.g. 4,656 examples at 512 → 9 batches of 512 and one of 48).
   */
  dropLast?: boolean;
}

/** Where a batcher is: JSON-safe, for checkpoints. */
export interface BatcherState {
  /** Epoch of the next batch (0-based). */
  epoch: number;
  /** Index of the next batch within its epoch. */
  index: number;
  /** Batches produced so far, over all epochs. */
  step: number;
  /** Generator state at the start of `epoch` (before its shuffle was drawn). */
  rng: RngState;
}

/** A minibatch: the gathered tensors plus its position. */
export type Batch<T extends Examples> = T & {
  /** Epoch this batch belongs to (0-based). */
  epoch: number;
  /** Index of this batch within its epoch. */
  index: number;
  /** Global batch counter (0-based). */
  step: number;
  /** Which examples (rows of the full set) the batch holds. */
  indices: Int32Array;
};

const RESERVED = ['epoch', 'index', 'step', 'indices'];

/**
 * Seeded minibatches over a fixed set of examples, epoch after epoch. Each epoch draws a fresh
 * permutation from the batcher's own generator; `state()` / `setState()` save and restore the
 * exact position, so a resumed run sees the same batches, bit for bit, as one that never stopped.
 */
export class Batcher<T extends Examples = Examples> implements Iterable<Batch<T>> {
  readonly n: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** Batches in every epoch. */
  readonly batchesPerEpoch: number;
  private readonly data: T;
  private readonly gen: Generator;
  private epochNo = 0;
  private indexNo = 0;
  private stepNo = 0;
  private epochStart: RngState;
  private order: Int32Array | null = null;

  constructor(data: T, opts: BatcherOptions) {
    const fn = 'Batcher';
    const keys = Object.keys(data);
    if (keys.length === 0) throw new Error(`${fn}: expected at least one tensor (e.g. { inputs, targets }), got none`);
    for (const k of keys) {
      if (RESERVED.includes(k)) throw new Error(`${fn}: the name '${k}' is reserved for batch positions; rename that tensor`);
    }
    const first = data[keys[0]!]!;
    if (first.ndim < 1) throw new Error(`${fn}: expected '${keys[0]}' to have an examples dimension, got a scalar`);
    const n = first.shape[0]!;
    for (const k of keys) {
      const t = data[k]!;
      if (t.ndim < 1 || t.shape[0] !== n) {
        throw new Error(`${fn}: every tensor needs ${n} examples in dim 0 (as '${keys[0]}'); '${k}' has shape [${t.shape.join(', ')}]`);
      }
    }
    if (n < 1) throw new Error(`${fn}: expected at least one example, got 0`);
    this.batchSize = checks.int(fn, 'batchSize', opts.batchSize, 1);
    const shuffle = opts.shuffle ?? true;
    const dropLast = opts.dropLast ?? false;
    if (typeof shuffle !== 'boolean') throw new Error(`${fn}: expected shuffle to be a boolean, got ${checks.show(shuffle)}`);
    if (typeof dropLast !== 'boolean') throw new Error(`${fn}: expected dropLast to be a boolean, got ${checks.show(dropLast)}`);
    this.data = data;
    this.n = n;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    const size = Math.min(this.batchSize, n);
    this.batchesPerEpoch = dropLast ? Math.floor(n / size) : Math.ceil(n / size);
    this.gen = rng(checks.seed(fn, opts.seed ?? 0), 'batcher');
    this.epochStart = this.gen.state();
  }

  /** Epoch of the next batch. */
  get epoch(): number {
    return this.epochNo;
  }
  /** Index of the next batch within its epoch. */
  get index(): number {
    return this.indexNo;
  }
  /** Batches produced so far. */
  get step(): number {
    return this.stepNo;
  }

  private drawOrder(): Int32Array {
    if (!this.order) {
      if (this.shuffle) this.order = this.gen.permutation(this.n);
      else {
        this.order = new Int32Array(this.n);
        for (let i = 0; i < this.n; i++) this.order[i] = i;
      }
    }
    return this.order;
  }

  /** The example indices of the next batch (advances the position). */
  nextIndices(): { indices: Int32Array; epoch: number; index: number; step: number } {
    const order = this.drawOrder();
    const size = Math.min(this.batchSize, this.n);
    const lo = this.indexNo * size;
    const hi = Math.min(lo + size, this.n);
    const out = { indices: order.slice(lo, hi), epoch: this.epochNo, index: this.indexNo, step: this.stepNo };
    this.stepNo++;
    this.indexNo++;
    if (this.indexNo === this.batchesPerEpoch) {
      this.epochNo++;
      this.indexNo = 0;
      this.order = null;
      this.epochStart = this.gen.state();
    }
    return out;
  }

  /** The next batch (epochs roll over forever). */
  next(): Batch<T> {
    const pos = this.nextIndices();
    const gathered = tidy(() =>
      noGrad(() => {
        const idx = tensor(pos.indices, { dtype: 'int32', shape: [pos.indices.length] });
        const out: Record<string, Tensor> = {};
        for (const k of Object.keys(this.data)) out[k] = indexSelect(this.data[k]!, 0, idx);
        return out;
      }),
    );
    return Object.assign(gathered, pos) as Batch<T>;
  }

  /** The remaining batches of the current epoch (a whole epoch when at its start). */
  *epochBatches(): IterableIterator<Batch<T>> {
    const e = this.epochNo;
    while (this.epochNo === e) yield this.next();
  }

  /** An endless stream of batches. */
  *[Symbol.iterator](): Iterator<Batch<T>> {
    for (;;) yield this.next();
  }

  state(): BatcherState {
    return { epoch: this.epochNo, index: this.indexNo, step: this.stepNo, rng: structuredClone(this.epochStart) };
  }

  setState(s: BatcherState): this {
    const fn = 'Batcher.setState';
    const epoch = checks.int(fn, 'epoch', s?.epoch, 0);
    const index = checks.int(fn, 'index', s?.index, 0, this.batchesPerEpoch - 1);
    const step = checks.int(fn, 'step', s?.step, 0);
    if (!s.rng || !Array.isArray(s.rng.key) || !Array.isArray(s.rng.counter) || !Array.isArray(s.rng.buffered)) {
      throw new Error(`${fn}: expected rng to be an RngState { key, counter, buffered }, got ${checks.show(JSON.stringify(s.rng))}`);
    }
    this.gen.setState(s.rng);
    this.epochStart = this.gen.state();
    this.epochNo = epoch;
    this.indexNo = index;
    this.stepNo = step;
    this.order = null;
    if (index > 0) this.drawOrder();
    return this;
  }
}

/** Seeded minibatches over `data` (see `Batcher`). */
export function batches<T extends Examples>(data: T, opts: BatcherOptions): Batcher<T> {
  return new Batcher(data, opts);
}
