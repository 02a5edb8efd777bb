import * as core from '@grokkit/core';

export const { Tensor, getBackend, grad, tidy } = core;
/** The tensor ops this package's tests use. */
export const ops = {
  add: core.add, mul: core.mul, lt: core.lt, cast: core.cast, sum: core.sum, max: core.max, gather: core.gather,
  scatterAdd: core.scatterAdd, sin: core.sin, cos: core.cos, gelu: core.gelu, exp: core.exp, matmul: core.matmul,
};
