import type { DType } from './dtype.js';

/**
 * The primitive operations. Every tensor operation is one of these or is composed from them.
 * Each has exactly one VJP rule (vjp.ts) and one kernel per backend (cpu/kernels.ts); both
 * tables are typed `{ [P in Primitive]: ... }` so a primitive without a rule does not compile.
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

export const UNARY = ['neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'erf'] as const;
export const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum'] as const;
export const COMPARE = ['eq', 'lt', 'gt'] as const;
export type UnaryPrimitive = (typeof UNARY)[number];
export type BinaryPrimitive = (typeof BINARY)[number];
export type ComparePrimitive = (typeof COMPARE)[number];
