/**
 * Kernel source generation: every primitive becomes the source of one gpu.js kernel over a flat
 * 1-D output (`this.thread.x` is the output's flat index). Shapes, strides and loop bounds are
 * baked in as numeric constants, so each kernel serves one shape/params signature and is cached.
 * Index math is floor/mod arithmetic, exact while every flat index stays below 2^24.
 */
import { sizeOf, stridesOf, type Shape } from '@grokkit/core';

/** A generated kernel: its argument count and its JavaScript source (a function gpu.js translates). */
export interface KernelSource {
  arity: number;
  source: string;
}

export function kernelSource(arity: number, body: string[]): KernelSource {
  const args = Array.from({ length: arity }, (_, k) => `x${k}`).join(', ');
  return { arity, source: `function(${args}) {\n  const i = this.thread.x;\n  ${body.join('\n  ')}\n}` };
}

const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toString());

/** Statements declaring `c0…c{n-1}`, the coordinates of flat index `i` in `shape` (skipping size-1 dims, which are 0). */
export function coords(shape: Shape, prefix = 'c'): string[] {
  const st = stridesOf(shape);
  const out: string[] = [];
  shape.forEach((s, d) => {
    if (s === 1) return out.push(`const ${prefix}${d} = 0;`);
    const q = st[d] === 1 ? 'i' : `Math.floor(i / ${st[d]})`;
    out.push(`const ${prefix}${d} = ${d === 0 ? q : `${q} % ${s}`};`);
  });
  return out;
}

/** Σ coord·stride over dims with a non-zero stride, plus `offset` (a literal or expression). */
export function offsetExpr(strides: readonly number[], offset: number | string = 0, coord = (d: number) => `c${d}`): string {
  const terms: string[] = [];
  if (offset !== 0) terms.push(String(offset));
  strides.forEach((s, d) => {
    if (s !== 0) terms.push(s === 1 ? coord(d) : `${coord(d)} * ${s}`);
  });
  return terms.length ? terms.join(' + ') : '0';
}

/** erf to float32 accuracy (Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7): statements setting `name` from `x`. */
export function erfStatements(name: string, x: string): string[] {
  const t = `${name}T`;
  const ax = `${name}A`;
  return [
    `const ${ax} = Math.abs(${x});`,
    `const ${t} = 1 / (1 + 0.3275911 * ${ax});`,
    `const ${name}P = ${t} * (0.254829592 + ${t} * (-0.284496736 + ${t} * (1.421413741 + ${t} * (-1.453152027 + ${t} * 1.061405429))));`,
    `const ${name} = Math.sign(${x}) * (1 - ${name}P * Math.exp(-${ax} * ${ax}));`,
  ];
}

/**
 * sin or cos to float32 accuracy from +, * and round only (GPU drivers may approximate the
 * built-ins to about 1e-3): reduce by 2π in two parts (Cody–Waite), fold into [-π/2, π/2],
 * then the Taylor series to x¹¹ (|error| < 6e-8 there).
 */
export function trigStatements(fn: 'sin' | 'cos', name: string, x: string): string[] {
  const k = `${name}K`;
  const r = `${name}R`;
  const f = `${name}F`;
  const z = `${name}Z`;
  const fold =
    fn === 'sin'
      ? `${r} > 1.5707963267948966 ? 3.141592653589793 - ${r} : (${r} < -1.5707963267948966 ? -3.141592653589793 - ${r} : ${r})`
      : `1.5707963267948966 - Math.abs(${r})`;
  return [
    `const ${k} = Math.round(${x} * 0.15915494309189535);`,
    `const ${r} = (${x} - ${k} * 6.28125) - ${k} * 0.0019353071795864769;`,
    `const ${f} = ${fold};`,
    `const ${z} = ${f} * ${f};`,
    `const ${name} = ${f} * (1 + ${z} * (-0.16666666666666666 + ${z} * (0.008333333333333333 + ${z} * (-0.0001984126984126984 + ${z} * (0.0000027557319223985893 + ${z} * -2.505210838544172e-8)))));`,
  ];
}

/** sin/cos with `trigStatements`, for modes whose built-in trigonometry is not float32-accurate. */
export const PRECISE_TRIG: Record<string, Elementwise> = {
  sin: { pre: trigStatements('sin', 't', 'v0'), expr: 't' },
  cos: { pre: trigStatements('cos', 't', 'v0'), expr: 't' },
};

/** An elementwise expression over values `v0…v2`: statements before it, then the expression. */
export interface Elementwise {
  pre?: string[];
  expr: string;
}

const SQ = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

export const ELEMENTWISE: Record<string, Elementwise> = {
  neg: { expr: '-v0' },
  exp: { expr: 'Math.exp(v0)' },
  log: { expr: 'Math.log(v0)' },
  sqrt: { expr: 'Math.sqrt(v0)' },
  sin: { expr: 'Math.sin(v0)' },
  cos: { expr: 'Math.cos(v0)' },
  tanh: { expr: 'Math.tanh(v0)' },
  erf: { pre: erfStatements('e', 'v0'), expr: 'e' },
  add: { expr: 'v0 + v1' },
  sub: { expr: 'v0 - v1' },
  mul: { expr: 'v0 * v1' },
  div: { expr: 'v0 / v1' },
  pow: { expr: 'Math.pow(v0, v1)' },
  maximum: { expr: '(v0 > v1 || v0 !== v0) ? v0 : v1' },
  eq: { expr: 'v0 === v1 ? 1 : 0' },
  lt: { expr: 'v0 < v1 ? 1 : 0' },
  gt: { expr: 'v0 > v1 ? 1 : 0' },
  where: { expr: 'v0 !== 0 ? v1 : v2' },
  copy: { expr: 'v0' },
  // fused composites
  gelu: { pre: erfStatements('e', `v0 * ${SQ}`), expr: '0.5 * v0 * (1 + e)' },
  geluDerivative: { pre: erfStatements('e', `v0 * ${SQ}`), expr: `0.5 * (1 + e) + v0 * ${INV_SQRT_2PI} * Math.exp(-0.5 * v0 * v0)` },
};

/** How a float result is stored for an output dtype: int32 truncates, bool becomes 0/1. */
export function storeAs(dtype: string, expr: string): string {
  if (dtype === 'int32') return `Math.trunc(${expr})`;
  if (dtype === 'bool') return `(${expr}) !== 0 ? 1 : 0`;
  return expr;
}

/** A broadcasting elementwise kernel: each input read through its broadcast strides into `out`. */
export function elementwise(op: Elementwise, inputs: { shape: Shape; strides: number[] }[], out: Shape, outDtype: string, params: Record<string, number> = {}): KernelSource {
  const direct = inputs.every((t) => sizeOf(t.shape) === sizeOf(out));
  const body = direct ? [] : coords(out);
  inputs.forEach((t, k) => body.push(`const v${k} = x${k}[${direct ? 'i' : offsetExpr(t.strides)}];`));
  for (const [name, v] of Object.entries(params)) body.push(`const ${name} = ${num(v)};`);
  body.push(...(op.pre ?? []));
  body.push(`return ${storeAs(outDtype, op.expr)};`);
  return kernelSource(inputs.length, body);
}
