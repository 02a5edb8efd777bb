/**
 * The cpu backends: storage is a typed array, and every primitive has a kernel. 'cpu' (the
 * default) runs the fast kernels and fused kernels; 'cpu-reference' runs the plain-TypeScript
 * kernels and every fused op as its composition: the oracle every other backend is tested against.
 */
import { composed, type Backend, type FusedTable } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { runExpressions } from './elementwise.js';
import { fastCpuKernels } from './fast-kernels.js';
import { cpuFusedKernels } from './fused-kernels.js';
import { cpuKernels, type CpuKernels } from './kernels.js';
import { adopt, release } from './pool.js';

/** The reference backend's fused table: each op runs as its composition of primitives. */
export const referenceFused: FusedTable<TypedArray> = {
  gelu: composed,
  geluDerivative: composed,
  axpby: composed,
  adamDirection: composed,
  standardize: composed,
  standardizeGrad: composed,
  softmax: composed,
  logSoftmax: composed,
  linear: composed,
  argmax: composed,
};

/**
 * A cpu backend named `name` over the given tables (default: the fast kernels, the fused kernels
 * and the multi-output expression loops of 'cpu'; `expressions: null` runs expressions composed).
 */
export function createCpuBackend(
  name = 'cpu',
  {
    kernels = fastCpuKernels,
    fused = cpuFusedKernels,
    expressions = runExpressions,
  }: { kernels?: CpuKernels; fused?: FusedTable<TypedArray>; expressions?: Backend<TypedArray>['expressions'] | null } = {},
): Backend<TypedArray> {
  return {
    ...(expressions ? { expressions } : {}),
    name,
    upload: adopt,
    read: async (h) => h,
    readSync: (h) => h,
    free: (h, dtype) => release(h, dtype),
    write: (h, data) => h.set(data),
    kernels,
    fused,
  };
}

/** 'cpu-reference': the reference kernels, every fused op and expression list composed. */
export function createCpuReferenceBackend(name = 'cpu-reference'): Backend<TypedArray> {
  return createCpuBackend(name, { kernels: cpuKernels, fused: referenceFused, expressions: null });
}
