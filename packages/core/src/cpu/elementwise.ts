/**
 * The cpu backend's elementwise kernels: an expression (expr.ts) compiled with the JavaScript
 * dialect into a broadcasting loop over its inputs, read through per-dimension strides (0 where
 * broadcast). Each loop is compiled once per expression and combination of array types, so every
 * loop V8 sees reads and writes one kind of typed array (shared loops over mixed types run ~5×
 * slower).
 */
import type { OutputInfo, TensorInfo } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import { compileExpr, type CompiledExpr, type Expr } from '../expr.js';
import { broadcastStrides, sizeOf, type Shape } from '../shape.js';
import { jsDialect, jsDialectScope } from './js-dialect.js';
import { alloc } from './pool.js';

type Loop = (out: TypedArray, ins: TypedArray[], shape: Shape, strides: number[][], params: readonly number[]) => void;

const NAMES = ['a', 'b', 'c'];
const loops = new Map<string, Loop>();
/** Compiled expressions, per expression and dtype signature, with the key of their loops. */
const compiled = new WeakMap<Expr, Map<string, { c: CompiledExpr; key: string }>>();

function compiledFor(e: Expr, dtypes: DType[], params: number): { c: CompiledExpr; key: string } {
  let byTypes = compiled.get(e);
  if (!byTypes) compiled.set(e, (byTypes = new Map()));
  const sig = dtypes.join();
  let entry = byTypes.get(sig);
  if (!entry) {
    if (dtypes.length > NAMES.length) throw new Error(`cpu: elementwise expressions take at most ${NAMES.length} inputs, got ${dtypes.length}`);
    const c = compileExpr(e, jsDialect, { inputs: NAMES, dtypes, param: (_, k) => `p${k}` });
    byTypes.set(sig, (entry = { c, key: `${dtypes.length}:${params}:${c.statements.join(' ')}:${c.value}` }));
  }
  return entry;
}

/**
 * Run `e` over `inputs` broadcast to `out.shape` into a new array of `out.dtype`; `params` are
 * the values of its parameters in `paramsOf(e)` order.
 */
export function runExpression(e: Expr, inputs: TensorInfo<TypedArray>[], out: OutputInfo, params: readonly number[]): TypedArray {
  const { c, key: expr } = compiledFor(
    e,
    inputs.map((t) => t.dtype),
    params.length,
  );
  const res = alloc(out.dtype, sizeOf(out.shape));
  const ins = inputs.map((t) => t.handle);
  let key = `${expr}:${res.constructor.name}`;
  for (const a of ins) key += `,${a.constructor.name}`;
  let loop = loops.get(key);
  if (!loop) loops.set(key, (loop = compileLoop(inputs.length, params.length, c)));
  loop(
    res,
    ins,
    out.shape,
    inputs.map((t) => broadcastStrides(t.shape, out.shape)),
    params,
  );
  return res;
}

function compileLoop(arity: number, nParams: number, c: CompiledExpr): Loop {
  const v = NAMES.slice(0, arity);
  const arr = v.map((x) => x.toUpperCase());
  const body = `${c.statements.join(' ')} out[@] = ${c.value};`;
  const src = `
return function loop(out, ins, shape, strides, params) {
  ${arr.map((A, i) => `const ${A} = ins[${i}];`).join(' ')}
  ${Array.from({ length: nParams }, (_, k) => `const p${k} = params[${k}];`).join(' ')}
  const n = out.length;
  if (n === 0) return;
  if (${arr.map((A) => `${A}.length === n`).join(' && ') || 'true'}) {
    for (let i = 0; i < n; i++) { ${v.map((x, i) => `const ${x} = ${arr[i]}[i];`).join(' ')} ${body.replace('@', 'i')} }
    return;
  }
  const nd = shape.length;
  if (nd === 0) { ${v.map((x, i) => `const ${x} = ${arr[i]}[0];`).join(' ')} ${body.replace('@', '0')} return; }
  const inner = shape[nd - 1];
  ${v.map((x, i) => `const st${x} = strides[${i}], s${x} = st${x}[nd - 1]; let o${x} = 0;`).join('\n  ')}
  const idx = new Int32Array(nd);
  for (let o = 0; o < n; o += inner) {
    ${v.map((x) => `let p${x} = o${x};`).join(' ')}
    for (let j = 0; j < inner; j++) {
      ${v.map((x, i) => `const ${x} = ${arr[i]}[p${x}]; p${x} += s${x};`).join(' ')}
      ${body.replace('@', 'o + j')}
    }
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      ${v.map((x) => `o${x} += st${x}[d];`).join(' ')}
      if (idx[d] < shape[d]) break;
      ${v.map((x) => `o${x} -= st${x}[d] * shape[d];`).join(' ')}
      idx[d] = 0;
    }
  }
};`;
  return new Function(...Object.keys(jsDialectScope), src)(...Object.values(jsDialectScope)) as Loop;
}
