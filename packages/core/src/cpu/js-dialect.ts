/**
 * The expression dialect of JavaScript: how each elementwise primitive is written in the source
 * the cpu backend compiles its elementwise loops from (cpu/elementwise.ts). Every value is a JS
 * number; the output typed array does the final conversion (float32 rounding, int32 truncation).
 * The code calls `erf` and `erf32` (cpu/erf.ts): put `jsDialectScope` in scope of it. Written
 * without JavaScript truthiness, so that JS-to-shader translators (gpu.js) can reuse rows of it.
 */
import type { Dialect } from '../expr.js';
import { erf, erf32 } from './erf.js';

/** The functions code in the JavaScript dialect calls, by the names it calls them. */
export const jsDialectScope = { erf, erf32 } as const;

const call = (fn: string) => ([a]: readonly string[]) => `${fn}(${a})`;
const infix = (op: string) => ([a, b]: readonly string[]) => `(${a} ${op} ${b})`;
const test = (op: string) => ([a, b]: readonly string[]) => `(${a} ${op} ${b} ? 1 : 0)`;

export const jsDialect: Dialect = {
  ops: {
    neg: ([a]) => `(-${a})`,
    exp: call('Math.exp'),
    log: call('Math.log'),
    sqrt: call('Math.sqrt'),
    sin: call('Math.sin'),
    cos: call('Math.cos'),
    tanh: call('Math.tanh'),
    // float32 gets a fast erf accurate to float32; float64 the near-double-precision one
    erf: ([a], t) => `${t.out === 'float32' ? 'erf32' : 'erf'}(${a})`,
    add: infix('+'),
    sub: infix('-'),
    mul: infix('*'),
    div: infix('/'),
    pow: ([a, b]) => `Math.pow(${a}, ${b})`,
    // NaN wins, as in PyTorch
    maximum: ([a, b], t, _p, ctx) => {
      const x = ctx.bind(a!, t.out);
      const y = ctx.bind(b!, t.out);
      return `((${x} > ${y} || ${x} !== ${x}) ? ${x} : ${y})`;
    },
    eq: test('==='),
    lt: test('<'),
    gt: test('>'),
    where: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`,
    cast: ([a], t, _p, ctx) => {
      if (t.out === 'int32') return `Math.trunc(${a})`;
      if (t.out !== 'bool') return a!;
      const x = ctx.bind(a!, t.args[0]!);
      return `((${x} !== 0 && ${x} === ${x}) ? 1 : 0)`;
    },
  },
  literal: (v) => (Object.is(v, -0) ? '(-0)' : v < 0 ? `(${v})` : String(v)),
  bind: (name, value) => `const ${name} = ${value};`,
};
