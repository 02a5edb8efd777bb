/**
 * The elementwise fused ops, each written once as an expression (expr.ts). From this one
 * definition come the op's composed oracle (the expression evaluated with tensor ops, in
 * fused-ops.ts) and every backend's kernel for it (the expression compiled with the backend's
 * dialect, through `elementwiseFusedKernels`); a backend may still override one with a faster
 * kernel of its own (the cpu backend's float32 GELU tables, its SIMD axpby).
 */
import { ex, type Expr } from './expr.js';
import type { FusedOp, FusedParams } from './fused-params.js';

const INV_SQRT_2PI = 0.3989422804014327;

/** The standard normal CDF Φ(x) = (1 + erf(x/√2))/2. */
export const normalCdf = (x: Expr): Expr => ex.mul(ex.add(ex.erf(ex.mul(x, Math.SQRT1_2)), 1), 0.5);
/** The standard normal density φ(x) = exp(−x²/2)/√(2π). */
export const normalPdf = (x: Expr): Expr => ex.mul(ex.exp(ex.mul(ex.mul(x, x), -0.5)), INV_SQRT_2PI);

/** An expression's parameters, by name, as the fused op's `FusedParams` entry types them. */
export type ParamRefs<F extends FusedOp> = { readonly [K in keyof FusedParams[F]]: Expr };

const x = ex.input(0);
const y = ex.input(1);

/** Each elementwise fused op's expression over inputs x (input 0) and y (input 1) and its parameters. */
export const ELEMENTWISE_FUSED = {
  gelu: () => ex.mul(x, normalCdf(x)),
  geluDerivative: () => ex.add(normalCdf(x), ex.mul(x, normalPdf(x))),
  axpby: (p) => ex.add(ex.mul(x, p.a), ex.mul(y, p.b)),
  adamDirection: (p) => ex.div(ex.div(x, p.c1), ex.add(ex.sqrt(ex.div(y, p.c2)), p.eps)),
} satisfies { readonly [F in FusedOp]?: (p: ParamRefs<F>) => Expr };

export type ElementwiseFusedOp = keyof typeof ELEMENTWISE_FUSED;

const refs = new Proxy({}, { get: (_, name) => ex.param(String(name)) });

/** The expression of elementwise fused op `op`. */
export function elementwiseFusedExpr(op: ElementwiseFusedOp): Expr {
  return ELEMENTWISE_FUSED[op](refs as never);
}
