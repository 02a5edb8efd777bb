/**
 * WGSL kernels for every fused op core defines (core's fused-params.ts and fused-ops.ts): each
 * replaces a chain of primitive kernels with one dispatch.
 *
 * - gelu, geluDerivative, axpby, adamDirection: their expressions compiled to WGSL (elementwise.ts);
 * - softmax, logSoftmax, standardize and standardizeGrad: one 64-thread workgroup per row, with
 *   workgroup-memory tree reductions for the row's max / sums;
 * - linear: the matmul kernel with the bias added as each output is stored.
 *
 * float32 only: for other dtypes a kernel declines and the composed definition runs.
 */
import { composed, elementwiseFusedKernels, type FusedKernel, type FusedTable, type OutputInfo, type TensorInfo } from '@grokkit/core/backend';
import type { Engine, GpuHandle } from '../engine.js';
import { sameShape, sizeOf } from '../shape-utils.js';
import { f32Bits, runExpression } from './elementwise.js';
import { matmulKernel, type MatmulTile } from './matmul.js';
import { bindings, grid, MATH } from './wgsl.js';

type Out = OutputInfo;

const ROW_WG = 64;

const buf = (t: TensorInfo<GpuHandle>) => t.handle.buffer;
const f32 = (ts: TensorInfo<GpuHandle>[], out: Out) => out.dtype === 'float32' && ts.every((t) => t.dtype === 'float32');
const same = (a: TensorInfo<GpuHandle>, b: TensorInfo<GpuHandle>) => sameShape(a.shape, b.shape);

/**
 * A row kernel: md = [rows, n, p0 bits]; `row`, `n`, `o` (the row's offset), `live` and `lid` are
 * in scope, with wsum / wmax reducing over the workgroup (called in uniform control flow).
 */
function rowSource(inputs: number, body: string): string {
  return `${bindings(Array<string>(inputs).fill('f32'), 'f32')}
${MATH}
var<workgroup> part: array<f32, ${ROW_WG}>;
fn wsum(v: f32, lid: u32) -> f32 {
  workgroupBarrier();
  part[lid] = v;
  workgroupBarrier();
  for (var w = ${ROW_WG / 2}u; w > 0u; w = w / 2u) {
    if (lid < w) { part[lid] = part[lid] + part[lid + w]; }
    workgroupBarrier();
  }
  return part[0];
}
fn wmax(v: f32, lid: u32) -> f32 {
  workgroupBarrier();
  part[lid] = v;
  workgroupBarrier();
  for (var w = ${ROW_WG / 2}u; w > 0u; w = w / 2u) {
    if (lid < w) { part[lid] = select(part[lid], part[lid + w], part[lid + w] > part[lid]); }
    workgroupBarrier();
  }
  return part[0];
}
@compute @workgroup_size(${ROW_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  let live = row < md[0];
  let n = md[1];
  let o = row * n;
  let eps = bitcast<f32>(md[2]);
  ${body}
}`;
}

/** Loop over the thread's share of the row (nothing for the idle rows of the last workgroup). */
const each = (stmt: string) => `if (live) { for (var j = lid; j < n; j += ${ROW_WG}u) { ${stmt} } }`;

/** Row mean and 1/√(var + eps) (biased variance) as `mean`, `rs`. */
const ROW_STATS = `var s = 0.0;
  ${each('s += x0[o + j];')}
  let mean = wsum(s, lid) / f32(n);
  var q = 0.0;
  ${each('let d = x0[o + j] - mean; q += d * d;')}
  let rs = 1.0 / sqrt(wsum(q, lid) / f32(n) + eps);`;

function softmaxBody(log: boolean): string {
  // the row max, as cpu finds it (NaNs skipped); an all −∞ row keeps m = 0 so NaNs propagate
  return `var m = -inf_();
  ${each('let v = x0[o + j]; if (v > m) { m = v; }')}
  m = wmax(m, lid);
  if (m == -inf_()) { m = 0.0; }
  var z = 0.0;
  ${each('z += exp(x0[o + j] - m);')}
  z = wsum(z, lid);
  ${log ? `let lz = log(z) + m;\n  ${each('y[o + j] = x0[o + j] - lz;')}` : each('y[o + j] = exp(x0[o + j] - m) / z;')}`;
}

const ROW_BODIES = {
  softmax: softmaxBody(false),
  logSoftmax: softmaxBody(true),
  standardize: `${ROW_STATS}
  ${each('y[o + j] = (x0[o + j] - mean) * rs;')}`,
  standardizeGrad: `${ROW_STATS}
  var sg = 0.0;
  var sgx = 0.0;
  ${each('let g = x1[o + j]; sg += g; sgx += g * (x0[o + j] - mean) * rs;')}
  let mg = wsum(sg, lid) / f32(n);
  let mgx = wsum(sgx, lid) / f32(n);
  ${each('y[o + j] = rs * (x1[o + j] - mg - (x0[o + j] - mean) * rs * mgx);')}`,
};

function rows(engine: Engine, op: keyof typeof ROW_BODIES, ins: TensorInfo<GpuHandle>[], n: number, eps: number, out: Out): GpuHandle {
  const total = sizeOf(out.shape);
  const h = engine.alloc(total * 4);
  if (total === 0 || n === 0) return h;
  const count = total / n;
  engine.dispatch({
    source: rowSource(ins.length, ROW_BODIES[op]),
    inputs: ins.map(buf),
    output: h.buffer,
    meta: [count, n, f32Bits(eps)],
    groups: [...grid(count), 1],
  });
  return h;
}

type RowOp = keyof typeof ROW_BODIES;
/** A row kernel over the trailing `dims(params)` dims of float32 inputs (declines anything else). */
function rowKernel<F extends RowOp>(engine: Engine, op: F, rowOf: (p: Parameters<FusedKernel<F>>[1], out: Out) => [number, number]): FusedKernel<F, GpuHandle> {
  return (ins, params, out) => {
    if (!f32(ins, out) || (ins.length === 2 && !same(ins[0]!, ins[1]!))) return undefined;
    const [n, eps] = rowOf(params, out);
    return rows(engine, op, ins, n, eps, out);
  };
}

const last = (out: Out): [number, number] => [out.shape[out.shape.length - 1] ?? 1, 0];
const trailing = ({ dims, eps }: { dims: number; eps: number }, out: Out): [number, number] => [sizeOf(out.shape.slice(out.shape.length - dims)), eps];

/** The WGSL kernel of every fused op. */
export function fusedKernels(engine: Engine, matmulTile: MatmulTile | 'auto'): FusedTable<GpuHandle> {
  return {
    ...elementwiseFusedKernels((e, ins, out, params) => runExpression(engine, e, ins, out, params)),
    softmax: rowKernel(engine, 'softmax', (_p, out) => last(out)),
    logSoftmax: rowKernel(engine, 'logSoftmax', (_p, out) => last(out)),
    argmax: composed,
    standardize: rowKernel(engine, 'standardize', trailing),
    standardizeGrad: rowKernel(engine, 'standardizeGrad', trailing),
    linear: (ins, _p, out) => {
      const [x, w, b] = ins;
      if (!f32(ins, out)) return undefined;
      const [n, inF] = x!.shape as [number, number];
      const outF = w!.shape[0]!;
      return matmulKernel(
        engine,
        [{ ...x!, shape: [1, n, inF] }, { ...w!, shape: [1, outF, inF] }],
        false,
        true,
        { shape: [1, n, outF], dtype: 'float32' },
        matmulTile,
        b ? b.handle : undefined,
      );
    },
  };
}
