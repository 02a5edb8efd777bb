import type { TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';
import { erf, erf32 } from './erf.js';

/**
 * A broadcasting elementwise kernel over `n` inputs: `out[i] = expr(a, b, c)` where the inputs
 * are read through per-dimension strides (0 where broadcast). Kernels are generated once per
 * expression so each gets its own monomorphic loop.
 */
export type MapKernel = (out: TypedArray, ins: TypedArray[], shape: Shape, strides: number[][]) => void;

const NAMES = ['a', 'b', 'c'];
const cache = new Map<string, MapKernel>();

/**
 * The kernel for `expr`, compiled once per combination of array types, so that every loop V8
 * sees reads and writes one kind of typed array (shared loops over mixed types run ~5× slower).
 */
export function mapKernel(arity: number, expr: string): MapKernel {
  return (out, ins, shape, strides) => {
    let key = `${arity}:${expr}:${out.constructor.name}`;
    for (const a of ins) key += `,${a.constructor.name}`;
    let k = cache.get(key);
    if (!k) {
      k = compile(arity, expr);
      cache.set(key, k);
    }
    k(out, ins, shape, strides);
  };
}

function compile(arity: number, expr: string): MapKernel {
  const v = NAMES.slice(0, arity);
  const arr = v.map((x) => x.toUpperCase());
  const src = `
return function kernel(out, ins, shape, strides) {
  ${arr.map((A, i) => `const ${A} = ins[${i}];`).join(' ')}
  const n = out.length;
  if (n === 0) return;
  if (${arr.map((A) => `${A}.length === n`).join(' && ')}) {
    for (let i = 0; i < n; i++) { ${v.map((x, i) => `const ${x} = ${arr[i]}[i];`).join(' ')} out[i] = ${expr}; }
    return;
  }
  const nd = shape.length;
  if (nd === 0) { ${v.map((x, i) => `const ${x} = ${arr[i]}[0];`).join(' ')} out[0] = ${expr}; return; }
  const inner = shape[nd - 1];
  ${v.map((x, i) => `const st${x} = strides[${i}], s${x} = st${x}[nd - 1]; let o${x} = 0;`).join('\n  ')}
  const idx = new Int32Array(nd);
  for (let o = 0; o < n; o += inner) {
    ${v.map((x) => `let p${x} = o${x};`).join(' ')}
    for (let j = 0; j < inner; j++) {
      ${v.map((x, i) => `const ${x} = ${arr[i]}[p${x}]; p${x} += s${x};`).join(' ')}
      out[o + j] = ${expr};
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
  return new Function('erf', 'erf32', src)(erf, erf32) as MapKernel;
}
