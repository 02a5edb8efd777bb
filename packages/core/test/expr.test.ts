import { describe, expect, it } from 'vitest';
import { compileExpr, ex, jsDialect, paramsOf, type Dialect } from '../src/backend-api.js';

/** A dialect that writes each primitive as name(args…) and literals with their dtype, to see what the compiler decides. */
const probe: Dialect = {
  ops: Object.fromEntries(Object.keys(jsDialect.ops).map((op) => [op, (args: readonly string[]) => `${op}(${args.join(', ')})`])) as unknown as Dialect['ops'],
  literal: (v, dtype) => `${v}:${dtype}`,
  bind: (name, value, dtype) => `${name}:${dtype} = ${value}`,
};

describe('compileExpr', () => {
  it('writes each node with the dialect; literals take the dtype of what they meet', () => {
    const x = ex.input(0);
    const c = compileExpr(ex.mul(ex.add(x, 1), ex.param('a')), probe, { inputs: ['X'], dtypes: ['float64'], param: (_, k) => `P${k}` });
    expect(c).toEqual({ statements: [], value: 'mul(add(X, 1:float64), P0)', dtype: 'float64' });
    // comparisons yield bool, computed in their operands' dtype; where's condition is bool
    const w = compileExpr(ex.where(ex.lt(x, 0), 2, x), probe, { inputs: ['X'], dtypes: ['int32'] });
    expect(w).toEqual({ statements: [], value: 'where(lt(X, 0:int32), 2:int32, X)', dtype: 'int32' });
  });

  it('binds a sub-expression used more than once, once', () => {
    const e = ex.exp(ex.input(0));
    const c = compileExpr(ex.add(e, ex.mul(e, e)), probe, { inputs: ['X'], dtypes: ['float32'] });
    expect(c.statements).toEqual(['t0:float32 = exp(X)']);
    expect(c.value).toBe('add(t0, mul(t0, t0))');
  });

  it('refuses operands of two dtypes and inputs it was not given, naming them', () => {
    const [a, b] = [ex.input(0), ex.input(1)];
    expect(() => compileExpr(ex.add(a, b), probe, { inputs: ['A', 'B'], dtypes: ['float32', 'int32'] })).toThrow("compileExpr: 'add' mixes float32 and int32 operands");
    expect(() => compileExpr(ex.add(a, b), probe, { inputs: ['A'], dtypes: ['float32'] })).toThrow('compileExpr: the expression reads input 1, but only 1 were given');
  });

  it('lists parameters in order of first use', () => {
    expect(paramsOf(ex.add(ex.mul(ex.input(0), ex.param('b')), ex.div(ex.param('a'), ex.param('b'))))).toEqual(['b', 'a']);
  });

  it('compiles to JavaScript that computes the expression', () => {
    const x = ex.input(0);
    const c = compileExpr(ex.where(ex.gt(x, 0), ex.maximum(ex.mul(x, ex.param('k')), 1), ex.neg(x)), jsDialect, { inputs: ['x'], dtypes: ['float64'], param: (_, k) => `p[${k}]` });
    const f = new Function('x', 'p', `${c.statements.join(' ')} return ${c.value};`) as (x: number, p: number[]) => number;
    expect([-2, 0.25, 3].map((v) => f(v, [0.5]))).toEqual([2, 1, 1.5]);
    expect(Number.isNaN(f(Number.NaN, [1]))).toBe(true);
  });
});
