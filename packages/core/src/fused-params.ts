/**
 * The fused ops: composites (softmax, layerNorm's standardisation, GELU, …) that a backend may
 * compute in one kernel instead of primitive by primitive. `FusedParams` maps each one's name to
 * its parameters, as `PrimitiveParams` does for primitives; every backend's fused-kernel table
 * (`Backend.fused`) is typed `{ [F in FusedOp]: … }`, so a new fused op does not compile until
 * every backend has an entry for it (a kernel, or the explicit `composed`).
 *
 * Their definitions (the composition of primitives that is each op's oracle, its output shape and
 * its VJP) are in fused-ops.ts; the elementwise ones are expressions, in elementwise-fused.ts.
 */
export interface FusedParams {
  /** Exact GELU x·Φ(x). */
  gelu: {};
  /** GELU's derivative Φ(x) + x·φ(x). */
  geluDerivative: {};
  /** a·x + b·y. */
  axpby: { a: number; b: number };
  /** Adam's bias-corrected direction (m/c1) / (√(v/c2) + eps). */
  adamDirection: { c1: number; c2: number; eps: number };
  /** (x − mean)/√(var + eps) over the trailing `dims` dims. */
  standardize: { dims: number; eps: number };
  /** The VJP of `standardize`: inputs x and the output's gradient g. */
  standardizeGrad: { dims: number; eps: number };
  /** Softmax over the last dim. */
  softmax: {};
  /** log-softmax over the last dim. */
  logSoftmax: {};
  /** x·Wᵀ (+ b) on 2-D rows x [n, in], W [out, in], b [out]. */
  linear: {};
  /** int32 index of the largest value along `dim` (the first NaN's where there is one; the first of equal largest). */
  argmax: { dim: number; keepdim: boolean };
}

export type FusedOp = keyof FusedParams;
