/**
 * Batched matmul [B,M,K]·[B,K,N] → [B,M,N] with ta/tb reading an operand transposed. Tiled:
 * each 16×16 workgroup computes a T×T output tile (T = 32, 64 or 128), staging T×16 slices of
 * A and B in workgroup memory, and each thread accumulates an R×R block (R = T/16). Global loads
 * are coalesced along the operand's contiguous dim for all four transpose combinations; staged
 * rows are padded so that threads storing along K spread over the memory banks.
 *
 * Two ways to read the staged slices, each the faster one where it is used (measured on an H100,
 * docs/performance.md):
 * - T = 32, 64: thread (x, y) owns rows yR … yR+R−1 and columns xR … xR+R−1 and reads them as
 *   vectors of W = min(R, 4) floats, accumulating with vector FMAs (fewer workgroup-memory reads);
 * - T = 128: thread (x, y) owns rows y + 16i and columns x + 16j and reads scalars (conflict-free
 *   across a warp; the vector form spills or conflicts at R = 8 and ran up to 40% slower).
 */
import type { DType, TensorInfo } from '@grokkit/core/backend';
import type { Engine, GpuHandle } from '../engine.js';
import { storageType } from './wgsl.js';

const TK = 16;

/** Output tile edge: small tiles give small products more workgroups, large ones more reuse. */
export type MatmulTile = 32 | 64 | 128;
export const MATMUL_TILES: readonly MatmulTile[] = [32, 64, 128];

/**
 * Staging of one operand's T×16 slice into `name`, an array of W-float vectors (scalars for
 * W = 1) with rows of T + W floats; `kMajor` = the operand is stored [.., K, rows].
 */
function tileLoad(tile: MatmulTile, W: number, name: 'As' | 'Bs', buf: string, kMajor: boolean, rows: string, base: string): string {
  // element e of the slice: (r, kk) with r along M (or N) and kk along K.
  // kMajor storage ([K, rows]) is contiguous along r; otherwise ([rows, K]) along kk.
  const rk = kMajor ? `let kk = e / ${tile}u; let r = e % ${tile}u;` : `let r = e / ${TK}u; let kk = e % ${TK}u;`;
  const gr = name === 'As' ? 'm0 + r' : 'n0 + r';
  const idx = kMajor ? `${base} + (k0 + kk) * ${rows} + ${gr}` : `${base} + (${gr}) * K + k0 + kk`;
  return `for (var q = 0u; q < ${(tile * TK) / 256}u; q++) {
      let e = tid + q * 256u;
      ${rk}
      var v = 0.0;
      if (${gr} < ${rows} && k0 + kk < K) { v = ${buf}[${idx}]; }
      let p = kk * ${tile + W}u + r;
      ${W === 1 ? `${name}[p] = v;` : `${name}[p / ${W}u][p % ${W}u] = v;`}
    }`;
}

/** `bias`: add x2[n] (a [N] vector) to every output row as it is stored. */
export function matmulSource(ta: boolean, tb: boolean, tile: MatmulTile = 64, bias = false): string {
  const R = tile / 16;
  const W = tile === 128 ? 1 : Math.min(R, 4);
  const V = R / W; // vectors per thread row / column
  const VT = W === 1 ? 'f32' : `vec${W}<f32>`;
  const SV = tile / W + 1; // vectors per staged row
  // rows / columns of the thread's block, and reading its k-th staged values
  const [rowOf, colOf] = W === 1 ? ['lid.y + i * 16u', 'lid.x + j * 16u'] : [`lid.y * ${R}u + i`, `lid.x * ${R}u + j`];
  const accAt = W === 1 ? `acc[i * ${R}u + j]` : `acc[i * ${V}u + j / ${W}u][j % ${W}u]`;
  const inner =
    W === 1
      ? `for (var q = 0u; q < ${R}u; q++) {
        av[q] = As[kk * ${SV}u + lid.y + q * 16u];
        bv[q] = Bs[kk * ${SV}u + lid.x + q * 16u];
      }
      for (var i = 0u; i < ${R}u; i++) {
        for (var j = 0u; j < ${R}u; j++) { acc[i * ${R}u + j] = fma(av[i], bv[j], acc[i * ${R}u + j]); }
      }`
      : `for (var q = 0u; q < ${V}u; q++) {
        av[q] = As[kk * ${SV}u + lid.y * ${V}u + q];
        bv[q] = Bs[kk * ${SV}u + lid.x * ${V}u + q];
      }
      for (var i = 0u; i < ${R}u; i++) {
        let a = ${VT}(av[i / ${W}u][i % ${W}u]);
        for (var q = 0u; q < ${V}u; q++) { acc[i * ${V}u + q] = fma(a, bv[q], acc[i * ${V}u + q]); }
      }`;
  return `@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read> x0: array<f32>;
@group(0) @binding(2) var<storage, read> x1: array<f32>;
${bias ? '@group(0) @binding(3) var<storage, read> x2: array<f32>;\n' : ''}@group(0) @binding(${bias ? 4 : 3}) var<storage, read_write> y: array<f32>;
var<workgroup> As: array<${VT}, ${SV * TK}>;
var<workgroup> Bs: array<${VT}, ${SV * TK}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = md[0]; let N = md[1]; let K = md[2];
  let b = wid.z + md[3];
  let m0 = wid.y * ${tile}u;
  let n0 = wid.x * ${tile}u;
  let tid = lid.y * 16u + lid.x;
  let aBase = b * M * K;
  let bBase = b * K * N;
  var acc: array<${VT}, ${R * V}>;
  for (var i = 0u; i < ${R * V}u; i++) { acc[i] = ${VT}(0.0); }
  for (var k0 = 0u; k0 < K; k0 += ${TK}u) {
    ${tileLoad(tile, W, 'As', 'x0', ta, 'M', 'aBase')}
    ${tileLoad(tile, W, 'Bs', 'x1', !tb, 'N', 'bBase')}
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      var av: array<${VT}, ${V}>;
      var bv: array<${VT}, ${V}>;
      ${inner}
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${R}u; i++) {
    let m = m0 + ${rowOf};
    if (m >= M) { continue; }
    for (var j = 0u; j < ${R}u; j++) {
      let n = n0 + ${colOf};
      if (n < N) { y[(b * M + m) * N + n] = ${accAt}${bias ? ' + x2[n]' : ''}; }
    }
  }
}`;
}

/** The largest tile that still gives the product enough workgroups to fill a GPU. */
export function chooseTile(B: number, M: number, N: number, pref: MatmulTile | 'auto'): MatmulTile {
  if (pref !== 'auto') return pref;
  const groups = (t: number) => B * Math.ceil(M / t) * Math.ceil(N / t);
  // measured on an H100 (docs/performance.md): 256 workgroups is where each size starts to pay
  return groups(128) >= 256 ? 128 : groups(64) >= 256 ? 64 : 32;
}

export function matmulKernel(
  engine: Engine,
  [a, b]: TensorInfo<GpuHandle>[],
  ta: boolean,
  tb: boolean,
  out: { shape: readonly number[]; dtype: DType },
  pref: MatmulTile | 'auto' = 'auto',
  bias?: GpuHandle,
): GpuHandle {
  if (storageType(out.dtype, 'matmul') !== 'f32') throw new Error(`matmul: expected float32 operands on WebGPU, got ${out.dtype}`);
  const [B, M, N] = out.shape as [number, number, number];
  const K = ta ? a!.shape[1]! : a!.shape[2]!;
  const h = engine.alloc(B * M * N * 4);
  if (B * M * N === 0) return h;
  if (K === 0 && !bias) {
    engine.clear(h.buffer, B * M * N * 4);
    return h;
  }
  const tile = chooseTile(B, M, N, pref);
  const source = matmulSource(ta, tb, tile, bias !== undefined);
  for (let b0 = 0; b0 < B; b0 += 65535) {
    engine.dispatch({
      source,
      inputs: [a!.handle.buffer, b!.handle.buffer, ...(bias ? [bias.buffer] : [])],
      output: h.buffer,
      meta: [M, N, K, b0],
      groups: [Math.ceil(N / tile), Math.ceil(M / tile), Math.min(B - b0, 65535)],
    });
  }
  return h;
}
