import { tensor, checks, type Tensor } from '@grokkit/core';
import { equidistantLayout, equivariantLayout, type ClusterLayout } from './cluster-presets.js';
import { stream } from './streams.js';

export type ClusterPreset = 'equidistant' | 'equivariant' | ClusterLayout;

export interface HammingClustersOptions {
  /** Number of binary blocks (default 9 → 512 possible base classes). */
  p?: number;
  /** Dimensions per block (default 13 → x ∈ ℝ^117). */
  r?: number;
  /** Noise standard deviation, Σ = σ²I (Carvalho et al. do not state it; required). */
  sigma: number;
  /** Which subclasses exist and their classes (default 'equidistant'). */
  preset?: ClusterPreset;
  /** Seed of the means and of the samples (default 0). */
  seed?: number | bigint;
  /** ‖μ_i⁰ − μ_i¹‖ for every block (default 1). */
  separation?: number;
}

/** Samples: float32 features, int32 class labels and int32 subclass ids, grouped by subclass. */
export interface ClusterSplit {
  /** float32 [n, p·r]. */
  inputs: Tensor;
  /** int32 [n]: class (superclass) of each example. */
  targets: Tensor;
  /** int32 [n]: subclass id (index into `codes`) of each example. */
  subclasses: Tensor;
}

/** Per-subclass counts, as a number (same for all), an array, or a `downsample()` plan. */
export type SubclassCountsLike = number | readonly number[] | { counts: readonly number[] };

const STREAMS = { means: 0, train: 1, test: 2 } as const;

function layoutFor(preset: ClusterPreset, p: number): ClusterLayout {
  if (preset === 'equidistant') return equidistantLayout(p);
  if (preset === 'equivariant') return equivariantLayout(p);
  if (typeof preset !== 'object' || preset === null || !Array.isArray(preset.codes) || !Array.isArray(preset.classOf)) {
    throw new Error(`hammingClusters: expected preset 'equidistant', 'equivariant' or { codes, classOf }, got ${checks.show(preset)}`);
  }
  const { codes, classOf } = preset;
  if (codes.length === 0) throw new Error('hammingClusters: preset.codes is empty');
  if (codes.length !== classOf.length) {
    throw new Error(`hammingClusters: preset.codes has ${codes.length} entries but preset.classOf has ${classOf.length}`);
  }
  const seen = new Set<number>();
  for (const c of codes) {
    checks.int('hammingClusters', 'each preset code', c, 0, 2 ** p - 1);
    if (seen.has(c)) throw new Error(`hammingClusters: preset code ${c} appears twice`);
    seen.add(c);
  }
  const nClasses = Math.max(...classOf.map((k) => checks.int('hammingClusters', 'each preset classOf', k, 0))) + 1;
  for (let k = 0; k < nClasses; k++) {
    if (!classOf.includes(k)) throw new Error(`hammingClusters: classes must be 0..${nClasses - 1} with no gaps; class ${k} has no subclass`);
  }
  return { codes: [...codes], classOf: [...classOf] };
}

/**
 * The product-of-Gaussians cluster data of Carvalho et al. (2025). Block i (r dimensions) has two
 * means μ_i⁰, μ_i¹ with ‖μ_i⁰ − μ_i¹‖ = separation; a subclass with code j draws block i from
 * N(μ_i^{bit i of j}, σ²I). Distances between subclass means are separation·√(Hamming distance).
 */
export class HammingClusters {
  readonly p: number;
  readonly r: number;
  /** Feature dimension p·r. */
  readonly dim: number;
  readonly sigma: number;
  readonly separation: number;
  readonly seed: number | bigint;
  readonly codes: readonly number[];
  readonly classOf: readonly number[];
  readonly nClasses: number;
  readonly nSubclasses: number;
  /**
   * Block means as [p, 2, r]: μ_i^b at offset (2i + b)·r. The pair is ±(separation/2)·u_i around
   * the origin, u_i a seeded uniformly random unit vector.
   */
  readonly means: Float64Array;

  constructor(opts: HammingClustersOptions) {
    const fn = 'hammingClusters';
    if (!opts || opts.sigma === undefined) {
      throw new Error(`${fn}: expected sigma (noise standard deviation, Σ = σ²I; not given in the paper), got none`);
    }
    this.p = checks.int(fn, 'p', opts.p ?? 9, 1, 30);
    this.r = checks.int(fn, 'r', opts.r ?? 13, 1);
    this.sigma = checks.number(fn, 'sigma', opts.sigma, 0);
    this.separation = checks.number(fn, 'separation', opts.separation ?? 1, 0);
    this.seed = checks.seed(fn, opts.seed ?? 0);
    this.dim = this.p * this.r;
    const layout = layoutFor(opts.preset ?? 'equidistant', this.p);
    this.codes = Object.freeze(layout.codes);
    this.classOf = Object.freeze(layout.classOf);
    this.nSubclasses = layout.codes.length;
    this.nClasses = Math.max(...layout.classOf) + 1;

    const g = stream(this.seed, STREAMS.means);
    const { p, r } = this;
    this.means = new Float64Array(p * 2 * r);
    const u = new Float64Array(r);
    for (let i = 0; i < p; i++) {
      let norm = 0;
      do {
        norm = 0;
        for (let d = 0; d < r; d++) {
          u[d] = g.normal();
          norm += u[d]! * u[d]!;
        }
      } while (norm < 1e-12);
      const s = this.separation / 2 / Math.sqrt(norm);
      for (let d = 0; d < r; d++) {
        this.means[(2 * i) * r + d] = -s * u[d]!;
        this.means[(2 * i + 1) * r + d] = s * u[d]!;
      }
    }
  }

  /** Subclass ids of class `c`, in subclass order. */
  subclassesOf(c: number): number[] {
    const out: number[] = [];
    this.classOf.forEach((k, s) => k === c && out.push(s));
    return out;
  }

  /** The mean of subclass `s` (length p·r). */
  mean(s: number): Float64Array {
    checks.int('HammingClusters.mean', 'subclass', s, 0, this.nSubclasses - 1);
    const { p, r } = this;
    const code = this.codes[s]!;
    const out = new Float64Array(p * r);
    for (let i = 0; i < p; i++) {
      const b = (code >>> i) & 1;
      out.set(this.means.subarray((2 * i + b) * r, (2 * i + b + 1) * r), i * r);
    }
    return out;
  }

  /** Resolve counts given as a number, an array or a plan into one count per subclass. */
  countsOf(counts: SubclassCountsLike): number[] {
    const fn = 'HammingClusters.sample';
    const arr = typeof counts === 'number' ? new Array<number>(this.nSubclasses).fill(counts) : Array.isArray(counts) ? counts : (counts as { counts: readonly number[] }).counts;
    if (!Array.isArray(arr) || arr.length !== this.nSubclasses) {
      throw new Error(`${fn}: expected ${this.nSubclasses} per-subclass counts, got ${checks.show(counts)}`);
    }
    return arr.map((c) => checks.int(fn, 'each count', c, 0));
  }

  /**
   * Draw examples: counts[s] from subclass s, grouped by subclass in subclass order. Example k of
   * subclass s in a stream is always the same vector, whatever the other counts, so a plan that
   * adds examples back only appends to the smaller one. 'train' and 'test' are disjoint streams;
   * a number ≥ 3 names another.
   */
  sample(counts: SubclassCountsLike, which: 'train' | 'test' | number = 'train'): ClusterSplit {
    const cs = this.countsOf(counts);
    const id = typeof which === 'number' ? checks.int('HammingClusters.sample', 'stream', which, 3, 0xffffffff) : STREAMS[which];
    if (id === undefined) throw new Error(`HammingClusters.sample: expected stream 'train', 'test' or an integer ≥ 3, got ${checks.show(which)}`);
    const n = cs.reduce((a, b) => a + b, 0);
    const { dim } = this;
    const x = new Float32Array(n * dim);
    const y = new Int32Array(n);
    const sub = new Int32Array(n);
    let row = 0;
    for (let s = 0; s < this.nSubclasses; s++) {
      const g = stream(this.seed, id, s);
      const mu = this.mean(s);
      for (let k = 0; k < cs[s]!; k++, row++) {
        for (let d = 0; d < dim; d++) x[row * dim + d] = mu[d]! + this.sigma * g.normal();
        y[row] = this.classOf[s]!;
        sub[row] = s;
      }
    }
    return {
      inputs: tensor(x, { dtype: 'float32', shape: [n, dim] }),
      targets: tensor(y, { dtype: 'int32', shape: [n] }),
      subclasses: tensor(sub, { dtype: 'int32', shape: [n] }),
    };
  }

  /** Training examples (stream 'train'); pass a `downsample()` plan to ablate subclasses. */
  train(counts: SubclassCountsLike): ClusterSplit {
    return this.sample(counts, 'train');
  }

  /** A balanced test set: `perSubclass` examples of every subclass (stream 'test'). */
  test(perSubclass: number): ClusterSplit {
    return this.sample(checks.int('HammingClusters.test', 'perSubclass', perSubclass, 1), 'test');
  }

  /** A JSON-safe summary. */
  describe(): {
    p: number; r: number; dim: number; sigma: number; separation: number; seed: string;
    codes: number[]; classOf: number[]; nClasses: number; nSubclasses: number;
  } {
    return {
      p: this.p, r: this.r, dim: this.dim, sigma: this.sigma, separation: this.separation, seed: String(this.seed),
      codes: [...this.codes], classOf: [...this.classOf], nClasses: this.nClasses, nSubclasses: this.nSubclasses,
    };
  }
}

/** Build Carvalho et al.'s cluster dataset (see `HammingClusters`). */
export function hammingClusters(opts: HammingClustersOptions): HammingClusters {
  return new HammingClusters(opts);
}
