/**
 * Elementwise kernels: an expression (core's expression language) compiled to WGSL with the WGSL
 * dialect, one thread per output element; inputs are read through broadcast strides from the
 * metadata, the expression's parameters from its end. One shader per expression, input/output
 * storage types and rank; the parameters' values are metadata, so one shader serves them all.
 */
import { compileExpr, type DType, type Expr, type OutputInfo, type TensorInfo } from '@grokkit/core/backend';
import type { Engine, GpuHandle } from '../engine.js';
import { broadcastStrides, collapse, sizeOf } from '../shape-utils.js';
import { wgslDialect } from './wgsl-dialect.js';
import { bindings, entry1d, grid, MATH, offsets, storageType, WG, type StorageType } from './wgsl.js';

/** Load element `o` of input `k` as its value type (bool's u32 storage as i32). */
function load(k: number, o: string, s: StorageType): string {
  return s === 'u32' ? `i32(x${k}[${o}])` : `x${k}[${o}]`;
}

/** Store a value of `dtype`'s value type in its storage type. */
function store(r: string, dtype: DType): string {
  return dtype === 'bool' ? `select(0u, 1u, ${r} != 0i)` : r;
}

/**
 * WGSL source of `e` over inputs of `dtypes` iterating `nd` dims (-1: all contiguous), with
 * `params` parameters after the shape and strides in the metadata.
 */
export function elementwiseSource(e: Expr, dtypes: readonly DType[], out: DType, nd: number, params: number): string {
  const ins = dtypes.map((d) => storageType(d, 'elementwise'));
  const contiguous = nd < 0;
  const offs = contiguous ? '' : offsets('i', nd, 1, ins.map((_, k) => 1 + nd * (k + 1)));
  const paramsAt = contiguous ? 1 : 1 + nd * (ins.length + 1);
  const loads = ins.map((s, k) => `let v${k} = ${load(k, contiguous ? 'i' : `o${k}`, s)};`).join(' ');
  const ps = Array.from({ length: params }, (_, k) => `let p${k} = bitcast<f32>(md[${paramsAt + k}]);`).join(' ');
  const c = compileExpr(e, wgslDialect, { inputs: ins.map((_, k) => `v${k}`), dtypes, param: (_, k) => `p${k}` });
  return `${bindings(ins, storageType(out, 'elementwise'))}
${MATH}
${entry1d()}
  if (i >= md[0]) { return; }
  ${offs}
  ${loads}
  ${ps}
  ${c.statements.join('\n  ')}
  let r = ${c.value};
  y[i] = ${store('r', out)};
}`;
}

const sources = new WeakMap<Expr, Map<string, string>>();

/** Run `e` over `inputs` broadcast to `out.shape`, with its parameters' values `params`. */
export function runExpression(engine: Engine, e: Expr, inputs: TensorInfo<GpuHandle>[], out: OutputInfo, params: readonly number[]): GpuHandle {
  const n = sizeOf(out.shape);
  storageType(out.dtype, 'elementwise');
  const h = engine.alloc(n * 4);
  if (n === 0) return h;
  if (engine.fuser && inputs.every((x) => storageType(x.dtype, 'elementwise') && (sizeOf(x.shape) === n || sizeOf(x.shape) === 1))) {
    // every input read at the output's index or broadcast from its one element: fusable (fusion.ts)
    const ins = inputs.map((x) => ({ buffer: x.handle.buffer, dtype: x.dtype, full: sizeOf(x.shape) === n }));
    engine.usable(...ins.map((x) => x.buffer), h.buffer);
    engine.fuser.add({ expr: e, inputs: ins, output: h.buffer, dtype: out.dtype, params: params.map(f32Bits) }, n);
    return h;
  }
  const c = collapse(
    out.shape,
    inputs.map((x) => broadcastStrides(x.shape, out.shape)),
  );
  const contiguous = c.shape.length === 0 || (c.shape.length === 1 && c.strides.every((s) => s[0] === 1));
  const nd = contiguous ? -1 : c.shape.length;
  const dtypes = inputs.map((x) => x.dtype);
  let bySignature = sources.get(e);
  if (!bySignature) sources.set(e, (bySignature = new Map()));
  const key = `${dtypes.join()}>${out.dtype}:${nd}`;
  let source = bySignature.get(key);
  if (!source) bySignature.set(key, (source = elementwiseSource(e, dtypes, out.dtype, nd, params.length)));
  engine.dispatch({
    source,
    inputs: inputs.map((x) => x.handle.buffer),
    output: h.buffer,
    meta: [...(contiguous ? [n] : [n, ...c.shape, ...c.strides.flat()]), ...params.map(f32Bits)],
    groups: [...grid(Math.ceil(n / WG)), 1],
  });
  return h;
}

const bits = new Float32Array(1);
/** The bits of `v` as an f32 (how parameters travel in the u32 metadata). */
export function f32Bits(v: number): number {
  bits[0] = v;
  return new Uint32Array(bits.buffer)[0]!;
}
