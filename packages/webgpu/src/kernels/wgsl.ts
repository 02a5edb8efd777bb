/** WGSL building blocks shared by the generated kernels. */
import type { DType } from '@grokkit/core/backend';

/** Storage element type per dtype: float32 → f32, int32 → i32, bool → u32 (0 or 1). */
export type StorageType = 'f32' | 'i32' | 'u32';

export function storageType(dtype: DType, op = 'webgpu'): StorageType {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'int32':
      return 'i32';
    case 'bool':
      return 'u32';
    default:
      throw new Error(`${op}: dtype '${dtype}' is not supported on WebGPU (WGSL has no 64-bit floats); use float32, or keep ${dtype} tensors on 'cpu'`);
  }
}

/** Threads per workgroup of the one-thread-per-element kernels. */
export const WG = 256;

/** Split a workgroup count over x and y so neither exceeds the per-dimension limit. */
export function grid(groups: number, maxPerDim = 65535): [number, number] {
  if (groups <= maxPerDim) return [Math.max(groups, 1), 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}

/** Entry point header of a 1-D kernel: `i` is the flat thread index over a 2-D grid. */
export function entry1d(wg = WG): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${wg}u + lid;`;
}

/** Binding declarations: meta (read-only u32s), then inputs, then the output. */
export function bindings(inputs: string[], output: string): string {
  const lines = ['@group(0) @binding(0) var<storage, read> md: array<u32>;'];
  inputs.forEach((t, k) => lines.push(`@group(0) @binding(${k + 1}) var<storage, read> x${k}: array<${t}>;`));
  lines.push(`@group(0) @binding(${inputs.length + 1}) var<storage, read_write> y: array<${output}>;`);
  return lines.join('\n');
}

/**
 * Offsets of flat index `idx` in an `nd`-dim iteration space whose sizes sit at md[shapeAt..]
 * and whose per-input strides sit at md[stridesAt[k]..]: declares `o0`, `o1`, … .
 */
export function offsets(idx: string, nd: number, shapeAt: number, stridesAt: number[], prefix = 'o'): string {
  const lines = stridesAt.map((_, k) => `var ${prefix}${k} = 0u;`);
  if (nd === 0) return lines.join('\n  ');
  lines.push(`var rem_${prefix} = ${idx};`);
  for (let d = nd - 1; d >= 0; d--) {
    const c = `c_${prefix}${d}`;
    if (d === 0) lines.push(`let ${c} = rem_${prefix};`);
    else lines.push(`let ${c} = rem_${prefix} % md[${shapeAt + d}]; rem_${prefix} = rem_${prefix} / md[${shapeAt + d}];`);
    stridesAt.forEach((at, k) => lines.push(`${prefix}${k} += ${c} * md[${at + d}];`));
  }
  return lines.join('\n  ');
}

/** Math helpers with the cpu reference's semantics where WGSL's builtins differ or are undefined. */
export const MATH = `
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// NaN and ±Inf cannot be constants in WGSL: build them from runtime bits
fn nan_() -> f32 { var b = 0x7fc00000u; return bitcast<f32>(b); }
fn inf_() -> f32 { var b = 0x7f800000u; return bitcast<f32>(b); }
fn max_(a: f32, b: f32) -> f32 { return select(b, a, a > b || isnan_(a)); }
fn tanh_(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  let t = (1.0 - e) / (1.0 + e);
  return select(select(t, -t, x < 0.0), x, isnan_(x));
}
fn erf_(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.5) {
    let z = x * x;
    return 1.1283791670955126 * x * (1.0 + z * (-0.3333333333333333 + z * (0.1 + z * (-0.023809523809523808 + z * (0.004629629629629629 + z * (-0.0007575757575757576 + z * 0.00010683760683760684))))));
  }
  let t = 1.0 / (1.0 + 0.3275911 * ax);
  let p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  let r = 1.0 - p * exp(-ax * ax);
  return select(r, -r, x < 0.0);
}
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan_(a) || isnan_(b)) { return nan_(); }
  if (a == 0.0) { return select(0.0, inf_(), b < 0.0); }
  if (a < 0.0) {
    if (b != floor(b)) { return nan_(); }
    let r = exp2(b * log2(-a));
    return select(r, -r, abs(b % 2.0) == 1.0);
  }
  return exp2(b * log2(a));
}
// sin/cos: some drivers' builtins (SwiftShader) are only ~2e-4 accurate. Reduce to
// r in [-pi/4, pi/4] with pi/2 split in three parts, then minimax polynomials on r.
fn sinp_(r: f32) -> f32 {
  let z = r * r;
  return r + r * z * (-0.16666654611 + z * (0.0083321608736 + z * -0.00019515295891));
}
fn cosp_(r: f32) -> f32 {
  let z = r * r;
  return 1.0 - 0.5 * z + z * z * (0.041666645683 + z * (-0.0013887316255 + z * 0.000024433157118));
}
fn quadrant_(x: f32) -> vec2<f32> {
  let n = round(x * 0.63661977236758134);
  let r = ((x - n * 1.5703125) - n * 0.0004837512969970703125) - n * 7.549789954891882e-8;
  return vec2<f32>(r, n);
}
fn sin_(x: f32) -> f32 {
  let q = quadrant_(x);
  let k = i32(q.y) & 3;
  let v = select(sinp_(q.x), cosp_(q.x), (k & 1) == 1);
  return select(v, -v, k >= 2);
}
fn cos_(x: f32) -> f32 {
  let q = quadrant_(x);
  let k = i32(q.y) & 3;
  let v = select(cosp_(q.x), sinp_(q.x), (k & 1) == 1);
  return select(v, -v, k == 1 || k == 2);
}
fn f2i_(x: f32) -> i32 { return select(i32(trunc(x)), 0, isnan_(x)); }
`;
