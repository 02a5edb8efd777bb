/**
 * The cpu backend's elementwise kernels: an expression (expr.ts) compiled with the JavaScript
 * dialect (float32 rounded after every operation) into a broadcasting loop over its inputs, read
 * through per-dimension strides (0 where broadcast). Each loop is compiled once per expression and
 * combination of array types, so every loop V8 sees reads and writes one kind of typed array
 * (shared loops over mixed types run ~5× slower).
 */
import type { OutputInfo, TensorInfo } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import { compileExpr, compileExprs, paramsOfAll, type CompiledExpr, type Dialect, type DialectRow, type Expr } from '../expr.js';
import type { ElementwisePrimitive } from '../primitives.js';
import { broadcastStrides, sizeOf, type Shape } from '../shape.js';
import { jsDialect, jsDialectScope } from './js-dialect.js';
import { alloc } from './pool.js';
import { wasmExpressions } from './wasm/expr-kernel.js';

/**
 * The JavaScript dialect computing float32 operation by operation: every float32 result is rounded
 * with Math.fround, as float32 literals and (in the loops below) the parameters of float32
 * expressions are, so a fused expression gives the bits of its composition and of the
 * WebAssembly kernels, whatever the size (float64 arithmetic rounded once to float32 is float32
 * arithmetic for + − × ÷ and √). Other dtypes are computed as the JavaScript dialect does.
 */
const float32Dialect: Dialect = {
  ...jsDialect,
  ops: Object.fromEntries(
    Object.entries(jsDialect.ops).map(([op, row]) => [
      op,
      ((args, types, params, ctx) => {
        const code = (row as DialectRow<ElementwisePrimitive>)(args, types, params as never, ctx);
        return types.out === 'float32' ? `Math.fround(${code})` : code;
      }) satisfies DialectRow<ElementwisePrimitive>,
    ]),
  ) as unknown as Dialect['ops'],
  literal: (v, dtype) => jsDialect.literal(dtype === 'float32' ? Math.fround(v) : v, dtype),
};

/** A float32 value's code without its last rounding, which the store into a Float32Array does. */
const stored = (value: string, dtype: DType): string => (dtype === 'float32' && value.startsWith('Math.fround(') ? value.slice(12, -1) : value);

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
    const c = compileExpr(e, float32Dialect, { inputs: NAMES, dtypes, param: (_, k) => `p${k}` });
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
  if (!loop) loops.set(key, (loop = compileLoop(inputs.length, params.length, c, inputs.map((t) => t.dtype))));
  loop(
    res,
    ins,
    out.shape,
    inputs.map((t) => broadcastStrides(t.shape, out.shape)),
    params,
  );
  return res;
}

function compileLoop(arity: number, nParams: number, c: CompiledExpr, dtypes: readonly DType[]): Loop {
  // a float32 expression over float32 inputs reads its parameters as float32, as the wasm kernels do
  const round = c.dtype === 'float32' && dtypes.every((t) => t === 'float32') ? 'Math.fround' : '';
  const v = NAMES.slice(0, arity);
  const arr = v.map((x) => x.toUpperCase());
  const body = `${c.statements.join(' ')} out[@] = ${stored(c.value, c.dtype)};`;
  const src = `
return function loop(out, ins, shape, strides, params) {
  ${arr.map((A, i) => `const ${A} = ins[${i}];`).join(' ')}
  ${Array.from({ length: nParams }, (_, k) => `const p${k} = ${round}(params[${k}]);`).join(' ')}
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

type MultiLoop = (outs: TypedArray[], ins: TypedArray[], params: readonly number[]) => void;
/** Compiled multi-output loops, per expression list and dtype (the list is made once by its user). */
const multiLoops = new WeakMap<readonly Expr[], Map<string, MultiLoop | null>>();

function compileMulti(es: readonly Expr[], arity: number, dtype: DType): MultiLoop | null {
  const dtypes = Array.from({ length: arity }, () => dtype);
  const c = compileExprs(es, float32Dialect, { inputs: dtypes.map((_, k) => `x${k}`), dtypes, param: (_, k) => `p${k}`, prefix: 'v' });
  // the outputs are allocated in the inputs' dtype: decline expressions of another
  if (c.dtypes.some((t) => t !== dtype)) return null;
  const nParams = paramsOfAll(es).length;
  const round = dtype === 'float32' ? 'Math.fround' : '';
  const src = `
return function loop(outs, ins, params) {
  ${dtypes.map((_, k) => `const X${k} = ins[${k}];`).join(' ')}
  ${es.map((_, k) => `const O${k} = outs[${k}];`).join(' ')}
  ${Array.from({ length: nParams }, (_, k) => `const p${k} = ${round}(params[${k}]);`).join(' ')}
  const n = O0.length;
  for (let i = 0; i < n; i++) {
    ${dtypes.map((_, k) => `const x${k} = X${k}[i];`).join(' ')}
    ${c.statements.join(' ')}
    ${c.values.map((v, k) => `O${k}[i] = ${stored(v, c.dtypes[k]!)};`).join(' ')}
  }
};`;
  return new Function(...Object.keys(jsDialectScope), src)(...Object.values(jsDialectScope)) as MultiLoop;
}

/**
 * The cpu backend's `expressions`: one loop over inputs of one shape and float dtype writing one new
 * array per expression, float32 computed operation by operation (the composition's bits): in
 * WebAssembly SIMD where the arrays live in wasm memory and the expressions are arithmetic
 * (wasm/expr-kernel.ts), else in JS. Compiled once per expression list (keep the list: a new list
 * compiles anew).
 */
export function runExpressions(es: readonly Expr[], inputs: TensorInfo<TypedArray>[], params: readonly number[]): TypedArray[] | undefined {
  const dtype = inputs[0]?.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || es.length === 0) return undefined;
  let byType = multiLoops.get(es);
  if (!byType) multiLoops.set(es, (byType = new Map()));
  const key = `${dtype}:${inputs.length}`;
  let loop = byType.get(key);
  if (loop === undefined) byType.set(key, (loop = compileMulti(es, inputs.length, dtype)));
  if (!loop) return undefined;
  const n = sizeOf(inputs[0]!.shape);
  const outs = es.map(() => alloc(dtype, n));
  const ins = inputs.map((t) => t.handle);
  if (dtype !== 'float32' || !wasmExpressions(es, ins as Float32Array[], outs as Float32Array[], params)) loop(outs, ins, params);
  return outs;
}
