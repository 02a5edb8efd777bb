import { checks } from '@grokkit/core';

export interface DownsampleOptions {
  /** Down-sampling factor f in [0, 1]; 0 removes the down-sampled subclasses. */
  f: number;
  /** Training-set size γ_D before rounding. */
  total: number;
  /** Number of subclasses γ_s + γ_r. */
  subclasses: number;
  /** Ids (0..subclasses−1) of the down-sampled subclasses; γ_s = their number. */
  downsampled: readonly number[];
}

/** How many training examples each subclass gets. */
export interface DownsamplePlan {
  /** One count per subclass. */
  counts: number[];
  /** s_s, per down-sampled subclass (before any add-back). */
  perDownsampled: number;
  /** s_r, per remaining subclass. */
  perRemaining: number;
  /** Examples added back to each down-sampled subclass by `addBack`. */
  added: number;
  f: number;
  total: number;
  downsampled: number[];
  /** Sum of counts (close to, not always equal to, `total`). */
  size: number;
}

/**
 * Carvalho et al.'s Eq. 1. With γ_s down-sampled and γ_r remaining subclasses:
 *   s_s = ⌈f·γ_D / (f·γ_s + γ_r)⌉ per down-sampled subclass,
 *   s_r = ⌊γ_D / (f·γ_s + γ_r)⌋ per remaining one.
 * The ceiling and floor allow 1e-9 of rounding error, so exact quotients are not pushed across
 * an integer by floating point. γ_D = 2000, f = 0.2, 4 of 8 subclasses → 84 and 416.
 */
export function downsample(opts: DownsampleOptions): DownsamplePlan {
  const fn = 'downsample';
  const f = checks.number(fn, 'f', opts.f, 0, 1);
  const total = checks.int(fn, 'total', opts.total, 1);
  const nSub = checks.int(fn, 'subclasses', opts.subclasses, 1);
  if (!Array.isArray(opts.downsampled)) throw new Error(`${fn}: expected downsampled to be an array of subclass ids, got ${checks.show(opts.downsampled)}`);
  const down = opts.downsampled.map((s) => checks.int(fn, 'each downsampled id', s, 0, nSub - 1));
  if (new Set(down).size !== down.length) throw new Error(`${fn}: downsampled ids must be distinct, got ${checks.show(down)}`);
  const gs = down.length;
  const gr = nSub - gs;
  const denom = f * gs + gr;
  if (denom === 0) throw new Error(`${fn}: f = 0 with every subclass down-sampled leaves nothing to train on`);
  const perDownsampled = Math.max(0, Math.ceil((f * total) / denom - 1e-9));
  const perRemaining = Math.max(0, Math.floor(total / denom + 1e-9));
  const isDown = new Set(down);
  const counts = Array.from({ length: nSub }, (_, s) => (isDown.has(s) ? perDownsampled : perRemaining));
  return { counts, perDownsampled, perRemaining, added: 0, f, total, downsampled: down, size: counts.reduce((a, b) => a + b, 0) };
}

/**
 * The add-back control: `k` more examples of every down-sampled subclass (e.g. k = 1 on an f = 0
 * plan puts one example of the removed subclass back). Returns a new plan.
 */
export function addBack(plan: DownsamplePlan, k: number): DownsamplePlan {
  checks.int('addBack', 'k', k, 0);
  const isDown = new Set(plan.downsampled);
  const counts = plan.counts.map((c, s) => (isDown.has(s) ? c + k : c));
  return { ...plan, downsampled: [...plan.downsampled], counts, added: plan.added + k, size: counts.reduce((a, b) => a + b, 0) };
}

/**
 * One subclass per class to down-sample: by default the last subclass of each class (for the
 * equivariant preset a neighbour, never the centre); `pick` chooses among a class's subclass ids
 * otherwise (e.g. `(c) => c[g.int(0, c.length)]` with a seeded generator g).
 */
export function onePerClass(classOf: readonly number[], pick: (candidates: number[]) => number = (c) => c[c.length - 1]!): number[] {
  const nClasses = Math.max(...classOf) + 1;
  const out: number[] = [];
  for (let k = 0; k < nClasses; k++) {
    const cand: number[] = [];
    classOf.forEach((c, s) => c === k && cand.push(s));
    if (cand.length > 0) out.push(pick(cand));
  }
  return out;
}
