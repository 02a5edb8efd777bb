/**
 * The fused ops' definitions (their names and parameters are declared in fused-params.ts): each
 * one's composition of primitives (the oracle, and what runs where a backend has no kernel), its
 * output's shape and dtype, and its VJP. The kernels are the backends' (cpu/fused-kernels.ts for
 * the cpu backend); the elementwise ops are expressions (elementwise-fused.ts), evaluated here
 * with tensor ops for their oracles.
 */
import { elementwiseFusedExpr, normalPdf, type ElementwiseFusedOp } from './elementwise-fused.js';
import { ex, type Expr } from './expr.js';
import { isFloat, promote } from './dtype.js';
import { defineFused } from './fused.js';
import * as ops from './ops.js';
import { PRIMITIVE_KINDS, type ElementwisePrimitive, type UnaryPrimitive } from './primitives.js';
import { broadcastShapes, fmt, sameShape } from './shape.js';
import type { Tensor } from './tensor.js';

const isUnary = (op: ElementwisePrimitive): op is UnaryPrimitive => PRIMITIVE_KINDS[op] === 'unary';

/**
 * `e` computed with tensor ops (so recorded and differentiable): inputs by position, parameters by
 * name. A sub-expression met again is taken from `memo` (pass one map to several calls to share them).
 */
export function evaluate(e: Expr, inputs: readonly Tensor[], params: object = {}, memo = new Map<Expr, ops.TensorLike>()): ops.TensorLike {
  if (e.kind === 'input') return inputs[e.index]!;
  if (e.kind === 'param') return (params as Record<string, number>)[e.name]!;
  if (e.kind === 'literal') return e.value;
  const seen = memo.get(e);
  if (seen !== undefined) return seen;
  const value = evaluateApply(e, inputs, params, memo);
  memo.set(e, value);
  return value;
}

function evaluateApply(e: Expr & { kind: 'apply' }, inputs: readonly Tensor[], params: object, memo: Map<Expr, ops.TensorLike>): ops.TensorLike {
  const args = e.args.map((a) => evaluate(a, inputs, params, memo));
  const tensor = (k: number): Tensor => {
    const a = args[k]!;
    if (typeof a === 'number') throw new Error(`evaluate: '${e.op}' expected a tensor operand ${k}, got the number ${a}`);
    return a;
  };
  if (e.op === 'where') return ops.where(tensor(0), args[1]!, args[2]!);
  if (e.op === 'cast') return ops.cast(tensor(0), e.params.dtype);
  // every other elementwise primitive is the public op of the same name
  if (isUnary(e.op)) return ops[e.op](tensor(0));
  return ops[e.op](args[0]!, args[1]!);
}

/** The shape and dtype of an elementwise op's output: its inputs broadcast and promoted. */
function elementwiseOutput(name: string, inputs: Tensor[]) {
  return { shape: broadcastShapes(name, ...inputs.map((t) => t.shape)), dtype: inputs.map((t) => t.dtype).reduce(promote) };
}

/** The definition of an elementwise fused op: its expression, evaluated with tensor ops. */
function elementwise(name: ElementwiseFusedOp) {
  const expr = elementwiseFusedExpr(name);
  return {
    composed: (inputs: Tensor[], params: object) => evaluate(expr, inputs, params) as Tensor,
    output: (inputs: Tensor[]) => elementwiseOutput(name, inputs),
  };
}

const x = ex.input(0);
/** The derivative of GELU's derivative: φ(x)·(2 − x²). */
const geluSecondDerivative = ex.mul(normalPdf(x), ex.sub(2, ex.mul(x, x)));

/** GELU's derivative Φ(x) + x·φ(x), itself fused (its VJP is g·φ(x)·(2 − x²)). */
const geluDerivative = defineFused('geluDerivative', {
  ...elementwise('geluDerivative'),
  vjp: (g, [x0]) => [ops.mul(g, evaluate(geluSecondDerivative, [x0!]))],
});

/** Exact GELU x·Φ(x), fused: one pass forward, one pass for its derivative backward. */
export const geluExact = defineFused('gelu', {
  ...elementwise('gelu'),
  vjp: (g, [x0]) => [ops.mul(g, geluDerivative([x0!], {}))],
});

const axpbyOp = defineFused('axpby', {
  ...elementwise('axpby'),
  vjp: (g, _x, _o, { a, b }, needs) => [needs[0] ? ops.mul(g, a) : null, needs[1] ? ops.mul(g, b) : null],
});

/** a·x + b·y for two float tensors of one shape and dtype, in one pass (the workhorse of optimizer and filter updates). */
export function axpby(a: number, x: Tensor, b: number, y: Tensor): Tensor {
  if (!sameShape(x.shape, y.shape) || x.dtype !== y.dtype || !isFloat(x.dtype)) {
    throw new Error(`axpby: expected two float tensors of one shape and dtype, got ${fmt(x.shape)} ${x.dtype} and ${fmt(y.shape)} ${y.dtype}`);
  }
  return axpbyOp([x, y], { a, b });
}

/** Adam's bias-corrected direction (m/c1) / (√(v/c2) + eps), fused (its VJP is the composed one's). */
export const adamDirection = defineFused('adamDirection', elementwise('adamDirection'));

type NormParams = { dims: number; eps: number };

/**
 * The VJP of standardisation: with x̂ the standardised rows and r = 1/√(var + eps),
 * dx = r·(g − mean(g) − x̂·mean(g·x̂)) per row. Fused; differentiated through its composition.
 */
const standardizeGrad = defineFused('standardizeGrad', {
  composed: ([x, g], { dims, eps }: NormParams) => {
    const axes = Array.from({ length: dims }, (_, i) => x!.ndim - dims + i);
    const d = ops.sub(x!, ops.mean(x!, axes, true));
    const r = ops.rsqrt(ops.add(ops.mean(ops.mul(d, d), axes, true), eps));
    const xhat = ops.mul(d, r);
    const inner = ops.sub(ops.sub(g!, ops.mean(g!, axes, true)), ops.mul(xhat, ops.mean(ops.mul(g!, xhat), axes, true)));
    return ops.mul(inner, r);
  },
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
});

/** (x − mean)/√(var + eps) over the trailing `dims` dims, fused: one pass forward, one backward. */
export const standardize = defineFused('standardize', {
  composed: ([x], { dims, eps }) => ops.standardizeComposed(x!, dims, eps),
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  vjp: (g, [x], _o, params) => [standardizeGrad([x!, g], params)],
});

/**
 * Softmax and log-softmax over the last dim, fused. Their VJPs: with y = softmax(x),
 * dx = y ⊙ (g − Σ g⊙y); with y = logSoftmax(x), dx = g − exp(y) ⊙ Σ g (row sums).
 */
export const softmaxLast = defineFused('softmax', {
  composed: ([x]) => ops.softmaxComposed(x!, x!.ndim - 1),
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  vjp: (g, _x, y) => [ops.mul(y, ops.sub(g, ops.sum(ops.mul(g, y), -1, true)))],
});

export const logSoftmaxLast = defineFused('logSoftmax', {
  composed: ([x]) => ops.logSoftmaxComposed(x!, x!.ndim - 1),
  output: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  vjp: (g, _x, y) => [ops.sub(g, ops.mul(ops.exp(y), ops.sum(g, -1, true)))],
});

/** argmax along a dim, fused: one pass over each line instead of ten primitives. Integer output: no gradient. */
export const argmaxFused = defineFused('argmax', {
  composed: ([x], { dim, keepdim }) => ops.argmaxComposed(x!, dim, keepdim),
  output: ([x], { dim, keepdim }) => ({ shape: keepdim ? x!.shape.map((s, i) => (i === dim ? 1 : s)) : x!.shape.filter((_, i) => i !== dim), dtype: 'int32' }),
  vjp: () => [null],
});

/**
 * x·Wᵀ + b on 2-D rows x [n, in], W [out, in], b [out], fused (the bias is added in the same
 * pass that writes the product). VJP: dx = g·W, dW = gᵀ·x, db = Σ_rows g.
 */
export const linear2d = defineFused('linear', {
  composed: ([x, w, b]) => {
    const y = ops.mm(ops.reshape(x!, [1, ...x!.shape]), ops.reshape(w!, [1, ...w!.shape]), false, true);
    return ops.reshape(b ? ops.add(y, b) : y, [x!.shape[0]!, w!.shape[0]!]);
  },
  output: ([x, w]) => ({ shape: [x!.shape[0]!, w!.shape[0]!], dtype: x!.dtype }),
  vjp: (g, [x, w, b], _o, _p, needs) => {
    const g3 = ops.reshape(g, [1, ...g.shape]);
    return [
      needs[0] ? ops.reshape(ops.mm(g3, ops.reshape(w!, [1, ...w!.shape])), x!.shape) : null,
      needs[1] ? ops.reshape(ops.mm(g3, ops.reshape(x!, [1, ...x!.shape]), true, false), w!.shape) : null,
      b && needs[2] ? ops.sum(g, 0) : null,
    ];
  },
});
