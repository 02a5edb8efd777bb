/**
 * Names this package exported before its layers moved to @grokkit/core, kept for one release.
 * Each warns once when used; the replacement is named in its JSDoc and in the warning.
 */
import {
  Embedding, LayerNorm as CoreLayerNorm, Linear, RMSNorm as CoreRMSNorm, init, scaleParameters as coreScaleParameters, warnDeprecated,
  type FloatDType, type Generator, type Module, type Tensor,
} from '@grokkit/core';

/** @deprecated the dtype type is core's: `import type { FloatDType } from '@grokkit/core'`. */
export type { FloatDType };

/** @deprecated use core's `LinearOptions` (`weightInit: { uniform: bound }`, `biasInit: { constant: 0 }`). */
export interface DenseOptions {
  bias?: boolean;
  rng?: Generator;
  dtype?: FloatDType;
  weightBound?: number;
  zeroBias?: boolean;
}

/** @deprecated use core's `Linear` (the same layer, parameter names and init). */
export class Dense extends Linear {
  constructor(inFeatures: number, outFeatures: number, opts: DenseOptions = {}) {
    warnDeprecated('Dense from @grokkit/transformer', "use Linear from '@grokkit/core' (weightBound → weightInit: { uniform: b }, zeroBias → biasInit: { constant: 0 })");
    const { weightBound, zeroBias, ...rest } = opts;
    super(inFeatures, outFeatures, {
      ...rest,
      weightInit: weightBound === undefined ? undefined : { uniform: weightBound },
      biasInit: zeroBias ? { constant: 0 } : undefined,
    });
  }
}

/** @deprecated use core's `EmbeddingOptions`. */
export interface TokenEmbeddingOptions {
  rng?: Generator;
  dtype?: FloatDType;
  std?: number;
}

/** @deprecated use core's `Embedding` (the same table and init; `vocabSize` is `numEmbeddings`). */
export class TokenEmbedding extends Embedding {
  constructor(vocabSize: number, dim: number, opts: TokenEmbeddingOptions = {}) {
    warnDeprecated('TokenEmbedding from @grokkit/transformer', "use Embedding from '@grokkit/core'");
    super(vocabSize, dim, opts);
  }
  get vocabSize(): number {
    return this.numEmbeddings;
  }
  override get dim(): number {
    return this.embeddingDim;
  }
}

interface LegacyNormOptions {
  eps?: number;
  affine?: boolean;
  dtype?: FloatDType;
}

/** The old norm options as core's, with the one-time warning for `kind`. */
function coreNormOptions(kind: string, opts: LegacyNormOptions) {
  warnDeprecated(`${kind} from @grokkit/transformer`, `use ${kind} from '@grokkit/core' (option 'affine' is 'elementwiseAffine')`);
  return { eps: opts.eps, elementwiseAffine: opts.affine, dtype: opts.dtype };
}

/** @deprecated use core's `LayerNorm` (`affine` is `elementwiseAffine`, `dim` is `normalizedShape[0]`). */
export class LayerNorm extends CoreLayerNorm {
  constructor(readonly dim: number, opts: LegacyNormOptions = {}) {
    super(dim, coreNormOptions('LayerNorm', opts));
  }
}

/** @deprecated use core's `RMSNorm` (`affine` is `elementwiseAffine`, `dim` is `normalizedShape[0]`). */
export class RMSNorm extends CoreRMSNorm {
  constructor(readonly dim: number, opts: LegacyNormOptions = {}) {
    super(dim, coreNormOptions('RMSNorm', opts));
  }
}

/** @deprecated use `init.uniform(shape, bound, rng, dtype)` from '@grokkit/core'. */
export function uniformParam(shape: readonly number[], bound: number, rng: Generator | undefined, dtype: FloatDType): Tensor {
  warnDeprecated('uniformParam from @grokkit/transformer', "use init.uniform(shape, bound, rng, dtype) from '@grokkit/core'");
  return init.uniform(shape, bound, rng, dtype);
}

/** @deprecated use `init.normal(shape, std, rng, dtype)` from '@grokkit/core'. */
export function normalParam(shape: readonly number[], std: number, rng: Generator | undefined, dtype: FloatDType): Tensor {
  warnDeprecated('normalParam from @grokkit/transformer', "use init.normal(shape, std, rng, dtype) from '@grokkit/core'");
  return init.normal(shape, std, rng, dtype);
}

/** @deprecated use `init.constant(shape, value, dtype)` from '@grokkit/core'. */
export function constParam(shape: readonly number[], value: number, dtype: FloatDType): Tensor {
  warnDeprecated('constParam from @grokkit/transformer', "use init.constant(shape, value, dtype) from '@grokkit/core'");
  return init.constant(shape, value, dtype);
}

/** @deprecated moved to '@grokkit/core': `import { scaleParameters } from '@grokkit/core'`. */
export function scaleParameters<M extends Module>(module: M, k: number): M {
  warnDeprecated('scaleParameters from @grokkit/transformer', "import scaleParameters from '@grokkit/core'");
  return coreScaleParameters(module, k);
}
