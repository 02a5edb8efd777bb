/**
 * @grokkit/core: tensors, a small set of primitives with one VJP rule each, reverse-mode
 * autodiff, nn modules, optimizers as gradient transforms, seeded RNG, safetensors checkpoints,
 * and the cpu backend (always available). What a user trains with; a backend or kernel author's
 * surface is `@grokkit/core/backend`, the gradient check and the backend conformance suite are in
 * `@grokkit/core/testing`.
 */
export type { DType, FloatDType, TypedArray } from './dtype.js';
export { isFloat, promote } from './dtype.js';
export type { Shape } from './shape.js';
export { broadcastShapes, fmt, normDim, normDims, sameShape, sizeOf, MAX_ELEMENTS } from './shape.js';
export type { Backend } from './backend.js';
export { getBackend, setBackend, currentBackend, listBackends } from './registry.js';
export { Tensor, tidy, keep, noGrad, withGrad, isGradEnabled, liveTensors, setCheckFinite, tensorsIn } from './tensor.js';
export type { Node, NestedArray } from './tensor.js';
export { grad } from './autograd.js';
export { tensor, zeros, ones, full, zerosLike, onesLike, arange, eye, rand, randn, randint } from './creation.js';
export type { TensorOptions, RandomOptions } from './creation.js';
export {
  add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, gt, le, ge, logicalNot,
  neg, exp, log, sqrt, rsqrt, square, reciprocal, sign, abs, sin, cos, tanh, erf, sigmoid, relu, gelu, silu, clamp,
  where, cast, detach, clone,
  sum, mean, max, min, variance, var, std, argmax, argmin,
  matmul, mm, linear, reshape, flatten, permute, transpose, unsqueeze, squeeze, expand, slice, pad, cat, stack,
  gather, scatterAdd, indexSelect, oneHot,
  softmax, logSoftmax, stableMax, logStableMax, crossEntropy, mseLoss, layerNorm, rmsNorm, dropout,
  type Reduction, type TensorLike,
} from './ops.js';
export { Generator, rng, philox, manualSeed, defaultGenerator, type RngState } from './random.js';
export { Module } from './nn/module.js';
export { Linear, type LinearOptions } from './nn/linear.js';
export { Embedding, type EmbeddingOptions } from './nn/embedding.js';
export { LayerNorm, RMSNorm, type LayerNormOptions, type NormOptions } from './nn/norms.js';
export { Dropout, Activation, Sequential, type Forward } from './nn/layers.js';
export { init, parameter, scaleParameters, type Init } from './nn/init.js';
export * as checks from './checks.js';
export { warnDeprecated } from './deprecation.js';
export {
  chain, elementwise, emptyParams, mapParams, zerosLikeParams, checkSameTree, Optimizer,
  type GradientTransform, type ElementwiseRule, type Params, type State,
} from './optim/transform.js';
export {
  scale, scaleByLearningRate, addDecayedWeights, scaleByAdam, scaleByLion, traceMomentum, sgd, adam, adamw, lion, globalNorm, clipByGlobalNorm, clipRowNorms,
  type AdamOptions, type AdamState,
} from './optim/optimizers.js';
export { newtonSchulz, MUON_QUINTIC, CUBIC, type NewtonSchulzCoefficients, type NewtonSchulzOptions } from './optim/newton-schulz.js';
export { partition } from './optim/partition.js';
export { symmetricEigen, type SymmetricEigen } from './linalg/symmetric-eigen.js';
export { polarFactor, type PolarFactorOptions } from './linalg/polar-factor.js';
export { muon, scaleByMuon, type MuonOptions, type ScaleByMuonOptions, type MuonState } from './optim/muon.js';
export { asSchedule, constantSchedule, linearSchedule, cosineDecay, linearWarmup, warmupCosine, type Schedule, type ScheduleLike } from './optim/schedules.js';
export { saveSafetensors, saveSafetensorsSync, loadSafetensors, CHECKSUM_KEY, type SafetensorsContents, type SaveSafetensorsOptions } from './io/safetensors.js';
export {
  saveCheckpoint, loadCheckpoint, restoreParams, restoreCheckpoint, checkStateShape,
  type Checkpoint, type LoadedCheckpoint, type RestoreTarget,
} from './io/checkpoint.js';
export { axpby } from './fused-ops.js';
export { fusedExpressions } from './fused-expressions.js';
export { ex, type Expr } from './expr.js';
