/**
 * Kernel source generation: every primitive becomes the source of one gpu.js kernel over a flat
 * 1-D output (`this.thread.x` is the output's flat index). Shapes, strides and loop bounds are
 * baked in as numeric constants, so each kernel serves one shape signature and is cached; the
 * numeric parameters of an elementwise expression are arguments, so one kernel serves them all.
 * Index math is floor/mod arithmetic, exact while every flat index stays below 2^24.
 */
import { compileExpr, paramsOf, sizeOf, stridesOf, type Dialect, type DType, type Expr, type Shape } from '@grokkit/core/backend';

/** A generated kernel: its argument count and its JavaScript source (a function gpu.js translates). */
export interface KernelSource {
  arity: number;
  /** Numeric parameters, passed as one array after the inputs. */
  params: number;
  source: string;
}

/**
 * A kernel over inputs x0, x1, … and, when it has `params` numeric parameters p0, p1, …, an array
 * `xp` of their values after the inputs (an array binds the same way in every mode; a number
 * argument does not).
 */
export function kernelSource(arity: number, body: string[], params = 0): KernelSource {
  const args = Array.from({ length: arity }, (_, k) => `x${k}`);
  if (params > 0) args.push('xp');
  const ps = Array.from({ length: params }, (_, k) => `const p${k} = xp[${k}];`);
  return { arity, params, source: `function(${args.join(', ')}) {\n  const i = this.thread.x;\n  ${[...ps, ...body].join('\n  ')}\n}` };
}

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

/** How a float result is stored for an output dtype: int32 truncates, bool becomes 0/1. */
export function storeAs(dtype: string, expr: string): string {
  if (dtype === 'int32') return `Math.trunc(${expr})`;
  if (dtype === 'bool') return `(${expr}) !== 0 ? 1 : 0`;
  return expr;
}

/**
 * A broadcasting elementwise kernel: `e` compiled with `dialect`, each input read through its
 * broadcast strides into `out`, the expression's parameters passed as arguments.
 */
export function elementwise(e: Expr, dialect: Dialect, inputs: { shape: Shape; strides: number[]; dtype: DType }[], out: Shape, outDtype: DType): KernelSource {
  const direct = inputs.every((t) => sizeOf(t.shape) === sizeOf(out));
  const body = direct ? [] : coords(out);
  inputs.forEach((t, k) => body.push(`const v${k} = x${k}[${direct ? 'i' : offsetExpr(t.strides)}];`));
  const c = compileExpr(e, dialect, { inputs: inputs.map((_, k) => `v${k}`), dtypes: inputs.map((t) => t.dtype), param: (_, k) => `p${k}` });
  body.push(...c.statements, `return ${storeAs(outDtype, c.value)};`);
  return kernelSource(inputs.length, body, paramsOf(e).length);
}
