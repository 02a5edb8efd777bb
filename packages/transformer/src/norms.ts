/** The norm a block or stack uses, by name: core's LayerNorm or RMSNorm over the last dim. */
import { LayerNorm, RMSNorm, checks, warnDeprecated, type NormOptions as CoreNormOptions } from '@grokkit/core';

export const NORMS = ['layer', 'rms'] as const;
export type NormKind = (typeof NORMS)[number];

export type Norm = LayerNorm | RMSNorm;

export interface NormOptions extends CoreNormOptions {
  /** @deprecated use `elementwiseAffine` (PyTorch's name). */
  affine?: boolean;
}

/** A LayerNorm or RMSNorm over the last dim of size `dim`. */
export function createNorm(kind: NormKind, dim: number, opts: NormOptions = {}): Norm {
  const { affine, ...rest } = opts;
  if (affine !== undefined) warnDeprecated("createNorm's option 'affine'", "use 'elementwiseAffine'");
  const o = { elementwiseAffine: affine, ...rest };
  switch (checks.oneOf('createNorm', 'norm', kind, NORMS)) {
    case 'layer':
      return new LayerNorm(dim, o);
    case 'rms':
      return new RMSNorm(dim, o);
  }
}
