import { cat, keep, matmul, randn, reshape, rng, tidy, checks, type GradientTransform, type Params, type Tensor } from '@grokkit/core';
import { hann, isPowerOfTwo, rfft } from './fft.js';

export interface GradientSpectrumOptions {
  /** Random projections per parameter, k (default 4). */
  projections?: number;
  /** Samples kept and analysed per projection, a power of two ≥ 4 (default 256). */
  window?: number;
  /**
   * Band edges as fractions of the Nyquist frequency, increasing from 0 to 1
   * (default octaves: 0, 1/128, 1/64, …, 1/2, 1).
   */
  edges?: readonly number[];
  /** Seed of the projection vectors (default 0). */
  seed?: number;
}

/** Power of one signal: per FFT bin and summed per band. */
export interface SpectrumPower {
  psd: number[];
  bands: number[];
}

export interface SpectrumReport {
  /** Gradients recorded so far. */
  step: number;
  /** Samples analysed (min(step, window)); shorter histories are zero-padded to the window. */
  samples: number;
  window: number;
  /** Bin frequencies as fractions of Nyquist (0 … 1), window/2 + 1 of them. */
  frequencies: number[];
  edges: number[];
  /** Per parameter: power of its projected gradient, averaged over the k projections. */
  params: Record<string, SpectrumPower>;
  /** Sum over parameters. */
  overall: SpectrumPower;
}

function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

interface Track {
  /** [k, size], entries N(0, 1/size); made at the parameter's first gradient (absent after `setState` until then). */
  proj?: Tensor;
  buf: Float64Array; // k × window ring buffer
}

/** What `GradientSpectrum.state()` returns: plain JSON, to checkpoint with a run. */
export interface GradientSpectrumState {
  /** Gradients recorded. */
  count: number;
  /** Per parameter, its k × window ring buffer of projected gradients. */
  buffers: Record<string, number[]>;
}

/**
 * Records each parameter's gradient trajectory through k fixed random projections
 * p_j(t) = r_j·g(t), r_j ~ N(0, I/size) (so E[p_j²] is the mean square of g's entries), keeping the
 * last `window` values of each: memory k × window numbers per parameter for the history, plus the
 * k × size projection matrix. `report()` computes a Hann-windowed power spectrum of each trajectory
 * with a real FFT. Insert `spectrum.transform()` anywhere in a chain: it passes gradients through.
 */
export class GradientSpectrum {
  readonly k: number;
  readonly window: number;
  readonly edges: number[];
  readonly seed: number;
  private tracks = new Map<string, Track>();
  private count = 0;

  constructor(opts: GradientSpectrumOptions = {}) {
    this.k = checks.positiveInt('GradientSpectrum', 'projections', opts.projections ?? 4);
    this.window = opts.window ?? 256;
    if (!isPowerOfTwo(this.window) || this.window < 4) throw new Error(`GradientSpectrum: expected window to be a power of two ≥ 4, got ${String(opts.window)}`);
    const edges = [...(opts.edges ?? [0, 1 / 128, 1 / 64, 1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1])];
    const ok = edges.length >= 2 && edges[0] === 0 && edges[edges.length - 1] === 1 && edges.every((e, i) => i === 0 || e > edges[i - 1]!);
    if (!ok) throw new Error(`GradientSpectrum: expected band edges increasing from 0 to 1, got ${JSON.stringify(opts.edges)}`);
    this.edges = edges;
    this.seed = opts.seed ?? 0;
  }

  /** Number of gradients recorded. */
  get steps(): number {
    return this.count;
  }

  /** The [k, size] projection matrix of a parameter (after its first gradient), for inspection. */
  projection(name: string): Tensor | undefined {
    return this.tracks.get(name)?.proj;
  }

  /** Record one set of gradients (one host read per call for all parameters). */
  record(grads: Params): void {
    const names = Object.keys(grads);
    if (names.length === 0) return;
    const values = tidy(() => {
      const parts = names.map((name) => {
        const g = grads[name]!;
        let tr = this.tracks.get(name);
        if (!tr) {
          tr = { buf: new Float64Array(this.k * this.window) };
          this.tracks.set(name, tr);
        }
        if (!tr.proj) {
          const r = rng(BigInt(this.seed >>> 0) * 0x100000000n + BigInt(hashName(name)));
          tr.proj = keep(randn([this.k, g.size], { rng: r, std: 1 / Math.sqrt(g.size), dtype: g.dtype, device: g.device }));
        } else if (tr.proj.shape[1] !== g.size) {
          throw new Error(`GradientSpectrum: '${name}' expected a gradient with ${tr.proj.shape[1]} elements, got ${g.size}`);
        }
        return matmul(tr.proj, reshape(g, [g.size, 1]));
      });
      return cat(parts, 0).dataSync();
    });
    const slot = this.count % this.window;
    names.forEach((name, i) => {
      const buf = this.tracks.get(name)!.buf;
      for (let j = 0; j < this.k; j++) buf[j * this.window + slot] = values[i * this.k + j]!;
    });
    this.count++;
  }

  /** A transform that records the gradients and passes them on unchanged. */
  transform(): GradientTransform<null> {
    return {
      init: () => null,
      update: (grads, state) => {
        this.record(grads);
        return { grads, state };
      },
    };
  }

  /** Power per bin and per band, for every parameter and overall, over the latest window. */
  report(): SpectrumReport {
    const W = this.window;
    const L = Math.min(this.count, W);
    const nb = W / 2 + 1;
    const frequencies = Array.from({ length: nb }, (_, f) => f / (W / 2));
    const win = hann(L);
    const norm = win.reduce((s, x) => s + x * x, 0) * W;
    const params: Record<string, SpectrumPower> = {};
    const overallPsd = new Array<number>(nb).fill(0);
    for (const [name, tr] of this.tracks) {
      const psd = new Array<number>(nb).fill(0);
      if (L >= 2) {
        const x = new Float64Array(W);
        for (let j = 0; j < this.k; j++) {
          // oldest first: samples count−L … count−1
          for (let i = 0; i < L; i++) x[i] = tr.buf[j * W + ((this.count - L + i) % W)]! * win[i]!;
          x.fill(0, L);
          const { re, im } = rfft(x);
          for (let f = 0; f < nb; f++) {
            const one = f === 0 || f === W / 2 ? 1 : 2;
            psd[f]! += (one * (re[f]! ** 2 + im[f]! ** 2)) / norm / this.k;
          }
        }
      }
      params[name] = { psd, bands: this.toBands(psd) };
      psd.forEach((p, f) => (overallPsd[f]! += p));
    }
    return {
      step: this.count,
      samples: L,
      window: W,
      frequencies,
      edges: [...this.edges],
      params,
      overall: { psd: overallPsd, bands: this.toBands(overallPsd) },
    };
  }

  private toBands(psd: number[]): number[] {
    const W = this.window;
    const out = new Array<number>(this.edges.length - 1).fill(0);
    psd.forEach((p, f) => {
      const nu = f / (W / 2);
      let b = this.edges.findIndex((e, i) => i > 0 && nu < e) - 1;
      if (b < 0) b = out.length - 1; // ν = 1 belongs to the last band
      out[b]! += p;
    });
    return out;
  }

  /** Low/high power ratio of the latest window (overall, or of one parameter); see `lowHighRatio`. */
  lowHighRatio(cutoff = 1 / 16, name?: string): number {
    return lowHighRatio(this.report(), cutoff, name);
  }

  /**
   * The recorded history as plain JSON (the projections are not in it: they follow from the seed and
   * the parameter names). `setState` on a spectrum with the same projections, window and seed
   * continues it exactly, so the spectrum can be checkpointed with a training run.
   */
  state(): GradientSpectrumState {
    const buffers: Record<string, number[]> = {};
    for (const [name, tr] of this.tracks) buffers[name] = Array.from(tr.buf);
    return { count: this.count, buffers };
  }

  /** Restore a history from `state()`; checked whole before anything changes. */
  setState(state: GradientSpectrumState): void {
    const n = this.k * this.window;
    const s = state as Partial<GradientSpectrumState> | null;
    const buffers = s && typeof s.buffers === 'object' && s.buffers !== null ? Object.entries(s.buffers) : null;
    const ok =
      s !== null &&
      Number.isInteger(s.count) &&
      s.count! >= 0 &&
      buffers !== null &&
      buffers.every(([, b]) => Array.isArray(b) && b.length === n && b.every((x) => typeof x === 'number' && Number.isFinite(x)));
    if (!ok) {
      const got = s === null || typeof s !== 'object' ? String(s) : `{count: ${String(s.count)}, buffers: ${buffers ? `{${buffers.map(([k, b]) => `${k}: ${Array.isArray(b) ? `${b.length} numbers` : typeof b}`).join(', ')}}` : String(s.buffers)}}`;
      throw new Error(`GradientSpectrum.setState: expected {count: an integer ≥ 0, buffers: {name: ${n} finite numbers (${this.k} projections × window ${this.window})}}, got ${got.slice(0, 200)}`);
    }
    for (const tr of this.tracks.values()) tr.proj?.dispose();
    this.tracks.clear();
    for (const [name, b] of buffers!) this.tracks.set(name, { buf: Float64Array.from(b) });
    this.count = s.count!;
  }

  /** Forget the history (projections are kept). */
  reset(): void {
    this.count = 0;
    for (const tr of this.tracks.values()) tr.buf.fill(0);
  }

  /** Release the projection matrices. */
  dispose(): void {
    for (const tr of this.tracks.values()) tr.proj?.dispose();
    this.tracks.clear();
  }
}

/** Power at frequencies below `cutoff` (fraction of Nyquist) divided by power at or above it. */
export function lowHighRatio(report: SpectrumReport, cutoff = 1 / 16, name?: string): number {
  if (!(cutoff > 0 && cutoff < 1)) throw new Error(`lowHighRatio: expected 0 < cutoff < 1, got ${cutoff}`);
  const p = name === undefined ? report.overall : report.params[name];
  if (!p) throw new Error(`lowHighRatio: no parameter '${name}' in the report (have: ${Object.keys(report.params).join(', ') || 'none'})`);
  let lo = 0;
  let hi = 0;
  p.psd.forEach((v, f) => (report.frequencies[f]! < cutoff ? (lo += v) : (hi += v)));
  return lo / hi;
}
