/**
 * GrokBench's methods. A method is a `+`-joined list of components, each optionally with settings:
 * `grokfast-ema`, `grokfast-ema+compression`, `grokfast-ema:lamb=5:alpha=0.95+muon:mlr=0.01`.
 * Every method trains the same model on the same data with Adam (lr 1e-3, betas 0.9/0.98, a 10-step
 * linear warmup; the Grokfast reference code's optimizer); components add to that:
 *   - gradient filters, chained before the optimizer in the order written (Grokfast EMA/MA, ⊥Grad, EGD);
 *   - Adam's L2 weight decay `wd`: the largest any component asks for, unless one sets it explicitly;
 *   - Muon in place of Adam on the hidden matrices (Adam keeps embeddings, head, norms, biases);
 *   - the StableMax output (⊥Grad's companion) and the delayed compression penalty;
 *   - weight-norm clipping, a projection after the optimizer's update.
 */
import * as g from '@grokkit/core';
import { egalitarianGrad, grokfastEma, grokfastMa, orthogonalGrad } from '@grokkit/filters';
import { DelayedPenalty } from './compression.js';

/** Everything a method decides; the run adds the model, data and evaluation. */
export interface Recipe {
  filters: g.GradientTransform<any>[];
  /** Adam's learning rate and L2 weight decay. */
  lr: number;
  weightDecay: number;
  /** The optimizer for everything Muon does not take: Adam (L2 weight decay) or Lion (decoupled). */
  optimizer: 'adam' | 'lion';
  muon: { lr: number; momentum: number; weightDecay: number } | null;
  output: 'softmax' | 'stablemax';
  compression: { coefficient: number; threshold: number } | null;
  /** Per-row L2 bound on the Linear weights, applied after each update (null: none). */
  rowNormClip: { maxNorm: number; embeddings: boolean } | null;
}

interface Component {
  summary: string;
  /** Where the default settings come from. */
  source: string;
  /** Settings and their defaults (lr and wd are Adam's; any component may set them). */
  defaults: Record<string, number>;
  apply(s: Record<string, number>, r: Recipe): void;
}

/** The transformer's hidden matrices (attention and MLP weights): Muon's share; embeddings and head stay with Adam. */
export const isHiddenMatrix = (name: string, p: g.Tensor) => p.ndim === 2 && /\.(attn|mlp)\./.test(name);
/** The Linear layers' weights (attention, MLP, head), whose rows weight-norm clipping bounds; not the embeddings. */
export const isLinearWeight = (name: string, p: g.Tensor) => isHiddenMatrix(name, p) || name === 'head.weight';
/** The MLP weights, which the EGD reference code equalises in its Grokfast comparison. */
export const isMlpWeight = (name: string) => /\.mlp\.fc[12]\.weight$/.test(name);

export const COMPONENTS: Record<string, Component> = {
  baseline: {
    summary: 'Adam, no filter, no weight decay',
    source: 'Grokfast reference code (Lee et al. 2024)',
    defaults: { lr: 1e-3, wd: 0 },
    apply: () => {},
  },
  'grokfast-ema': {
    summary: 'Grokfast-EMA: g + λ·EMA_α(g), Adam L2 weight decay',
    source: 'Grokfast paper, x·y run (α 0.98, λ 2, wd 0.005)',
    defaults: { alpha: 0.98, lamb: 2, wd: 0.005 },
    apply: (s, r) => void r.filters.push(grokfastEma({ alpha: s.alpha, lamb: s.lamb })),
  },
  'grokfast-ma': {
    summary: 'Grokfast-MA: g + λ·mean of the last w gradients (after warm-up), Adam L2 weight decay',
    source: 'Grokfast paper, x·y run (w 100, λ 5, wd 0.01)',
    defaults: { window: 100, lamb: 5, wd: 0.01 },
    apply: (s, r) => void r.filters.push(grokfastMa({ windowSize: s.window, lamb: s.lamb, filterType: 'mean', warmup: true })),
  },
  orthograd: {
    summary: '⊥Grad (gradient minus its projection on the weights, norm restored) with the StableMax output, no weight decay',
    source: 'Prieto et al. 2025 (grokking without weight decay); optimizer as the baseline',
    defaults: { wd: 0 },
    apply: (_, r) => {
      r.filters.push(orthogonalGrad());
      r.output = 'stablemax';
    },
  },
  egd: {
    summary: 'EGD: each MLP weight gradient replaced by UVᵀ of its SVD, then Adam with L2 weight decay',
    source: 'EGD reference code, Grokfast comparison (MLP weights, Adam, wd 0.005)',
    defaults: { wd: 0.005 },
    apply: (_, r) => void r.filters.push(egalitarianGrad({ include: isMlpWeight })),
  },
  muon: {
    summary: 'Muon (Nesterov momentum, 5 Newton–Schulz steps) on the hidden matrices, Adam on the rest',
    source: 'Muon reference implementation defaults (lr 0.02, momentum 0.95, no decay); Adam part as the baseline',
    defaults: { mlr: 0.02, momentum: 0.95, mwd: 0 },
    apply: (s, r) => void (r.muon = { lr: s.mlr!, momentum: s.momentum!, weightDecay: s.mwd! }),
  },
  compression: {
    summary: 'delayed compression: + coef·Σ‖W‖²_F in the loss once training accuracy ≥ threshold',
    source: 'the delayed-compression fork of Grokfast (coef 0.01, threshold 0.99, no weight decay)',
    defaults: { coef: 0.01, threshold: 0.99 },
    apply: (s, r) => void (r.compression = { coefficient: s.coef!, threshold: s.threshold! }),
  },
  lion: {
    summary: 'Lion (sign of the interpolated momentum, betas 0.9/0.99) in place of Adam, decoupled weight decay',
    source: 'Lion reference code (betas 0.9, 0.99), no weight decay as in Clip to Grok; lr 1e-3 tuned on seed 10 (1e-4: 13% training accuracy at step 400)',
    defaults: { lr: 1e-3, wd: 0 },
    apply: (s, r) => {
      r.optimizer = 'lion';
      r.lr = s.lr!;
    },
  },
  normclip: {
    summary: 'weight-norm clipping: after each update every row of every weight matrix (embeddings, attention, MLP, head) scaled back to L2 norm ≤ maxnorm, no weight decay; embed=0 spares the embeddings',
    source: 'Clip to Grok (per-row clipping after every step, no weight decay; max norm 2.0 for x·y, with Lion); which matrices its "decoder weights" are was chosen on seed 10 (with Lion: all of them 95% near step 1,300, the Linear layers alone 16% at 1,070)',
    defaults: { maxnorm: 2, embed: 1, wd: 0 },
    apply: (s, r) => {
      if (!(s.maxnorm! > 0)) throw new Error(`normclip: expected maxnorm > 0, got ${s.maxnorm}`);
      if (s.embed !== 0 && s.embed !== 1) throw new Error(`normclip: expected embed=1 (every matrix) or 0 (not the embeddings), got ${s.embed}`);
      r.rowNormClip = { maxNorm: s.maxnorm!, embeddings: s.embed === 1 };
    },
  },
};

export const COMPONENT_IDS = Object.keys(COMPONENTS);

/** The methods run by default: every component alone, and the combinations the issue names. */
export const DEFAULT_METHODS = [
  'baseline', 'grokfast-ema', 'grokfast-ma', 'orthograd', 'muon', 'egd', 'compression',
  'grokfast-ema+muon', 'grokfast-ema+compression', 'grokfast-ema+egd',
];

const SHARED = ['lr', 'wd'];

/** Parse `id:key=value:…+id…` into components with their settings (defaults filled in). */
export function parseMethod(spec: string): { id: string; settings: Record<string, number> }[] {
  if (typeof spec !== 'string' || spec.trim() === '') throw new Error(`method: expected a method like 'grokfast-ema+compression', got '${spec}'`);
  return spec.split('+').map((part) => {
    const [id, ...kvs] = part.trim().split(':');
    const c = COMPONENTS[id!];
    if (!c) throw new Error(`method '${spec}': unknown component '${id}'; expected one of ${COMPONENT_IDS.join(', ')}`);
    const settings: Record<string, number> = {};
    for (const kv of kvs) {
      const m = /^([a-z]+)=(.+)$/.exec(kv);
      const value = m ? Number(m[2]) : Number.NaN;
      if (!m || !Number.isFinite(value)) throw new Error(`method '${spec}': expected key=number after '${id}:', got '${kv}'`);
      if (!(m[1]! in c.defaults) && !SHARED.includes(m[1]!)) {
        throw new Error(`method '${spec}': '${id}' has no setting '${m[1]}'; it has ${[...Object.keys(c.defaults), ...SHARED.filter((k) => !(k in c.defaults))].join(', ')}`);
      }
      settings[m[1]!] = value;
    }
    return { id: id!, settings };
  });
}

/** The recipe of a method: its filters, optimizer settings, output and penalty. */
export function recipeOf(spec: string): Recipe {
  const parts = parseMethod(spec);
  const r: Recipe = { filters: [], lr: 1e-3, weightDecay: 0, optimizer: 'adam', muon: null, output: 'softmax', compression: null, rowNormClip: null };
  let explicitLr: number | undefined;
  let explicitWd: number | undefined;
  const seen = new Set<string>();
  for (const { id, settings } of parts) {
    if (seen.has(id)) throw new Error(`method '${spec}': component '${id}' appears twice`);
    seen.add(id);
    const c = COMPONENTS[id]!;
    const s = { ...c.defaults, ...settings };
    if (settings.lr !== undefined) {
      if (explicitLr !== undefined && explicitLr !== settings.lr) throw new Error(`method '${spec}': lr is set twice (${explicitLr} and ${settings.lr})`);
      explicitLr = settings.lr;
    }
    if (settings.wd !== undefined) {
      if (explicitWd !== undefined && explicitWd !== settings.wd) throw new Error(`method '${spec}': wd is set twice (${explicitWd} and ${settings.wd})`);
      explicitWd = settings.wd;
    }
    if (s.wd !== undefined) r.weightDecay = Math.max(r.weightDecay, s.wd);
    c.apply(s, r);
  }
  if (explicitLr !== undefined) r.lr = explicitLr;
  if (explicitWd !== undefined) r.weightDecay = explicitWd;
  return r;
}

/** The 10-step linear warmup of the Grokfast reference code, on a base learning rate. */
export const warmup = (lr: number) => (t: number) => lr * Math.min(1, t / 10);

/** The update rule of a recipe (filters, then Adam or Lion, or Muon + either, then any row-norm clip), optionally after an observer such as a gradient spectrum. */
export function transformOf(r: Recipe, observe?: g.GradientTransform<any>): g.GradientTransform<any> {
  const base =
    r.optimizer === 'lion'
      ? g.lion({ lr: warmup(r.lr), betas: [0.9, 0.99], weightDecay: r.weightDecay })
      : g.adam({ lr: warmup(r.lr), betas: [0.9, 0.98], weightDecay: r.weightDecay });
  const optimizer = r.muon
    ? g.muon({ lr: warmup(r.muon.lr), momentum: r.muon.momentum, weightDecay: r.muon.weightDecay, useMuon: isHiddenMatrix, other: base })
    : base;
  const c = r.rowNormClip;
  // with the embeddings, clipRowNorms's default choice: every matrix
  const clip = c === null ? [] : [g.clipRowNorms(c.maxNorm, c.embeddings ? {} : { include: isLinearWeight })];
  return g.chain(...(observe ? [observe] : []), ...r.filters, optimizer, ...clip);
}

/** The delayed-compression switch of a recipe, or null. */
export function penaltyOf(r: Recipe): DelayedPenalty | null {
  return r.compression ? new DelayedPenalty(r.compression) : null;
}

/** One line per component for `--list`: id, settings with defaults, summary, source. */
export function listComponents(): string[] {
  return COMPONENT_IDS.map((id) => {
    const c = COMPONENTS[id]!;
    const settings = Object.entries(c.defaults).map(([k, v]) => `${k}=${v}`).join(' ');
    return `${id.padEnd(13)} ${settings.padEnd(32)} ${c.summary}. Settings from: ${c.source}.`;
  });
}
