/**
 * Batched matmul [B,M,K]·[B,K,N] → [B,M,N] with ta/tb reading an operand transposed. Tiled:
 * each 16×16 workgroup computes a 64×64 output tile, staging 64×16 slices of A and B in
 * workgroup memory; each thread accumulates a 4×4 block. Loads are coalesced along the
 * operand's contiguous dim for all four transpose combinations.
 */
import type { DType, TensorInfo } from '@grokkit/core';
import type { Engine, GpuHandle } from '../engine.js';
import { storageType } from './wgsl.js';

const TILE = 64;
const TK = 16;

/** Load expression into the shared tile for operand `x` ('a' or 'b'); `rowsT` = the operand is stored [.., K, rows]. */
function tileLoad(name: 'As' | 'Bs', buf: string, kMajor: boolean, rows: string, base: string): string {
  // element e of the 64×16 slice: (r, kk) with r along M (or N) and kk along K.
  // kMajor storage ([K, rows]) is contiguous along r; otherwise ([rows, K]) along kk.
  const rk = kMajor ? `let kk = e / ${TILE}u; let r = e % ${TILE}u;` : `let r = e / ${TK}u; let kk = e % ${TK}u;`;
  const gr = name === 'As' ? 'm0 + r' : 'n0 + r';
  const idx = kMajor ? `${base} + (k0 + kk) * ${rows} + ${gr}` : `${base} + (${gr}) * K + k0 + kk`;
  return `for (var q = 0u; q < 4u; q++) {
      let e = tid + q * 256u;
      ${rk}
      var v = 0.0;
      if (${gr} < ${rows} && k0 + kk < K) { v = ${buf}[${idx}]; }
      ${name}[kk * ${TILE}u + r] = v;
    }`;
}

export function matmulSource(ta: boolean, tb: boolean): string {
  return `@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read> x0: array<f32>;
@group(0) @binding(2) var<storage, read> x1: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
var<workgroup> As: array<f32, ${TILE * TK}>;
var<workgroup> Bs: array<f32, ${TILE * TK}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = md[0]; let N = md[1]; let K = md[2];
  let b = wid.z + md[3];
  let m0 = wid.y * ${TILE}u;
  let n0 = wid.x * ${TILE}u;
  let tid = lid.y * 16u + lid.x;
  let aBase = b * M * K;
  let bBase = b * K * N;
  var acc: array<f32, 16>;
  for (var i = 0u; i < 16u; i++) { acc[i] = 0.0; }
  for (var k0 = 0u; k0 < K; k0 += ${TK}u) {
    ${tileLoad('As', 'x0', ta, 'M', 'aBase')}
    ${tileLoad('Bs', 'x1', !tb, 'N', 'bBase')}
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        av[i] = As[kk * ${TILE}u + lid.y + i * 16u];
        bv[i] = Bs[kk * ${TILE}u + lid.x + i * 16u];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i * 4u + j] = fma(av[i], bv[j], acc[i * 4u + j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y + i * 16u;
    if (m >= M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x + j * 16u;
      if (n < N) { y[(b * M + m) * N + n] = acc[i * 4u + j]; }
    }
  }
}`;
}

export function matmulKernel(engine: Engine, [a, b]: TensorInfo[], ta: boolean, tb: boolean, out: { shape: readonly number[]; dtype: DType }): GpuHandle {
  if (storageType(out.dtype, 'matmul') !== 'f32') throw new Error(`matmul: expected float32 operands on WebGPU, got ${out.dtype}`);
  const [B, M, N] = out.shape as [number, number, number];
  const K = ta ? a!.shape[1]! : a!.shape[2]!;
  const h = engine.alloc(B * M * N * 4);
  if (B * M * N === 0) return h;
  if (K === 0) {
    engine.clear(h.buffer, B * M * N * 4);
    return h;
  }
  const source = matmulSource(ta, tb);
  for (let b0 = 0; b0 < B; b0 += 65535) {
    engine.dispatch({
      source,
      inputs: [(a!.handle as GpuHandle).buffer, (b!.handle as GpuHandle).buffer],
      output: h.buffer,
      meta: [M, N, K, b0],
      groups: [Math.ceil(N / TILE), Math.ceil(M / TILE), Math.min(B - b0, 65535)],
    });
  }
  return h;
}
