/** The output normalisation: softmax, or StableMax (Prieto et al. 2025) against softmax collapse. */
import { checks, crossEntropy, fmt, logSoftmax, logStableMax, softmax, stableMax, type Reduction, type Tensor } from '@grokkit/core';

export const OUTPUTS = ['softmax', 'stablemax'] as const;
export type OutputKind = (typeof OUTPUTS)[number];

/** log-probabilities along `dim` for the chosen output normalisation. */
export function logProbsFor(kind: OutputKind): (x: Tensor, dim: number) => Tensor {
  return checks.oneOf('logProbsFor', 'output', kind, OUTPUTS) === 'stablemax' ? logStableMax : logSoftmax;
}

/** probabilities along `dim` for the chosen output normalisation. */
export function probsFor(kind: OutputKind): (x: Tensor, dim: number) => Tensor {
  return checks.oneOf('probsFor', 'output', kind, OUTPUTS) === 'stablemax' ? stableMax : softmax;
}

/**
 * Cross-entropy of logits [..., V] against int32 targets [...] (any number of leading dims,
 * flattened), using log-softmax or log-StableMax.
 */
export function tokenLoss(
  logits: Tensor,
  targets: Tensor,
  opts: { output?: OutputKind; reduction?: Reduction; labelSmoothing?: number } = {},
): Tensor {
  const lead = logits.shape.slice(0, -1);
  if (logits.ndim < 1 || targets.ndim !== lead.length || targets.shape.some((s, i) => s !== lead[i])) {
    throw new Error(`tokenLoss: logits ${fmt(logits.shape)} need targets of shape ${fmt(lead)}, got ${fmt(targets.shape)}`);
  }
  const v = logits.shape[logits.ndim - 1]!;
  const n = targets.size;
  const loss = crossEntropy(logits.reshape([n, v]), targets.reshape([n]), {
    logProbs: logProbsFor(opts.output ?? 'softmax'),
    reduction: opts.reduction,
    labelSmoothing: opts.labelSmoothing,
  });
  return opts.reduction === 'none' ? loss.reshape(lead) : loss;
}
