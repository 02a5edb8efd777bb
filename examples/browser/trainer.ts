/**
 * The demo's training session, without any DOM: a causal transformer learns x·y mod p with Adam
 * and an optional Grokfast filter, on whichever backend is current (WebGPU or cpu). Every read
 * of a result is awaited, so the page stays responsive between steps; every step runs inside
 * `tidy`, so nothing but the parameters and the optimizer's state outlives it.
 */
import * as g from '@grokkit/core';
import { Batcher, modularArithmetic, type ModularArithmeticDataset } from '@grokkit/datasets';
import { grokfastEma, grokfastMa } from '@grokkit/filters';
import { Decoder, grokfastConfig } from '@grokkit/transformer';

export type FilterKind = 'none' | 'ema' | 'ma';
export const FILTER_KINDS: readonly FilterKind[] = ['none', 'ema', 'ma'];

/** What the filter does; may change between any two steps. */
export interface FilterSettings {
  kind: FilterKind;
  /** EMA decay α in [0, 1). */
  alpha: number;
  /** MA window w (gradients kept per parameter). */
  windowSize: number;
  /** Amplification λ of the slow gradient component. */
  lamb: number;
}

/** The task, the model and the optimizer; fixed for the life of a session. */
export interface ModelSettings {
  /** Modulus of x·y mod p (any integer ≥ 2). */
  p: number;
  trainFraction: number;
  dim: number;
  depth: number;
  heads: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  seed: number;
}

/** One evaluation: accuracies in [0, 1] and the validation loss. */
export interface EvalPoint {
  step: number;
  /** Accuracy on the minibatches seen since the previous evaluation. */
  trainAcc: number;
  valAcc: number;
  trainLoss: number;
  valLoss: number;
}

/** Build the Grokfast filter that `f` describes (null for none); throws on invalid values. */
export function buildFilter(f: FilterSettings): g.GradientTransform<any> | null {
  if (f.kind === 'ema') return grokfastEma({ alpha: f.alpha, lamb: f.lamb });
  if (f.kind === 'ma') return grokfastMa({ windowSize: f.windowSize, lamb: f.lamb, filterType: 'mean', warmup: true });
  return null;
}

type SwitchState = { kind: FilterKind; windowSize: number; inner: g.State };

/**
 * A filter slot whose filter is read from `current()` at every step. The history (EMA mean or MA
 * queue) is kept while it still fits: λ and α change the output only, a new kind or window starts
 * a fresh history. The optimizer disposes the history it replaces.
 */
function switchableFilter(current: () => FilterSettings): g.GradientTransform<SwitchState> {
  const fresh = (f: FilterSettings, params: g.Params): SwitchState => ({
    kind: f.kind,
    windowSize: f.windowSize,
    inner: buildFilter(f)?.init(params) ?? null,
  });
  return {
    init: (params) => fresh(current(), params),
    update(grads, state, params) {
      const f = current();
      const same = state.kind === f.kind && (f.kind !== 'ma' || state.windowSize === f.windowSize);
      const s = same ? state : fresh(f, params);
      const filter = buildFilter(f);
      if (!filter) return { grads, state: s };
      const r = filter.update(grads, s.inner, params);
      return { grads: r.grads, state: { ...s, inner: r.state } };
    },
  };
}

export class Session {
  readonly data: ModularArithmeticDataset;
  readonly model: Decoder;
  readonly optimizer: g.Optimizer<any>;
  /** Optimizer steps taken. */
  step = 0;
  private readonly batches: Batcher;
  private filterSettings: FilterSettings;
  private seen = 0;
  private correct = 0;
  private lossSum = 0;
  private lossCount = 0;

  constructor(
    readonly settings: ModelSettings,
    filter: FilterSettings,
  ) {
    this.filterSettings = { ...filter };
    buildFilter(this.filterSettings); // validate before allocating anything
    const s = settings;
    this.data = modularArithmetic({ p: s.p, op: 'mul', trainFraction: s.trainFraction, seed: s.seed });
    this.model = new Decoder(grokfastConfig(s.p, { dim: s.dim, depth: s.depth, heads: s.heads, rng: g.rng(s.seed, 'init') }));
    this.batches = new Batcher(this.data.train, { batchSize: s.batchSize, seed: s.seed });
    // a 10-step linear warmup, as the Grokfast reference code
    const lr = (t: number) => s.lr * Math.min(1, t / 10);
    const adam = g.adam({ lr, betas: [0.9, 0.98], weightDecay: s.weightDecay });
    this.optimizer = new g.Optimizer(this.model.namedParameters(), g.chain(switchableFilter(() => this.filterSettings), adam));
  }

  get filter(): FilterSettings {
    return { ...this.filterSettings };
  }

  /** Use another filter from the next step on; throws (changing nothing) on invalid values. */
  setFilter(f: FilterSettings): void {
    buildFilter(f);
    this.filterSettings = { ...f };
  }

  /** One optimizer step on the next minibatch; resolves once its loss has been read back. */
  async trainStep(): Promise<number> {
    let n = 0;
    const stats = g.tidy(() => {
      const { inputs, targets } = this.batches.next();
      n = targets.shape[0]!;
      const logits = this.model.forward(inputs, { lastOnly: true });
      const loss = g.crossEntropy(logits, targets);
      loss.backward();
      this.optimizer.update();
      this.optimizer.zeroGrad();
      const correct = g.noGrad(() => logits.argmax(-1).eq(targets).float().sum());
      return g.cat([loss.detach().reshape([1]), correct.reshape([1])]);
    });
    const [loss, correct] = await readAndDispose(stats);
    this.step++;
    this.seen += n;
    this.correct += correct!;
    this.lossSum += loss!;
    this.lossCount++;
    return loss!;
  }

  /** Validation accuracy and loss, with the training accuracy since the previous evaluation. */
  async evaluate(): Promise<EvalPoint> {
    const stats = g.tidy(() =>
      g.noGrad(() => {
        const { inputs, targets } = this.data.val;
        const logits = this.model.forward(inputs, { lastOnly: true });
        const acc = logits.argmax(-1).eq(targets).float().mean();
        return g.cat([acc.reshape([1]), g.crossEntropy(logits, targets).reshape([1])]);
      }),
    );
    const [valAcc, valLoss] = await readAndDispose(stats);
    const point: EvalPoint = {
      step: this.step,
      trainAcc: this.seen > 0 ? this.correct / this.seen : 0,
      valAcc: valAcc!,
      trainLoss: this.lossCount > 0 ? this.lossSum / this.lossCount : Number.NaN,
      valLoss: valLoss!,
    };
    this.seen = this.correct = this.lossSum = this.lossCount = 0;
    return point;
  }

  /** Release every tensor the session holds (parameters, optimizer state, data). */
  dispose(): void {
    this.optimizer.dispose();
    for (const t of this.model.parameters()) t.dispose();
    for (const split of [this.data.train, this.data.val]) {
      split.inputs.dispose();
      split.targets.dispose();
    }
  }
}

async function readAndDispose(t: g.Tensor): Promise<number[]> {
  try {
    return Array.from(await t.data(), Number);
  } finally {
    t.dispose();
  }
}
