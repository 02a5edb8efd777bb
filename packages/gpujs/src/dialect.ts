/**
 * The expression dialect of gpu.js: JavaScript that gpu.js translates to shaders. It is core's
 * JavaScript dialect (every value a float32 number) except where a row calls something gpu.js
 * cannot translate or where GPU drivers' built-ins are not accurate enough: erf is inlined
 * (Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7), and with `preciseTrig` sin and cos are computed
 * from +, * and round only.
 */
import { jsDialect, type Dialect, type DialectContext, type DialectRow, type DType } from '@grokkit/core/backend';

/** erf(x) to float32 accuracy, from Math.abs, Math.exp and Math.sign. */
function erf(x: string, ctx: DialectContext, t: DType): string {
  const v = ctx.bind(x, t);
  const ax = ctx.bind(`Math.abs(${v})`, t);
  const u = ctx.bind(`1 / (1 + 0.3275911 * ${ax})`, t);
  const p = ctx.bind(`${u} * (0.254829592 + ${u} * (-0.284496736 + ${u} * (1.421413741 + ${u} * (-1.453152027 + ${u} * 1.061405429))))`, t);
  return `(Math.sign(${v}) * (1 - ${p} * Math.exp(-${ax} * ${ax})))`;
}

/**
 * sin or cos to float32 accuracy (GPU drivers may approximate the built-ins to about 1e-3): reduce
 * by 2π in two parts (Cody–Waite), fold into [-π/2, π/2], then the Taylor series to x¹¹ (|error|
 * < 6e-8 there).
 */
function trig(fn: 'sin' | 'cos', x: string, ctx: DialectContext, t: DType): string {
  const v = ctx.bind(x, t);
  const k = ctx.bind(`Math.round(${v} * 0.15915494309189535)`, t);
  const r = ctx.bind(`(${v} - ${k} * 6.28125) - ${k} * 0.0019353071795864769`, t);
  const f = ctx.bind(
    fn === 'sin'
      ? `${r} > 1.5707963267948966 ? 3.141592653589793 - ${r} : (${r} < -1.5707963267948966 ? -3.141592653589793 - ${r} : ${r})`
      : `1.5707963267948966 - Math.abs(${r})`,
    t,
  );
  const z = ctx.bind(`${f} * ${f}`, t);
  return `(${f} * (1 + ${z} * (-0.16666666666666666 + ${z} * (0.008333333333333333 + ${z} * (-0.0001984126984126984 + ${z} * (0.0000027557319223985893 + ${z} * -2.505210838544172e-8))))))`;
}

const erfRow: DialectRow<'erf'> = ([a], t, _p, ctx) => erf(a!, ctx, t.out);
const sinRow: DialectRow<'sin'> = ([a], t, _p, ctx) => trig('sin', a!, ctx, t.out);
const cosRow: DialectRow<'cos'> = ([a], t, _p, ctx) => trig('cos', a!, ctx, t.out);

/** The gpu.js dialect; `preciseTrig` replaces the built-in sin and cos (for GPU modes). */
export function gpujsDialect(preciseTrig: boolean): Dialect {
  const ops = { ...jsDialect.ops, erf: erfRow };
  return { ...jsDialect, ops: preciseTrig ? { ...ops, sin: sinRow, cos: cosRow } : ops };
}
