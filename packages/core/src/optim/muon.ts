import { fmt } from '../shape.js';
import { axpby } from '../fused-ops.js';
import { mul } from '../ops.js';
import type { Tensor } from '../tensor.js';
import { addDecayedWeights, adamw, scaleByLearningRate } from './optimizers.js';
import { newtonSchulz, MUON_QUINTIC, type NewtonSchulzCoefficients } from './newton-schulz.js';
import { partition } from './partition.js';
import type { ScheduleLike } from './schedules.js';
import { chain, mapParams, zerosLikeParams, type GradientTransform, type Params } from './transform.js';

export interface ScaleByMuonOptions {
  /** Momentum β of the buffer m ← β·m + (1−β)·g (default 0.95). */
  momentum?: number;
  /** Orthogonalise (1−β)·g + β·m instead of m (default true). */
  nesterov?: boolean;
  /** Newton–Schulz iterations (default 5) and their coefficients (default MUON_QUINTIC). */
  steps?: number;
  coefficients?: NewtonSchulzCoefficients;
}

export interface MuonState {
  [key: string]: Params | number;
  count: number;
  momentum: Params;
}

/**
 * Muon's direction for matrices (Jordan et al. 2024): a momentum buffer, then Newton–Schulz
 * orthogonalisation, scaled by √max(1, rows/cols) so that tall matrices (PyTorch's [out, in]
 * layout with out > in) get updates of the same per-entry size. Every parameter must be 2-D.
 */
export function scaleByMuon(opts: ScaleByMuonOptions = {}): GradientTransform<MuonState> {
  const beta = opts.momentum ?? 0.95;
  const nesterov = opts.nesterov ?? true;
  if (!(beta >= 0 && beta < 1)) throw new Error(`muon: expected 0 ≤ momentum < 1, got ${beta}`);
  const ns = { steps: opts.steps ?? 5, coefficients: opts.coefficients ?? MUON_QUINTIC };
  return {
    init(params) {
      for (const [k, p] of Object.entries(params)) {
        if (p.ndim !== 2) throw new Error(`muon: '${k}' expected a matrix, got shape ${fmt(p.shape)} (route it to another optimizer)`);
      }
      return { count: 0, momentum: zerosLikeParams(params) };
    },
    update(grads, state) {
      const momentum: Params = {};
      const out = mapParams(grads, (g: Tensor, k) => {
        const m = axpby(beta, state.momentum[k]!, 1 - beta, g);
        momentum[k] = m;
        const u = nesterov ? axpby(1 - beta, g, beta, m) : m;
        const [rows, cols] = g.shape as [number, number];
        return mul(newtonSchulz(u, ns), Math.sqrt(Math.max(1, rows / cols)));
      });
      return { grads: out, state: { count: state.count + 1, momentum } };
    },
  };
}

export interface MuonOptions extends ScaleByMuonOptions {
  /** Learning rate of the Muon part, in units of spectral norm per update (default 0.02). */
  lr?: ScheduleLike;
  /** Decoupled weight decay of the Muon part (default 0). */
  weightDecay?: number;
  /** Which parameters Muon updates (default: every matrix); the rest go to `other`. */
  useMuon?: (name: string, param: Tensor) => boolean;
  /** The optimizer for the rest: biases, norms and usually embeddings and the head (default AdamW lr 3e-4, betas 0.9/0.95, eps 1e-10, no decay). */
  other?: GradientTransform<any>;
}

/**
 * Muon with an auxiliary optimizer: the matrices chosen by `useMuon` follow
 * −lr·(orthogonalised momentum + weightDecay·W), everything else follows `other`. Defaults are the
 * reference implementation's (lr 0.02, momentum 0.95, Nesterov, 5 quintic Newton–Schulz steps).
 */
export function muon(opts: MuonOptions = {}): GradientTransform<any> {
  const useMuon = opts.useMuon ?? ((_: string, p: Tensor) => p.ndim === 2);
  const other = opts.other ?? adamw({ lr: 3e-4, betas: [0.9, 0.95], eps: 1e-10, weightDecay: 0 });
  const matrices = chain(scaleByMuon(opts), addDecayedWeights(opts.weightDecay ?? 0), scaleByLearningRate(opts.lr ?? 0.02));
  return partition((name, p) => (useMuon(name, p) ? 'muon' : 'other'), { muon: matrices, other });
}
