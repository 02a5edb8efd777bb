/**
 * @grokkit/core/backend: what a backend or kernel author needs. The `Backend` interface and its
 * two typed tables (one kernel per primitive, one per fused op, with the explicit `onCpu` and
 * `composed` entries), the primitives and fused ops they are keyed by, the expression language
 * that elementwise kernels are compiled from, the registry, shape helpers, the cpu backend's
 * tables, and the WebAssembly thread settings of the cpu backend.
 *
 * @module backend
 */
export type { DType, TypedArray } from './dtype.js';
export type { Shape } from './shape.js';
export { broadcastShapes, broadcastStrides, collapse, fmt, sameShape, sizeOf, stridesOf } from './shape.js';
export {
  PRIMITIVE_KINDS, ELEMENTWISE_KINDS, ELEMENTWISE_PRIMITIVES,
  type Primitive, type PrimitiveParams, type PrimitiveKind, type ElementwiseKind, type PrimitiveOfKind,
  type ElementwisePrimitive, type UnaryPrimitive, type BinaryPrimitive, type ComparePrimitive,
} from './primitives.js';
export type { FusedOp, FusedParams } from './fused-params.js';
export {
  onCpu, composed,
  type Backend, type TensorInfo, type OutputInfo, type Kernel, type FusedKernel, type KernelTable, type FusedTable, type OnCpu, type Composed,
} from './backend.js';
export { registerBackend, getBackend, setBackend, currentBackend, listBackends } from './registry.js';
export {
  ex, applyOp, arityOf, compileExpr, compileExprs, paramsOf, paramsOfAll,
  type Expr, type ExprLike, type InputRef, type ParamRef, type Literal, type Apply,
  type Dialect, type DialectRow, type DialectContext, type OperandTypes, type CompiledExpr, type CompiledExprs, type CompileOptions,
} from './expr.js';
export { ELEMENTWISE_FUSED, elementwiseFusedExpr, normalCdf, normalPdf, type ElementwiseFusedOp, type ParamRefs } from './elementwise-fused.js';
export { elementwiseKernels, elementwiseFusedKernels, expressionsFromRunner, type ExprRunner } from './elementwise-kernels.js';
export { jsDialect, jsDialectScope } from './cpu/js-dialect.js';
export { createCpuBackend, createCpuReferenceBackend, referenceFused } from './cpu/backend.js';
export { cpuKernels, type CpuKernels } from './cpu/kernels.js';
export { fastCpuKernels } from './cpu/fast-kernels.js';
export { cpuFusedKernels } from './cpu/fused-kernels.js';
export { wasmAvailable, wasmFma, wasmThreads, setWasmThreads, wasmThreadStats, shutdownWasmThreads, DEFAULT_THREAD_MIN_FLOPS } from './cpu/wasm/runtime.js';
export { wasmMatmul } from './cpu/wasm/gemm.js';
