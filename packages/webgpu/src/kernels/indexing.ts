/**
 * gather and scatterAdd with torch semantics. gather: out[p] = x[idx with dim replaced by
 * index[p]]. scatterAdd: out = zeros(shape); out[idx with dim replaced by index[p]] += src[p].
 * float32 scatterAdd uses a compare-and-swap loop on the bits (atomic<u32>), since WGSL has no
 * float atomics; the order of additions into one slot is unspecified, so sums may differ from
 * the cpu reference in the last bits. Out-of-range indices cannot throw from a GPU kernel:
 * gather yields 0 for them and scatterAdd skips them (the cpu backend throws a RangeError).
 */
import type { DType, TensorInfo } from '@grokkit/core/backend';
import type { Engine, GpuHandle } from '../engine.js';
import { sizeOf, stridesOf } from '../shape-utils.js';
import { bindings, entry1d, grid, storageType, WG, type StorageType } from './wgsl.js';

/**
 * Flat offsets for iteration index `i` over the index tensor's shape (md[2..2+nd]): `o` into
 * the indexed tensor (strides at md[at..], the index value replacing the coordinate along
 * `dim`) and `s` into the contiguous source with strides at md[sAt..] (when sAt ≥ 0).
 */
function addressing(nd: number, dim: number, at: number, sAt: number): string {
  const lines = ['let v = x1[i];', 'let size = i32(md[1]);', 'if (v < 0 || v >= size) { return; }', 'var rem = i;', 'var o = 0u;', 'var s = 0u;'];
  for (let d = nd - 1; d >= 0; d--) {
    lines.push(d === 0 ? 'let c0 = rem;' : `let c${d} = rem % md[${2 + d}]; rem = rem / md[${2 + d}];`);
    lines.push(`o += ${d === dim ? 'u32(v)' : `c${d}`} * md[${at + d}];`);
    if (sAt >= 0) lines.push(`s += c${d} * md[${sAt + d}];`);
  }
  return lines.join('\n  ');
}

/** Metadata: [n, dimSize, indexShape(nd), xStrides(nd)]. */
export function gatherSource(s: StorageType, nd: number, dim: number): string {
  return `${bindings([s, 'i32'], s)}
${entry1d()}
  if (i >= md[0]) { return; }
  y[i] = ${s === 'f32' ? '0.0' : s === 'i32' ? '0' : '0u'};
  ${addressing(nd, dim, 2 + nd, -1)}
  y[i] = x0[o];
}`;
}

/** Metadata: [n, dimSize, indexShape(nd), outStrides(nd), srcStrides(nd)]. */
export function scatterAddSource(s: StorageType, nd: number, dim: number): string {
  const atomicT = s === 'i32' ? 'i32' : 'u32';
  const decl = bindings([s, 'i32'], `atomic<${atomicT}>`);
  let add: string;
  if (s === 'f32') {
    add = `var old = atomicLoad(&y[o]);
  loop {
    let r = atomicCompareExchangeWeak(&y[o], old, bitcast<u32>(bitcast<f32>(old) + val));
    if (r.exchanged) { break; }
    old = r.old_value;
  }`;
  } else if (s === 'i32') {
    add = 'atomicAdd(&y[o], val);';
  } else {
    add = 'if (val != 0u) { atomicOr(&y[o], 1u); }';
  }
  return `${decl}
${entry1d()}
  if (i >= md[0]) { return; }
  ${addressing(nd, dim, 2 + nd, 2 + 2 * nd)}
  let val = x0[s];
  ${add}
}`;
}

export function gatherKernel(engine: Engine, [x, index]: TensorInfo<GpuHandle>[], dim: number, out: { shape: readonly number[]; dtype: DType }): GpuHandle {
  const s = storageType(out.dtype, 'gather');
  const n = sizeOf(out.shape);
  const h = engine.alloc(n * 4);
  if (n === 0) return h;
  const nd = index!.shape.length;
  engine.dispatch({
    source: gatherSource(s, nd, dim),
    inputs: [x!.handle.buffer, index!.handle.buffer],
    output: h.buffer,
    meta: [n, x!.shape[dim]!, ...index!.shape, ...stridesOf(x!.shape)],
    groups: [...grid(Math.ceil(n / WG)), 1],
  });
  return h;
}

export function scatterAddKernel(engine: Engine, [src, index]: TensorInfo<GpuHandle>[], dim: number, shape: readonly number[], out: { dtype: DType }): GpuHandle {
  const s = storageType(out.dtype, 'scatterAdd');
  const nOut = sizeOf(shape);
  const h = engine.alloc(nOut * 4);
  if (nOut === 0) return h;
  engine.clear(h.buffer, nOut * 4);
  const n = sizeOf(index!.shape);
  if (n === 0) return h;
  const nd = index!.shape.length;
  engine.dispatch({
    source: scatterAddSource(s, nd, dim),
    inputs: [src!.handle.buffer, index!.handle.buffer],
    output: h.buffer,
    meta: [n, shape[dim]!, ...index!.shape, ...stridesOf(shape), ...stridesOf(src!.shape)],
    groups: [...grid(Math.ceil(n / WG)), 1],
  });
  return h;
}
