/**
 * A backend's kernels for every elementwise primitive and every elementwise fused op, from one
 * function of its own that runs an expression (expr.ts): a backend writes how to run *an*
 * expression (compile it with its dialect, launch it over broadcast inputs), never a kernel per
 * primitive.
 */
import type { FusedKernel, Kernel, OutputInfo, TensorInfo } from './backend.js';
import { elementwiseFusedExpr, ELEMENTWISE_FUSED, type ElementwiseFusedOp } from './elementwise-fused.js';
import { applyOp, arityOf, ex, paramsOf, paramsOfAll, type Expr } from './expr.js';
import { ELEMENTWISE_PRIMITIVES, type ElementwisePrimitive, type PrimitiveParams } from './primitives.js';

/**
 * Run expression `e` over `inputs` broadcast to `out.shape` (numpy rules), producing new storage
 * of `out.dtype`. `params` are the values of the expression's parameters, in `paramsOf(e)` order.
 */
export type ExprRunner<H> = (e: Expr, inputs: TensorInfo<H>[], out: OutputInfo, params: readonly number[]) => H;

const NO_PARAMS: readonly number[] = [];

/** The expression of primitive `op` over inputs 0, 1, …: one per distinct `params` (cast's dtype), made once. */
function primitiveExpr<P extends ElementwisePrimitive>(op: P): (params: PrimitiveParams[P]) => Expr {
  const inputs = Array.from({ length: arityOf(op) }, (_, k) => ex.input(k));
  const made = new Map<string, Expr>();
  return (params) => {
    const key = JSON.stringify(params);
    let e = made.get(key);
    if (!e) made.set(key, (e = applyOp(op, inputs, params)));
    return e;
  };
}

/** Kernels for every elementwise primitive, each running its one-node expression with `run`. */
export function elementwiseKernels<H>(run: ExprRunner<H>): { readonly [P in ElementwisePrimitive]: Kernel<P, H> } {
  const table: Partial<Record<ElementwisePrimitive, Kernel<never, H>>> = {};
  for (const op of ELEMENTWISE_PRIMITIVES) {
    const expr = primitiveExpr(op);
    const kernel: Kernel<typeof op, H> = (inputs, params, out) => run(expr(params), inputs, out, NO_PARAMS);
    table[op] = kernel;
  }
  return table as { readonly [P in ElementwisePrimitive]: Kernel<P, H> };
}

/**
 * Kernels for every elementwise fused op, each running its expression (elementwise-fused.ts) with
 * `run`. They decline inputs whose dtype differs from the output's (the composition promotes).
 */
export function elementwiseFusedKernels<H>(run: ExprRunner<H>): { readonly [F in ElementwiseFusedOp]: FusedKernel<F, H> } {
  const table: Partial<Record<ElementwiseFusedOp, FusedKernel<never, H>>> = {};
  for (const op of Object.keys(ELEMENTWISE_FUSED) as ElementwiseFusedOp[]) {
    const expr = elementwiseFusedExpr(op);
    const names = paramsOf(expr);
    const kernel: FusedKernel<typeof op, H> = (inputs, params, out) =>
      inputs.every((t) => t.dtype === out.dtype) ? run(expr, inputs, out, names.map((n) => (params as Record<string, number>)[n]!)) : undefined;
    table[op] = kernel;
  }
  return table as { readonly [F in ElementwiseFusedOp]: FusedKernel<F, H> };
}

/**
 * A backend's `expressions` from its single-output `run`: each expression of the list runs as one
 * kernel over the same inputs (its shared sub-expressions recomputed), with its own parameters
 * picked from the list's. For backends whose one-output kernels are cheap to group (WebGPU's
 * elementwise fusion) or that have no multi-output kernel.
 */
export function expressionsFromRunner<H>(run: ExprRunner<H>): (es: readonly Expr[], inputs: TensorInfo<H>[], params: readonly number[]) => H[] {
  const picks = new WeakMap<readonly Expr[], number[][]>();
  return (es, inputs, params) => {
    let pick = picks.get(es);
    if (!pick) {
      const all = paramsOfAll(es);
      picks.set(es, (pick = es.map((e) => paramsOf(e).map((n) => all.indexOf(n)))));
    }
    const out: OutputInfo = { shape: inputs[0]!.shape, dtype: inputs[0]!.dtype };
    return es.map((e, i) => run(e, inputs, out, pick[i]!.map((k) => params[k]!)));
  };
}
