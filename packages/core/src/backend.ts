import type { DType, TypedArray } from './dtype.js';
import type { Primitive, PrimitiveParams } from './primitives.js';
import type { Shape } from './shape.js';
import { createCpuBackend, cpuKernels, fastCpuKernels } from './cpu/backend.js';

/** What a backend kernel sees of a tensor: its storage handle, shape and dtype (storage is contiguous, row-major). */
export interface TensorInfo<H = unknown> {
  readonly handle: H;
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * The narrow interface a backend implements. Storage is opaque to the engine; kernels receive
 * contiguous row-major tensors and return a new storage handle for the output.
 */
export interface Backend<H = unknown> {
  readonly name: string;
  /** Copy host data (already of the right dtype and length) into backend storage. */
  upload(data: TypedArray, dtype: DType): H;
  /** Read storage back to the host. */
  read(handle: H, dtype: DType, size: number): Promise<TypedArray>;
  /** Synchronous read, where the backend can (cpu). */
  readSync?(handle: H, dtype: DType, size: number): TypedArray;
  /** Release storage now (GPU memory); a no-op where the garbage collector owns memory. */
  free(handle: H, dtype: DType): void;
  /** Whether `run` implements `prim`; anything else falls back to cpu (logged once). */
  supports(prim: Primitive): boolean;
  run<P extends Primitive>(prim: P, inputs: TensorInfo<H>[], params: PrimitiveParams[P], out: { shape: Shape; dtype: DType }): H;
  /** Optional in-place write of host data into existing storage (used to update parameters without reallocating). */
  write?(handle: H, data: TypedArray): void;
}

// Two cpu backends are always present: 'cpu' (the default, fast kernels where available) and
// 'cpu-reference' (plain TypeScript, one kernel per primitive): the oracle every backend is tested against.
const registry = new Map<string, Backend>([
  ['cpu', createCpuBackend('cpu', fastCpuKernels)],
  ['cpu-reference', createCpuBackend('cpu-reference', cpuKernels)],
]);
let current = 'cpu';

export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
}

export function getBackend(name: string = current): Backend {
  const b = registry.get(name);
  if (!b) throw new Error(`backend '${name}' is not registered (registered: ${[...registry.keys()].join(', ') || 'none'})`);
  return b;
}

export function setBackend(name: string): void {
  getBackend(name);
  current = name;
}

export function currentBackend(): string {
  return current;
}

export function listBackends(): string[] {
  return [...registry.keys()];
}
