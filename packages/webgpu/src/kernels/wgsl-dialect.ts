/**
 * The expression dialect of WGSL: how each elementwise primitive is written in the shaders the
 * elementwise kernels are compiled from (elementwise.ts). Values are f32 for float32 and i32 for
 * int32 and bool (0 or 1); the helpers (`erf_`, `max_`, …) are in `MATH` (wgsl.ts).
 */
import type { Dialect, DType, OperandTypes } from '@grokkit/core/backend';

const isFloat = (t: DType) => t === 'float32';
/** An operation computed in f32: integer operands are converted there, and an integer result back. */
const inFloat =
  (make: (args: string[]) => string) =>
  (args: readonly string[], t: OperandTypes): string => {
    const r = make(args.map((a, i) => (isFloat(t.args[i]!) ? a : `f32(${a})`)));
    return isFloat(t.out) ? r : `f2i_(${r})`;
  };
const float = (fn: string) => inFloat((args) => `${fn}(${args.join(', ')})`);
const infix = (op: string) => ([a, b]: readonly string[]) => `(${a} ${op} ${b})`;
const test = (op: string) => ([a, b]: readonly string[]) => `select(0i, 1i, ${a} ${op} ${b})`;

export const wgslDialect: Dialect = {
  ops: {
    neg: ([a]) => `(-${a})`,
    exp: float('exp'),
    log: float('log'),
    sqrt: float('sqrt'),
    // accurate versions: some drivers' builtins are not (see MATH)
    sin: float('sin_'),
    cos: float('cos_'),
    tanh: float('tanh_'),
    erf: float('erf_'),
    add: infix('+'),
    sub: infix('-'),
    mul: infix('*'),
    div: inFloat(([a, b]) => `(${a} / ${b})`),
    pow: float('pow_'),
    maximum: (args, t) => (isFloat(t.out) ? `max_(${args.join(', ')})` : `max(${args.join(', ')})`),
    eq: test('=='),
    lt: test('<'),
    gt: test('>'),
    where: ([c, a, b]) => `select(${b}, ${a}, ${c} != 0i)`,
    cast: ([a], t, _p, ctx) => {
      const from = t.args[0]!;
      if (from === t.out || (t.out === 'int32' && from === 'bool')) return a!;
      if (isFloat(t.out)) return `f32(${a})`;
      if (t.out === 'int32') return `f2i_(${a})`;
      if (!isFloat(from)) return `select(0i, 1i, ${a} != 0i)`;
      const x = ctx.bind(a!, from);
      return `select(0i, 1i, ${x} != 0.0 && !isnan_(${x}))`;
    },
  },
  literal: (v, dtype) => {
    if (!isFloat(dtype)) return `${v}i`;
    if (Number.isNaN(v)) return 'nan_()';
    if (!Number.isFinite(v)) return v > 0 ? 'inf_()' : '(-inf_())';
    return `f32(${v})`;
  },
  bind: (name, value) => `let ${name} = ${value};`,
};
