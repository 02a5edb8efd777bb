import type { Primitive, PrimitiveParams } from './primitives.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

/**
 * A VJP rule: given the output's gradient `g`, the primitive's inputs `x`, its output `out`
 * and parameters, return each input's gradient (null where none). `needs[i]` says whether
 * input i wants one, so rules can skip work. Rules are written in tensor ops, so they are
 * themselves differentiable (higher-order gradients).
 */
export type VjpRule<P extends Primitive> = (
  g: Tensor,
  x: readonly Tensor[],
  out: Tensor,
  params: PrimitiveParams[P],
  needs: boolean[],
) => (Tensor | null)[];

const none = (): null[] => [null, null, null];
const sumTo = (g: Tensor, shape: readonly number[]) => ops.sumTo(g, shape);

/** One rule per primitive; the mapped type makes a missing rule a compile error. */
export const vjps: { [P in Primitive]: VjpRule<P> } = {
  neg: (g) => [g.neg()],
  exp: (g, _x, out) => [g.mul(out)],
  log: (g, [x]) => [g.div(x!)],
  sqrt: (g, _x, out) => [g.div(out.mul(2))],
  sin: (g, [x]) => [g.mul(x!.cos())],
  cos: (g, [x]) => [g.mul(x!.sin()).neg()],
  tanh: (g, _x, out) => [g.mul(ops.sub(1, out.mul(out)))],
  erf: (g, [x]) => [g.mul(x!.mul(x!).neg().exp().mul(2 / Math.sqrt(Math.PI)))],

  add: (g, [a, b], _o, _p, n) => [n[0] ? sumTo(g, a!.shape) : null, n[1] ? sumTo(g, b!.shape) : null],
  sub: (g, [a, b], _o, _p, n) => [n[0] ? sumTo(g, a!.shape) : null, n[1] ? sumTo(g.neg(), b!.shape) : null],
  mul: (g, [a, b], _o, _p, n) => [n[0] ? sumTo(g.mul(b!), a!.shape) : null, n[1] ? sumTo(g.mul(a!), b!.shape) : null],
  div: (g, [a, b], out, _p, n) => [n[0] ? sumTo(g.div(b!), a!.shape) : null, n[1] ? sumTo(g.mul(out).div(b!).neg(), b!.shape) : null],
  pow: (g, [a, b], out, _p, n) => [
    n[0] ? sumTo(g.mul(b!).mul(a!.pow(b!.sub(1))), a!.shape) : null,
    n[1] ? sumTo(g.mul(out).mul(a!.log()), b!.shape) : null,
  ],
  maximum: (g, [a, b], _o, _p, n) => {
    // ties split the gradient evenly, as in PyTorch
    const ma = ops.add(a!.gt(b!).cast(g.dtype), a!.eq(b!).cast(g.dtype).mul(0.5));
    return [n[0] ? sumTo(g.mul(ma), a!.shape) : null, n[1] ? sumTo(g.mul(ops.sub(1, ma)), b!.shape) : null];
  },

  eq: none,
  lt: none,
  gt: none,
  where: (g, [c, a, b], _o, _p, n) => [
    null,
    n[1] ? sumTo(ops.where(c!, g, 0), a!.shape) : null,
    n[2] ? sumTo(ops.where(c!, 0, g), b!.shape) : null,
  ],
  cast: (g, [x]) => [g.cast(x!.dtype)],

  sum: (g, [x]) => [g.expand(x!.shape as number[])],
  max: (g, [x], out, { axes }) => {
    // the gradient goes to the maxima, shared evenly between ties
    const mask = x!.eq(out).cast(g.dtype);
    const count = ops.reduceKeep('sum', mask, axes);
    return [g.div(count).mul(mask)];
  },

  matmul: (g, [a, b], _o, { ta, tb }, n) => [
    // d op(A) = G · op(B)ᵀ ; d op(B) = op(A)ᵀ · G
    n[0] ? (ta ? ops.mm(b!, g, tb, true) : ops.mm(g, b!, false, !tb)) : null,
    n[1] ? (tb ? ops.mm(g, a!, true, ta) : ops.mm(a!, g, !ta, false)) : null,
  ],

  reshape: (g, [x]) => [g.reshape(x!.shape as number[])],
  permute: (g, _x, _o, { perm }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [g.permute(inv)];
  },
  expand: (g, [x]) => [sumTo(g, x!.shape)],
  slice: (g, [x], _o, { starts, ends }) => [ops.padPrim(g, starts, ends.map((e, d) => x!.shape[d]! - e))],
  pad: (g, [x], _o, { before }) => [ops.slicePrim(g, before, before.map((b, d) => b + x!.shape[d]!))],
  cat: (g, xs, _o, { dim }, n) => {
    let off = 0;
    return xs.map((x, i) => {
      const start = off;
      off += x.shape[dim]!;
      return n[i] ? g.slice(dim, start, off) : null;
    });
  },

  gather: (g, [x, index], _o, { dim }) => [ops.scatterAddPrim(g, dim, index!, x!.shape), null],
  scatterAdd: (g, [, index], _o, { dim }) => [g.gather(dim, index!), null],
};
