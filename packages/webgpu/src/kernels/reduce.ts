/**
 * sum / max over axes (reduced dims kept with size 1). The kept and reduced dims are each
 * collapsed; few outputs with long reductions get one workgroup per output and a shared-memory
 * tree reduction, everything else one thread per output with a serial loop.
 */
import type { DType, TensorInfo } from '@grokkit/core/backend';
import type { Engine, GpuHandle } from '../engine.js';
import { collapse, sizeOf, stridesOf } from '../shape-utils.js';
import { entry1d, grid, MATH, offsets, storageType, WG, type StorageType } from './wgsl.js';

const TREE_WG = 256;

function accType(s: StorageType): string {
  return s === 'f32' ? 'f32' : s === 'i32' ? 'i32' : 'u32';
}

function init(op: 'sum' | 'max', s: StorageType): string {
  if (op === 'sum') return s === 'f32' ? '0.0' : s === 'i32' ? '0' : '0u';
  return s === 'f32' ? '-inf_()' : s === 'i32' ? 'i32(-2147483647 - 1)' : '0u';
}

function combine(op: 'sum' | 'max', s: StorageType, acc: string, v: string): string {
  if (op === 'sum') return `${acc} + ${v}`;
  return s === 'f32' ? `max_(${acc}, ${v})` : `max(${acc}, ${v})`;
}

function finish(s: StorageType, acc: string): string {
  return s === 'u32' ? `select(0u, 1u, ${acc} != 0u)` : acc;
}

/** Metadata: [nOut, R, keptShape(kn), keptStrides(kn), redShape(rn), redStrides(rn)]. */
export function reduceSource(op: 'sum' | 'max', s: StorageType, kn: number, rn: number, tree: boolean): string {
  const T = accType(s);
  const keptAt = 2;
  const redAt = 2 + 2 * kn;
  const head = `@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read> x0: array<${s}>;
@group(0) @binding(2) var<storage, read_write> y: array<${s}>;
${MATH}`;
  const base = (idx: string) => offsets(idx, kn, keptAt, [keptAt + kn], 'k');
  const red = (idx: string) => offsets(idx, rn, redAt, [redAt + rn], 'r');
  if (!tree) {
    return `${head}
${entry1d()}
  if (i >= md[0]) { return; }
  ${base('i')}
  var acc: ${T} = ${init(op, s)};
  for (var j = 0u; j < md[1]; j++) {
    ${red('j')}
    acc = ${combine(op, s, 'acc', 'x0[k0 + r0]')};
  }
  y[i] = ${finish(s, 'acc')};
}`;
  }
  return `${head}
var<workgroup> part: array<${T}, ${TREE_WG}>;
@compute @workgroup_size(${TREE_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.y * nwg.x + wid.x;
  let live = o < md[0];
  ${base('o')}
  var acc: ${T} = ${init(op, s)};
  if (live) {
    for (var j = lid; j < md[1]; j += ${TREE_WG}u) {
      ${red('j')}
      acc = ${combine(op, s, 'acc', 'x0[k0 + r0]')};
    }
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var w = ${TREE_WG / 2}u; w > 0u; w = w / 2u) {
    if (lid < w) { part[lid] = ${combine(op, s, 'part[lid]', 'part[lid + w]')}; }
    workgroupBarrier();
  }
  if (lid == 0u && live) { y[o] = ${finish(s, 'part[0]')}; }
}`;
}

export function reduceKernel(engine: Engine, op: 'sum' | 'max', x: TensorInfo<GpuHandle>, out: { shape: readonly number[]; dtype: DType }): GpuHandle {
  const s = storageType(out.dtype, op);
  const nOut = sizeOf(out.shape);
  const h = engine.alloc(nOut * 4);
  if (nOut === 0) return h;
  const st = stridesOf(x.shape);
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  x.shape.forEach((n, d) => {
    if (out.shape[d] === 1 && n !== 1) {
      redShape.push(n);
      redStrides.push(st[d]!);
    } else {
      keptShape.push(n);
      keptStrides.push(st[d]!);
    }
  });
  const k = collapse(keptShape, [keptStrides]);
  const r = collapse(redShape, [redStrides]);
  const R = sizeOf(redShape);
  const tree = R >= 64 && nOut < 2048;
  const meta = [nOut, R, ...k.shape, ...k.strides[0]!, ...r.shape, ...r.strides[0]!];
  engine.dispatch({
    source: reduceSource(op, s, k.shape.length, r.shape.length, tree),
    inputs: [x.handle.buffer],
    output: h.buffer,
    meta,
    groups: [...grid(tree ? nOut : Math.ceil(nOut / WG)), 1],
  });
  return h;
}
