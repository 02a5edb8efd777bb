/**
 * @grokkit/core: tensors, a small set of primitives with one VJP rule each, reverse-mode
 * autodiff, nn modules, optimizers as gradient transforms, seeded RNG, safetensors checkpoints,
 * and the cpu backend (always registered).
 */
export type { DType, TypedArray } from './dtype.js';
export { isFloat, promote } from './dtype.js';
export type { Shape } from './shape.js';
export { broadcastShapes, broadcastStrides, collapse, fmt, normDim, normDims, sameShape, sizeOf, stridesOf } from './shape.js';
export type { Primitive, PrimitiveParams } from './primitives.js';
export type { Backend, TensorInfo } from './backend.js';
export { registerBackend, getBackend, setBackend, currentBackend, listBackends } from './backend.js';
export { createCpuBackend, cpuKernels, type CpuKernel } from './cpu/backend.js';
export { Tensor, apply, tidy, keep, noGrad, withGrad, isGradEnabled, liveTensors, setCheckFinite, tensorsIn } from './tensor.js';
export type { Node, NestedArray } from './tensor.js';
export { grad } from './autograd.js';
export { vjps, type VjpRule } from './vjp.js';
export { tensor, zeros, ones, full, zerosLike, onesLike, arange, eye, rand, randn, randint } from './creation.js';
export type { TensorOptions, RandomOptions } from './creation.js';
export {
  add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, gt, le, ge, logicalNot,
  neg, exp, log, sqrt, rsqrt, square, reciprocal, sign, abs, sin, cos, tanh, erf, sigmoid, relu, gelu, silu, clamp,
  where, cast, detach, clone,
  sum, mean, max, min, variance, std, argmax, argmin, sumTo,
  matmul, mm, linear, reshape, flatten, permute, transpose, unsqueeze, squeeze, expand, slice, pad, cat, stack,
  gather, scatterAdd, indexSelect, oneHot,
  softmax, logSoftmax, stableMax, logStableMax, crossEntropy, mseLoss, layerNorm, dropout,
  type Reduction, type TensorLike,
} from './ops.js';
export { Generator, rng, philox, manualSeed, defaultGenerator, type RngState } from './random.js';
export { Module } from './nn/module.js';
export { Linear, Embedding, LayerNorm, Dropout, Activation, Sequential, type Forward } from './nn/layers.js';
export { init, parameter } from './nn/init.js';
export {
  chain, mapParams, zerosLikeParams, checkSameTree, Optimizer,
  type GradientTransform, type Params, type State,
} from './optim/transform.js';
export {
  scale, scaleByLearningRate, addDecayedWeights, scaleByAdam, traceMomentum, sgd, adam, adamw, globalNorm, clipByGlobalNorm,
  type AdamOptions, type AdamState,
} from './optim/optimizers.js';
export { newtonSchulz, MUON_QUINTIC, CUBIC, type NewtonSchulzCoefficients, type NewtonSchulzOptions } from './optim/newton-schulz.js';
export { partition } from './optim/partition.js';
export { symmetricEigen, type SymmetricEigen } from './linalg/symmetric-eigen.js';
export { polarFactor, type PolarFactorOptions } from './linalg/polar-factor.js';
export { muon, scaleByMuon, type MuonOptions, type ScaleByMuonOptions, type MuonState } from './optim/muon.js';
export { asSchedule, constantSchedule, linearSchedule, cosineDecay, linearWarmup, warmupCosine, type Schedule, type ScheduleLike } from './optim/schedules.js';
export { saveSafetensors, saveSafetensorsSync, loadSafetensors, type SafetensorsContents } from './io/safetensors.js';
export {
  saveCheckpoint, loadCheckpoint, restoreParams, restoreCheckpoint, checkStateShape,
  type Checkpoint, type LoadedCheckpoint,
} from './io/checkpoint.js';
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export { defineFused, registerFusedKernel, setFusion, type FusedDef, type FusedKernel } from './fused.js';
export { conformanceCases, compareWithReference, type ConformanceCase, type InputSpec } from './conformance.js';
export { axpby, adamDirection } from './fused-ops.js';
export { wasmAvailable, wasmThreads, setWasmThreads, wasmThreadStats, shutdownWasmThreads } from './wasm/index.js';
