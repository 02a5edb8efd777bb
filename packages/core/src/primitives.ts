import type { DType } from './dtype.js';

/**
 * The primitive operations. Every tensor operation is one of these or is composed from them.
 * Each has exactly one VJP rule (vjp.ts) and one entry in every backend's kernel table
 * (`Backend.kernels`, backend.ts); both are typed `{ [P in Primitive]: ... }`, so a primitive
 * without a rule or a kernel does not compile.
 */
export interface PrimitiveParams {
  // elementwise unary
  neg: {};
  exp: {};
  log: {};
  sqrt: {};
  sin: {};
  cos: {};
  tanh: {};
  erf: {};
  // elementwise binary (numpy broadcasting)
  add: {};
  sub: {};
  mul: {};
  div: {};
  pow: {};
  maximum: {};
  // comparisons (bool output, no gradient)
  eq: {};
  lt: {};
  gt: {};
  // select (broadcasting over cond, a, b)
  where: {};
  cast: { dtype: DType };
  // reductions: reduced axes are kept with size 1
  sum: { axes: number[] };
  max: { axes: number[] };
  // [B, M, K] x [B, K, N] -> [B, M, N]; ta/tb read an operand transposed in its last two dims
  matmul: { ta: boolean; tb: boolean };
  // movement
  reshape: { shape: number[] };
  permute: { perm: number[] };
  expand: { shape: number[] };
  slice: { starts: number[]; ends: number[] };
  pad: { before: number[]; after: number[] };
  cat: { dim: number };
  // indexing, with torch.gather / torch.scatter_add semantics
  gather: { dim: number };
  scatterAdd: { dim: number; shape: number[] };
}

export type Primitive = keyof PrimitiveParams;

/**
 * The elementwise kinds: one output element from the same position of each (broadcast) input.
 * `unary` and `binary` keep their operands' dtype, `compare` yields bool, `where` selects between
 * its last two operands by its bool first, `cast` converts to `params.dtype`.
 */
export const ELEMENTWISE_KINDS = ['unary', 'binary', 'compare', 'where', 'cast'] as const;
export type ElementwiseKind = (typeof ELEMENTWISE_KINDS)[number];
export type PrimitiveKind = ElementwiseKind | 'reduce' | 'matmul' | 'movement' | 'indexing';

/**
 * What kind of computation each primitive is. The elementwise kinds are what the expression
 * language (expr.ts) is made of: each backend writes them once in its dialect, and its kernels
 * for the elementwise primitives and the elementwise fused ops are compiled from that.
 */
export const PRIMITIVE_KINDS = {
  neg: 'unary',
  exp: 'unary',
  log: 'unary',
  sqrt: 'unary',
  sin: 'unary',
  cos: 'unary',
  tanh: 'unary',
  erf: 'unary',
  add: 'binary',
  sub: 'binary',
  mul: 'binary',
  div: 'binary',
  pow: 'binary',
  maximum: 'binary',
  eq: 'compare',
  lt: 'compare',
  gt: 'compare',
  where: 'where',
  cast: 'cast',
  sum: 'reduce',
  max: 'reduce',
  matmul: 'matmul',
  reshape: 'movement',
  permute: 'movement',
  expand: 'movement',
  slice: 'movement',
  pad: 'movement',
  cat: 'movement',
  gather: 'indexing',
  scatterAdd: 'indexing',
} as const satisfies { readonly [P in Primitive]: PrimitiveKind };

type Kinds = typeof PRIMITIVE_KINDS;
/** The primitives of kind(s) K. */
export type PrimitiveOfKind<K extends PrimitiveKind> = { [P in keyof Kinds]: Kinds[P] extends K ? P : never }[keyof Kinds];
export type UnaryPrimitive = PrimitiveOfKind<'unary'>;
export type BinaryPrimitive = PrimitiveOfKind<'binary'>;
export type ComparePrimitive = PrimitiveOfKind<'compare'>;
export type ElementwisePrimitive = PrimitiveOfKind<ElementwiseKind>;

/** The elementwise primitives, in table order. */
export const ELEMENTWISE_PRIMITIVES = (Object.keys(PRIMITIVE_KINDS) as (keyof Kinds)[]).filter((p): p is ElementwisePrimitive =>
  (ELEMENTWISE_KINDS as readonly PrimitiveKind[]).includes(PRIMITIVE_KINDS[p]),
);
