/**
 * @grokkit/datasets: deterministic, generated datasets for grokking research, as int32/float32
 * tensors plus a description. Modular arithmetic (Power et al.), seeded minibatches that resume
 * exactly, Carvalho et al.'s cluster data with down-sampling and add-back controls, Wang et al.'s
 * composition and comparison, and a minimal path-finding task.
 */
export type { Split } from './split.js';
export {
  MODULAR_OPS, modularOpIds, isModularOp, isPrime, mod, mulMod, powMod, invMod,
  type ModularOp, type ModularOpSpec,
} from './modular-ops.js';
export {
  modularArithmetic,
  type ModularArithmeticOptions, type ModularArithmeticDataset, type ModularArithmeticDescription,
} from './modular-arithmetic.js';
export { Batcher, batches, type Batch, type BatcherOptions, type BatcherState, type Examples } from './batcher.js';
export { popcount, hammingDistance, neighbours, distanceTwoClique } from './hamming.js';
export { equidistantLayout, equivariantLayout, EQUIVARIANT_CENTRES, type ClusterLayout } from './cluster-presets.js';
export {
  HammingClusters, hammingClusters,
  type HammingClustersOptions, type ClusterPreset, type ClusterSplit, type SubclassCountsLike,
} from './hamming-clusters.js';
export { downsample, addBack, onePerClass, type DownsampleOptions, type DownsamplePlan } from './downsample.js';
export { perSubclassAccuracy, type Predictions, type SubclassAccuracy } from './subclass-accuracy.js';
export { composition, type CompositionOptions, type CompositionDataset, type CompositionVocab } from './composition.js';
export { comparison, type ComparisonOptions, type ComparisonDataset, type ComparisonVocab } from './comparison.js';
export { pathFinding, BRANCH_POINTS, type BranchPoint, type PathFindingOptions, type PathFindingDataset, type PathSplit } from './path-finding.js';
export { shuffleInPlace } from './shuffle.js';
export { stream } from './streams.js';
