/**
 * WGSL kernels for the fused ops core defines (see core's fused-ops.ts for their definitions and
 * VJPs): each replaces a chain of primitive kernels with one dispatch.
 *
 * - axpby and adamDirection: one thread per element;
 * - softmax, logSoftmax, standardize and standardizeGrad: one 64-thread workgroup per row, with
 *   workgroup-memory tree reductions for the row's max / sums;
 * - linear: the matmul kernel with the bias added as each output is stored.
 *
 * float32 only: for other dtypes a kernel declines and the composed definition runs.
 */
import { registerFusedKernel, type DType, type TensorInfo } from '@grokkit/core';
import type { Engine, GpuHandle } from '../engine.js';
import { sameShape, sizeOf } from '../shape-utils.js';
import { matmulKernel, type MatmulTile } from './matmul.js';
import { bindings, entry1d, grid, MATH, WG } from './wgsl.js';

type Out = { shape: readonly number[]; dtype: DType };

const ROW_WG = 64;

const bits = (v: number) => new Uint32Array(Float32Array.of(v).buffer)[0]!;
const buf = (t: TensorInfo) => (t.handle as GpuHandle).buffer;
const f32 = (ts: TensorInfo[], out: Out) => out.dtype === 'float32' && ts.every((t) => t.dtype === 'float32');
const same = (a: TensorInfo, b: TensorInfo) => sameShape(a.shape, b.shape);

/** One thread per element: y[i] = expr, with x0, x1 the inputs and p0, p1, … float parameters. */
function pointwiseSource(expr: string, params: number): string {
  const ps = Array.from({ length: params }, (_, k) => `let p${k} = bitcast<f32>(md[${k + 1}]);`).join(' ');
  return `${bindings(['f32', 'f32'], 'f32')}
${entry1d()}
  if (i >= md[0]) { return; }
  ${ps}
  let a = x0[i]; let b = x1[i];
  y[i] = ${expr};
}`;
}

function pointwise(engine: Engine, expr: string, [x, y]: TensorInfo[], params: number[], out: Out): GpuHandle {
  const n = sizeOf(out.shape);
  const h = engine.alloc(n * 4);
  if (n === 0) return h;
  engine.dispatch({
    source: pointwiseSource(expr, params.length),
    inputs: [buf(x!), buf(y!)],
    output: h.buffer,
    meta: [n, ...params.map(bits)],
    groups: [...grid(Math.ceil(n / WG)), 1],
  });
  return h;
}

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

function rows(engine: Engine, op: keyof typeof ROW_BODIES, ins: TensorInfo[], n: number, eps: number, out: Out): GpuHandle {
  const total = sizeOf(out.shape);
  const h = engine.alloc(total * 4);
  if (total === 0 || n === 0) return h;
  const count = total / n;
  engine.dispatch({
    source: rowSource(ins.length, ROW_BODIES[op]),
    inputs: ins.map(buf),
    output: h.buffer,
    meta: [count, n, bits(eps)],
    groups: [...grid(count), 1],
  });
  return h;
}

/** Register the WGSL implementations of core's fused ops for the backend registered as `name`. */
export function registerFusedKernels(engine: Engine, name: string, matmulTile: MatmulTile | 'auto'): void {
  registerFusedKernel<{ a: number; b: number }>('axpby', name, (ins, { a, b }, out) =>
    f32(ins, out) && same(ins[0]!, ins[1]!) ? pointwise(engine, 'p0 * a + p1 * b', ins, [a, b], out) : undefined,
  );
  registerFusedKernel<{ c1: number; c2: number; eps: number }>('adamDirection', name, (ins, { c1, c2, eps }, out) =>
    f32(ins, out) && same(ins[0]!, ins[1]!) ? pointwise(engine, 'a / p0 / (sqrt(b / p1) + p2)', ins, [c1, c2, eps], out) : undefined,
  );
  for (const op of ['softmax', 'logSoftmax'] as const) {
    registerFusedKernel<null>(op, name, (ins, _p, out) => (f32(ins, out) ? rows(engine, op, ins, out.shape[out.shape.length - 1] ?? 1, 0, out) : undefined));
  }
  const trailing = (shape: readonly number[], dims: number) => sizeOf(shape.slice(shape.length - dims));
  registerFusedKernel<{ dims: number; eps: number }>('standardize', name, (ins, { dims, eps }, out) =>
    f32(ins, out) ? rows(engine, 'standardize', ins, trailing(out.shape, dims), eps, out) : undefined,
  );
  registerFusedKernel<{ dims: number; eps: number }>('standardizeGrad', name, (ins, { dims, eps }, out) =>
    f32(ins, out) && same(ins[0]!, ins[1]!) ? rows(engine, 'standardizeGrad', ins, trailing(out.shape, dims), eps, out) : undefined,
  );
  registerFusedKernel<null>('linear', name, (ins, _p, out) => {
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
      b ? (b.handle as GpuHandle) : undefined,
    );
  });
}
