/**
 * What a backend is: storage (upload, read, free) and two tables, one kernel per primitive and one
 * per fused op, each typed over every name, so a new primitive or fused op is a compile error in
 * every backend until it has an entry. An op a backend leaves to another is an explicit entry
 * (`onCpu`, `composed`), logged once when first used.
 */
import type { DType, TypedArray } from './dtype.js';
import type { Expr } from './expr.js';
import type { FusedOp, FusedParams } from './fused-params.js';
import type { Primitive, PrimitiveParams } from './primitives.js';
import type { Shape } from './shape.js';

/** What a backend kernel sees of a tensor: its storage handle, shape and dtype (storage is contiguous, row-major). */
export interface TensorInfo<H = unknown> {
  readonly handle: H;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** The output a kernel must produce: new storage of this shape and dtype. */
export interface OutputInfo {
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * A backend's kernel for primitive P: computes it over `inputs` (validated, on this backend, in
 * the dtypes the op chose) into new storage of `out.shape`/`out.dtype`, and returns its handle.
 * It never modifies an input.
 */
export type Kernel<P extends Primitive, H = unknown> = (inputs: TensorInfo<H>[], params: PrimitiveParams[P], out: OutputInfo) => H;

/**
 * A backend's kernel for fused op F. It may return `undefined` to decline a call (a dtype or
 * layout it does not handle): the op's composition then runs instead.
 */
export type FusedKernel<F extends FusedOp, H = unknown> = (inputs: TensorInfo<H>[], params: FusedParams[F], out: OutputInfo) => H | undefined;

/** The kernel-table entry of a primitive a backend leaves to the cpu backend (see `onCpu`). */
export interface OnCpu {
  readonly entry: 'onCpu';
}
/** The fused-table entry of an op a backend runs as its composition of primitives (see `composed`). */
export interface Composed {
  readonly entry: 'composed';
}

/**
 * Kernel-table entry: run this primitive on the cpu backend, reading the inputs with `readSync`
 * and uploading the result (so only for backends that can read synchronously). Logged once per
 * backend and primitive when first used.
 */
export const onCpu: OnCpu = Object.freeze({ entry: 'onCpu' });

/**
 * Fused-table entry: run the op as its composition of primitives (each one a kernel of this
 * backend). Logged once per backend and op when first used.
 */
export const composed: Composed = Object.freeze({ entry: 'composed' });

/** One entry per primitive: a kernel, or `onCpu`. */
export type KernelTable<H = unknown> = { readonly [P in Primitive]: Kernel<P, H> | OnCpu };
/** One entry per fused op: a kernel, or `composed`. */
export type FusedTable<H = unknown> = { readonly [F in FusedOp]: FusedKernel<F, H> | Composed };

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
  /** Optional in-place write of host data into existing storage (used to update parameters without reallocating). */
  write?(handle: H, data: TypedArray): void;
  /** The kernel of every primitive. */
  readonly kernels: KernelTable<H>;
  /** The kernel of every fused op. */
  readonly fused: FusedTable<H>;
  /**
   * Optional: several elementwise expressions over the same inputs (one shape, one float dtype, no
   * broadcasting) in one pass, one new storage per expression, computed operation by operation in
   * the inputs' dtype so that the values are the composition's. `params` are the values of the
   * parameters in `paramsOfAll(exprs)` order. It may return `undefined` to decline. Where missing
   * or declined, each expression runs as its composition of primitives (`fusedExpressions`).
   */
  expressions?(exprs: readonly Expr[], inputs: TensorInfo<H>[], params: readonly number[]): H[] | undefined;
}

const logged = new Set<string>();

/** Log `message` the first time `key` is seen (a backend leaving an op to another path). */
export function logOnce(key: string, message: string): void {
  if (logged.has(key)) return;
  logged.add(key);
  console.warn(`[grokkit] ${message}`);
}
