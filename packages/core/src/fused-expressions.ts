/**
 * Several elementwise expressions over the same inputs, computed together: one kernel with one
 * output per expression where the backend has `Backend.expressions`, else each expression
 * evaluated with tensor ops (shared sub-expressions once), which is the oracle. The optimizer's
 * update runs through it: a whole chain of elementwise gradient transforms, its state and the
 * parameter's new value in one pass per parameter (optim/transform.ts).
 */
import { isFloat } from './dtype.js';
import { inputsOf, paramsOfAll, type Expr } from './expr.js';
import { isFusionOn } from './fused.js';
import { evaluate } from './fused-ops.js';
import type * as ops from './ops.js';
import { fmt, sameShape } from './shape.js';
import { getBackend } from './registry.js';
import { isGradEnabled, record, Tensor, wrapOutput } from './tensor.js';

/** What the checks need of an expression list, worked out once per list (the optimizer passes the same one every step). */
const checks = new WeakMap<readonly Expr[], { lastInputs: number[]; names: string[] }>();

function checksOf(exprs: readonly Expr[]): { lastInputs: number[]; names: string[] } {
  let s = checks.get(exprs);
  if (!s) checks.set(exprs, (s = { lastInputs: exprs.map((e) => inputsOf([e]).pop() ?? -1), names: paramsOfAll(exprs) }));
  return s;
}

/**
 * `exprs` over `inputs` (float tensors of one shape, dtype and device; `ex.input(k)` reads
 * inputs[k]) with the parameters `params` (`ex.param(name)`): one tensor per expression, each of
 * the inputs' shape and dtype. Recorded for backward only through the composition: when an input
 * requires a gradient and recording is on, the expressions run as tensor ops.
 */
export function fusedExpressions(exprs: readonly Expr[], inputs: readonly Tensor[], params: Readonly<Record<string, number>> = {}): Tensor[] {
  const first = inputs[0];
  if (!first) throw new Error('fusedExpressions: expected at least one input tensor, got none');
  for (const t of inputs) {
    if (!(t instanceof Tensor)) throw new Error(`fusedExpressions: expected tensors as inputs, got ${String(t)}`);
    if (!sameShape(t.shape, first.shape) || t.dtype !== first.dtype || t.device !== first.device || !isFloat(t.dtype)) {
      throw new Error(`fusedExpressions: expected float tensors of one shape, dtype and device, got ${inputs.map((x) => `${fmt(x.shape)} ${x.dtype} on '${x.device}'`).join(', ')}`);
    }
  }
  const { lastInputs, names } = checksOf(exprs);
  lastInputs.forEach((reads, i) => {
    if (reads < 0) throw new Error(`fusedExpressions: expected every expression to read an input, but expression ${i} reads no input`);
    if (reads >= inputs.length) throw new Error(`fusedExpressions: an expression reads input ${reads}, but ${inputs.length} were given`);
  });
  for (const n of names) {
    if (typeof params[n] !== 'number') throw new Error(`fusedExpressions: expected a number for parameter '${n}', got ${String(params[n])}`);
  }
  const backend = getBackend(first.device);
  const recording = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  if (isFusionOn() && backend.expressions && !recording) {
    const infos = inputs.map((t) => ({ handle: t.handle, shape: t.shape, dtype: t.dtype }));
    const handles = backend.expressions(exprs, infos, names.map((n) => params[n]!));
    if (handles) {
      return handles.map((h) => record(wrapOutput(first.device, h, first.shape, first.dtype), { prim: 'expressions', inputs, params }));
    }
  }
  const memo = new Map<Expr, ops.TensorLike>();
  return exprs.map((e) => {
    const v = evaluate(e, inputs, params, memo) as Tensor; // every expression reads an input (checked above)
    if (v.dtype !== first.dtype) throw new Error(`fusedExpressions: expected every expression to be ${first.dtype} like its inputs, got one of ${v.dtype}`);
    return v;
  });
}
