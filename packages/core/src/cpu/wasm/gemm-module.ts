/**
 * Generates the GEMM module: a blocked, register-tiled f32 matrix product with packed panels.
 *
 *   gemm(A, B, C, M, N, K, sAm, sAk, sBk, sBn, ldc, batch, strA, strB, strC, scratch)
 *
 * computes, for each of `batch` matrices, C[m, n] = Σ_k A[m·sAm + k·sAk] · B[k·sBk + n·sBn]
 * (strides in elements, pointers in bytes; C has row stride `ldc`). Any transpose of A or B is just
 * a choice of strides: the packing routines turn either layout into contiguous micro-panels, with
 * SIMD copies when the panel's lanes are contiguous and 4×4 SIMD transposes when its k is.
 * `scratch` points at `scratchBytes` bytes private to the calling thread.
 */
import { Code, ModuleBuilder } from './emitter.js';
import { emitGelu } from './gelu-kernel.js';

export interface GemmConfig {
  /** rows of the register tile */
  MR: number;
  /** columns of the register tile (multiple of 4) */
  NR: number;
  /** depth of a packed block */
  KC: number;
  /** rows of a packed A block (multiple of MR) */
  MC: number;
  /** columns of a packed B block (multiple of NR) */
  NC: number;
  /** steps of the micro-kernel's k loop per iteration (each behind its own exit test) */
  U: number;
  /** broadcast A values with load-splats, or load A as vectors and broadcast by lane shuffles */
  splat: 'load' | 'shuffle';
  /** accumulate with relaxed SIMD's f32x4.relaxed_madd (an FMA where the CPU has one); needs a runtime with relaxed SIMD */
  fma: boolean;
}

export const defaultGemmConfig: GemmConfig = { MR: 4, NR: 8, KC: 256, MC: 64, NC: 512, U: 8, splat: 'load', fma: false };

export interface GemmModule {
  bytes: Uint8Array;
  scratchBytes: number;
  config: GemmConfig;
}

/** Emit `while (i < bound) { body; i += step }` (i must be initialised by the caller). */
function whileLt(c: Code, i: number, bound: () => void, step: () => void, body: () => void): void {
  c.block().loop();
  c.get(i);
  bound();
  c.geS().brIf(1);
  body();
  c.get(i);
  step();
  c.add().set(i);
  c.br(0);
  c.end().end();
}

/** dst = min(a, b) for signed i32 values pushed by the callbacks. */
function minInto(c: Code, dst: number, a: () => void, b: () => void): void {
  a();
  b();
  a();
  b();
  c.ltS().select().set(dst);
}

/** kernel(pa, pb, c, ldcBytes, kc, acc): C tile (MR×NR) (+)= Apanel · Bpanel. */
function emitKernel(c: Code, cfg: GemmConfig): void {
  const { MR, NR, U } = cfg;
  const V = NR / 4;
  const [pa, pb, cp, ldc, kc, accFlag] = [0, 1, 2, 3, 4, 5];
  const acc: number[] = [];
  for (let i = 0; i < MR * V; i++) acc.push(c.local('v128'));
  const bv: number[] = [];
  for (let v = 0; v < V; v++) bv.push(c.local('v128'));
  const a = c.local('v128');
  const k = c.local('i32');
  const row = c.local('i32');
  for (const x of acc) c.v128Zero().set(x);
  c.get(kc).set(k);
  const av: number[] = [];
  if (cfg.splat === 'shuffle') for (let q = 0; q < Math.ceil(MR / 4); q++) av.push(c.local('v128'));
  const step = (u: number): void => {
    for (let v = 0; v < V; v++) c.get(pb).v128Load((u * NR + v * 4) * 4).set(bv[v]!);
    if (cfg.splat === 'shuffle') for (let q = 0; q < av.length; q++) c.get(pa).v128Load((u * MR + q * 4) * 4).set(av[q]!);
    for (let r = 0; r < MR; r++) {
      if (cfg.splat === 'shuffle') {
        const x = av[r >> 2]!;
        const l = r & 3;
        c.get(x).get(x).shuffle32(l, l, l, l).set(a);
      } else c.get(pa).v128Load32Splat((u * MR + r) * 4).set(a);
      for (let v = 0; v < V; v++) {
        const t = acc[r * V + v]!;
        if (cfg.fma) c.get(a).get(bv[v]!).get(t).f32x4RelaxedMadd().set(t);
        else c.get(t).get(a).get(bv[v]!).f32x4Mul().f32x4Add().set(t);
      }
    }
  };
  // U steps per iteration, each behind its own exit test (k ≥ u + 1): any k runs in this one loop,
  // and each step's loads stay in its own block (unrolled straight-line steps had all their
  // operands loaded up front, more registers than x64 has)
  c.block().loop();
  for (let u = 0; u < U; u++) {
    c.get(k).i32(u + 1).ltS().brIf(1);
    step(u);
  }
  c.get(pa).i32(U * MR * 4).add().set(pa);
  c.get(pb).i32(U * NR * 4).add().set(pb);
  c.get(k).i32(U).sub().set(k);
  c.br(0);
  c.end().end();
  // optionally accumulate onto C, then store
  c.get(accFlag).if_();
  c.get(cp).set(row);
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < V; v++) {
      const t = acc[r * V + v]!;
      c.get(t).get(row).v128Load(v * 16).f32x4Add().set(t);
    }
    if (r + 1 < MR) c.get(row).get(ldc).add().set(row);
  }
  c.end();
  c.get(cp).set(row);
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < V; v++) c.get(row).get(acc[r * V + v]!).v128Store(v * 16);
    if (r + 1 < MR) c.get(row).get(ldc).add().set(row);
  }
}

/**
 * pack(src, sL, sK, lanes, kc, dst): panels of L lanes; panel p holds, for each k < kc, the L values
 * src[(p·L + l)·sL + k·sK] contiguously (zero beyond `lanes`).
 */
function emitPack(c: Code, L: number): void {
  const [src, sL, sK, lanes, kc, dst] = [0, 1, 2, 3, 4, 5];
  const p = c.local('i32');
  const w = c.local('i32');
  const s = c.local('i32');
  const k = c.local('i32');
  const l = c.local('i32');
  const sp = c.local('i32');
  const dp = c.local('i32');
  const sLb = c.local('i32');
  const sKb = c.local('i32');
  const rows: number[] = [];
  for (let i = 0; i < 4; i++) rows.push(c.local('v128'));
  const t: number[] = [];
  for (let i = 0; i < 4; i++) t.push(c.local('v128'));
  const one = (): void => void c.i32(1);

  c.get(sL).i32(4).mul().set(sLb);
  c.get(sK).i32(4).mul().set(sKb);
  c.i32(0).set(p);
  whileLt(c, p, () => c.get(lanes), () => c.i32(L), () => {
    minInto(c, w, () => c.i32(L), () => c.get(lanes).get(p).sub());
    c.get(src).get(p).get(sLb).mul().add().set(s);
    // full panel with contiguous lanes: straight SIMD copies
    c.get(w).i32(L).eq().get(sL).i32(1).eq().and().if_();
    {
      c.get(s).set(sp);
      c.get(dst).set(dp);
      c.i32(0).set(k);
      whileLt(c, k, () => c.get(kc), one, () => {
        let q = 0;
        for (; q + 4 <= L; q += 4) c.get(dp).get(sp).v128Load(q * 4).v128Store(q * 4);
        for (; q < L; q++) c.get(dp).get(sp).f32Load(q * 4).f32Store(q * 4);
        c.get(sp).get(sKb).add().set(sp);
        c.get(dp).i32(L * 4).add().set(dp);
      });
    }
    c.else_();
    if (L % 4 === 0) {
      // full panel with contiguous k: 4×4 transposes
      c.get(w).i32(L).eq().get(sK).i32(1).eq().and().if_();
      {
        c.get(dst).set(dp);
        c.i32(0).set(k);
        c.block().loop();
        c.get(k).i32(4).add().get(kc).gtS().brIf(1);
        c.get(s).get(k).i32(4).mul().add().set(sp);
        for (let g = 0; g < L / 4; g++) {
          for (let r = 0; r < 4; r++) {
            c.get(sp);
            const lane = g * 4 + r;
            if (lane > 0) c.get(sLb).i32(lane).mul().add();
            c.v128Load().set(rows[r]!);
          }
          c.get(rows[0]!).get(rows[1]!).shuffle32(0, 4, 1, 5).set(t[0]!);
          c.get(rows[2]!).get(rows[3]!).shuffle32(0, 4, 1, 5).set(t[1]!);
          c.get(rows[0]!).get(rows[1]!).shuffle32(2, 6, 3, 7).set(t[2]!);
          c.get(rows[2]!).get(rows[3]!).shuffle32(2, 6, 3, 7).set(t[3]!);
          const outs: [number, number, number, number, number][] = [
            [0, 0, 1, 4, 5], [1, 2, 3, 6, 7], [2, 0, 1, 4, 5], [3, 2, 3, 6, 7],
          ];
          for (const [j, x, y, z, ww] of outs) {
            const lo = j < 2 ? t[0]! : t[2]!;
            const hi = j < 2 ? t[1]! : t[3]!;
            c.get(dp).get(lo).get(hi).shuffle32(x, y, z, ww).v128Store((j * L + g * 4) * 4);
          }
        }
        c.get(dp).i32(16 * L).add().set(dp);
        c.get(k).i32(4).add().set(k);
        c.br(0);
        c.end().end();
        // leftover k (< 4): scalar
        whileLt(c, k, () => c.get(kc), one, () => {
          c.get(s).get(k).i32(4).mul().add().set(sp);
          for (let q = 0; q < L; q++) {
            c.get(dp).get(sp);
            if (q > 0) c.get(sLb).i32(q).mul().add();
            c.f32Load().f32Store(q * 4);
          }
          c.get(dp).i32(L * 4).add().set(dp);
        });
      }
      c.else_();
    }
    {
      // general (edge) panel: zero it, then scalar gather the valid lanes
      c.get(dst).set(dp);
      c.i32(0).set(k);
      whileLt(c, k, () => c.get(kc).i32(L).mul(), one, () => {
        c.get(dp).f32Const(0).f32Store();
        c.get(dp).i32(4).add().set(dp);
      });
      c.i32(0).set(l);
      whileLt(c, l, () => c.get(w), one, () => {
        c.get(s).get(l).get(sLb).mul().add().set(sp);
        c.get(dst).get(l).i32(4).mul().add().set(dp);
        c.i32(0).set(k);
        whileLt(c, k, () => c.get(kc), one, () => {
          c.get(dp).get(sp).f32Load().f32Store();
          c.get(sp).get(sKb).add().set(sp);
          c.get(dp).i32(L * 4).add().set(dp);
        });
      });
    }
    if (L % 4 === 0) c.end();
    c.end();
    c.get(dst).get(kc).i32(L * 4).mul().add().set(dst);
  });
}

/** edge(tile, c, ldc, mr, nr, acc): write the valid mr×nr corner of a tile (row stride NR) to C. */
function emitEdge(c: Code, NR: number): void {
  const [tile, cp, ldc, mr, nr, accFlag] = [0, 1, 2, 3, 4, 5];
  const r = c.local('i32');
  const j = c.local('i32');
  const src = c.local('i32');
  const dst = c.local('i32');
  const v = c.local('f32');
  const one = (): void => void c.i32(1);
  c.i32(0).set(r);
  whileLt(c, r, () => c.get(mr), one, () => {
    c.get(tile).get(r).i32(NR * 4).mul().add().set(src);
    c.get(cp).get(r).get(ldc).mul().i32(4).mul().add().set(dst);
    c.i32(0).set(j);
    whileLt(c, j, () => c.get(nr), one, () => {
      c.get(src).f32Load().set(v);
      c.get(accFlag).if_();
      c.get(v).get(dst).f32Load().f32Add().set(v);
      c.end();
      c.get(dst).get(v).f32Store();
      c.get(src).i32(4).add().set(src);
      c.get(dst).i32(4).add().set(dst);
    });
  });
}

export function buildGemmModule(
  cfg: GemmConfig = defaultGemmConfig,
  memory: { initial: number; maximum: number; shared: boolean },
): GemmModule {
  const { MR, NR, KC, MC, NC } = cfg;
  if (NR % 4 !== 0 || MC % MR !== 0 || NC % NR !== 0) throw new Error(`invalid gemm config ${JSON.stringify(cfg)}`);
  const m = new ModuleBuilder(memory);
  const I = 'i32' as const;
  const kernel = m.func([I, I, I, I, I, I], []);
  emitKernel(kernel.code, cfg);
  const packA = m.func([I, I, I, I, I, I], []);
  emitPack(packA.code, MR);
  const packB = m.func([I, I, I, I, I, I], []);
  emitPack(packB.code, NR);
  const edge = m.func([I, I, I, I, I, I], []);
  emitEdge(edge.code, NR);

  const paBytes = MC * KC * 4;
  const pbBytes = NC * KC * 4;
  const tileBytes = MR * NR * 4;
  const scratchBytes = (paBytes + pbBytes + tileBytes + 63) & ~63;

  const g = m.func(Array<'i32'>(16).fill(I), [], 'gemm');
  const c = g.code;
  const [A, B, C, M, N, K, sAm, sAk, sBk, sBn, ldc, batch, strA, strB, strC, scratch] =
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const [b, jc, nc, pc, kc, ic, mc, jr, ir, pA, pB, tile, cptr, nrr, mrr, pa2, pb2] =
    Array.from({ length: 17 }, () => c.local('i32'));
  const one = (): void => void c.i32(1);
  c.get(scratch).set(pA);
  c.get(scratch).i32(paBytes).add().set(pB);
  c.get(pB).i32(pbBytes).add().set(tile);
  c.i32(0).set(b);
  whileLt(c, b, () => c.get(batch), one, () => {
    c.i32(0).set(jc);
    whileLt(c, jc, () => c.get(N), () => c.i32(NC), () => {
      minInto(c, nc, () => c.i32(NC), () => c.get(N).get(jc).sub());
      c.i32(0).set(pc);
      whileLt(c, pc, () => c.get(K), () => c.i32(KC), () => {
        minInto(c, kc, () => c.i32(KC), () => c.get(K).get(pc).sub());
        c.get(B).get(pc).get(sBk).mul().get(jc).get(sBn).mul().add().i32(4).mul().add();
        c.get(sBn).get(sBk).get(nc).get(kc).get(pB).call(packB.index);
        c.i32(0).set(ic);
        whileLt(c, ic, () => c.get(M), () => c.i32(MC), () => {
          minInto(c, mc, () => c.i32(MC), () => c.get(M).get(ic).sub());
          c.get(A).get(ic).get(sAm).mul().get(pc).get(sAk).mul().add().i32(4).mul().add();
          c.get(sAm).get(sAk).get(mc).get(kc).get(pA).call(packA.index);
          c.i32(0).set(jr);
          whileLt(c, jr, () => c.get(nc), () => c.i32(NR), () => {
            minInto(c, nrr, () => c.i32(NR), () => c.get(nc).get(jr).sub());
            c.i32(0).set(ir);
            whileLt(c, ir, () => c.get(mc), () => c.i32(MR), () => {
              minInto(c, mrr, () => c.i32(MR), () => c.get(mc).get(ir).sub());
              c.get(C).get(ic).get(ir).add().get(ldc).mul().get(jc).add().get(jr).add().i32(4).mul().add().set(cptr);
              c.get(pA).get(ir).get(kc).mul().i32(4).mul().add().set(pa2);
              c.get(pB).get(jr).get(kc).mul().i32(4).mul().add().set(pb2);
              c.get(mrr).i32(MR).eq().get(nrr).i32(NR).eq().and().if_();
              c.get(pa2).get(pb2).get(cptr).get(ldc).i32(4).mul().get(kc).get(pc).i32(0).gtS().call(kernel.index);
              c.else_();
              c.get(pa2).get(pb2).get(tile).i32(NR * 4).get(kc).i32(0).call(kernel.index);
              c.get(tile).get(cptr).get(ldc).get(mrr).get(nrr).get(pc).i32(0).gtS().call(edge.index);
              c.end();
            });
          });
        });
      });
    });
    c.get(A).get(strA).i32(4).mul().add().set(A);
    c.get(B).get(strB).i32(4).mul().add().set(B);
    c.get(C).get(strC).i32(4).mul().add().set(C);
  });
  emitSmall(m.func(Array<'i32'>(15).fill(I), [I], 'small').code, cfg);
  emitGelu(m);
  return { bytes: m.encode(), scratchBytes, config: cfg };
}

/**
 * small(A, B, C, M, N, K, sAm, sAk, sBk, sBn, ldc, batch, strA, strB, strC) → 1 if done, 0 if the
 * layout is not one it handles: the same product as `gemm` without packing, for many tiny matrices
 * (attention's per-head products), where packing each one costs more than multiplying it. Two
 * layouts: B contiguous along n with N a multiple of 4 (tiles of 4 rows × 8 columns of C, then 4
 * columns, one A value splat per row and k), and A and B both contiguous along k with N and K
 * multiples of 4 (B's 4×4 blocks transposed in registers, A's values broadcast by lane shuffles of
 * a row's four k). Pointers walk the matrices instead of being recomputed per tile. Both sum each
 * C value over k in order, one product at a time, as the GEMM's micro-kernel does within a block
 * of KC, so the results are the packed GEMM's to the bit; a K above KC (which the GEMM sums block
 * by block) is declined.
 */
function emitSmall(c: Code, cfg: GemmConfig): void {
  const [A, B, C, M, N, K, sAm, sAk, sBk, sBn, ldc, batch, strA, strB, strC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const i32 = (): number => c.local('i32');
  // byte strides; the current matrix's A, B and C; the current rows' A and C; B's column (or row) n
  const [sAm4, sAk4, sBk4, sBn4, ldc4, bLeft, aB, bB, cB, m, aRow, cRow, n, pb, k, pc] = Array.from({ length: 16 }, i32);
  // up to four rows of C at a time: one pointer into A per row, so that the rows' sums are
  // independent chains and B's loads (and transposes) are shared by the rows
  const pa = Array.from({ length: 4 }, i32);
  const acc = Array.from({ length: 8 }, () => c.local('v128'));
  const bv = [c.local('v128'), c.local('v128')];
  const bRows = Array.from({ length: 4 }, () => c.local('v128'));
  const lo = [c.local('v128'), c.local('v128')];
  const hi = [c.local('v128'), c.local('v128')];
  const av = c.local('v128');
  /** B's transposed columns (Bᵀ stored) reuse the registers of its rows */
  const bCols = bRows;
  /** acc[t] += x · y, as the GEMM's micro-kernel does it */
  const madd = (t: number, x: () => void, y: () => void): void => {
    if (cfg.fma) {
      x();
      y();
      c.get(acc[t]!).f32x4RelaxedMadd().set(acc[t]!);
    } else {
      c.get(acc[t]!);
      x();
      y();
      c.f32x4Mul().f32x4Add().set(acc[t]!);
    }
  };
  /** `do { body } while (--counter)` for a counter ≥ 1 */
  const countDown = (counter: number, body: () => void): void => {
    c.loop();
    body();
    c.get(counter).i32(1).sub().tee(counter).brIf(0);
    c.end();
  };
  /** for each matrix, for each group of R rows (4, then single rows): `body(R)` with aRow, cRow at the group's first row */
  const rows = (body: (R: number) => void): void => {
    c.get(batch).set(bLeft);
    countDown(bLeft, () => {
      c.get(aB).set(aRow);
      c.get(cB).set(cRow);
      c.i32(0).set(m);
      for (const R of [4, 1]) {
        whileLt(c, m, () => void c.get(M).i32(R - 1).sub(), () => void c.i32(R), () => {
          body(R);
          c.get(aRow).get(sAm4).i32(R).mul().add().set(aRow);
          c.get(cRow).get(ldc4).i32(R).mul().add().set(cRow);
        });
      }
      c.get(aB).get(strA).i32(4).mul().add().set(aB);
      c.get(bB).get(strB).i32(4).mul().add().set(bB);
      c.get(cB).get(strC).i32(4).mul().add().set(cB);
    });
  };
  /** acc[0 .. R·V) = 0, pa[r] at A[row r, k = 0], k = `kCount` */
  const tileStart = (R: number, V: number, kCount: () => void): void => {
    for (let t = 0; t < R * V; t++) c.v128Zero().set(acc[t]!);
    c.get(aRow).set(pa[0]!);
    for (let r = 1; r < R; r++) c.get(pa[r - 1]!).get(sAm4).add().set(pa[r]!);
    kCount();
    c.set(k);
  };
  /** store acc (R rows of V vectors) at C[row r, n …] */
  const tileStore = (R: number, V: number): void => {
    c.get(cRow).get(n).i32(4).mul().add().set(pc);
    for (let r = 0; r < R; r++) {
      for (let v = 0; v < V; v++) c.get(pc).get(acc[r * V + v]!).v128Store(16 * v);
      if (r + 1 < R) c.get(pc).get(ldc4).add().set(pc);
    }
  };

  // nothing to do without matrices; K in 1 … KC, else declined
  c.get(batch).i32(1).ltS().if_().i32(1).ret().end();
  c.get(K).i32(1).ltS().get(K).i32(cfg.KC).gtS().or().if_().i32(0).ret().end();
  for (const [s, s4] of [[sAm, sAm4], [sAk, sAk4], [sBk, sBk4], [sBn, sBn4], [ldc, ldc4]] as const) c.get(s).i32(4).mul().set(s4);
  c.get(A).set(aB);
  c.get(B).set(bB);
  c.get(C).set(cB);

  // B contiguous along n, N % 4 == 0: eight columns of C at a time, then four
  c.get(sBn).i32(1).eq().get(N).i32(3).and().eqz().and().if_();
  rows((R) => {
    c.i32(0).set(n);
    for (const V of [2, 1]) {
      whileLt(c, n, () => void c.get(N).i32(4 * V - 1).sub(), () => void c.i32(4 * V), () => {
        tileStart(R, V, () => void c.get(K));
        c.get(bB).get(n).i32(4).mul().add().set(pb);
        countDown(k, () => {
          for (let v = 0; v < V; v++) c.get(pb).v128Load(16 * v).set(bv[v]!);
          for (let r = 0; r < R; r++) {
            c.get(pa[r]!).v128Load32Splat().set(av);
            for (let v = 0; v < V; v++) madd(r * V + v, () => void c.get(av), () => void c.get(bv[v]!));
            c.get(pa[r]!).get(sAk4).add().set(pa[r]!);
          }
          c.get(pb).get(sBk4).add().set(pb);
        });
        tileStore(R, V);
      });
    }
  });
  c.i32(1).ret();
  c.end();

  // A and B contiguous along k (Bᵀ stored, as in attention's Q·Kᵀ), N and K multiples of 4: four columns of
  // C at a time; each 4×4 block of B is transposed in registers so that, as above, every C value is
  // summed over k in order, one product at a time (the same arithmetic as the packed GEMM)
  c.get(sBk).i32(1).eq().get(sAk).i32(1).eq().and().get(N).get(K).or().i32(3).and().eqz().and().if_();
  rows((R) => {
    c.i32(0).set(n);
    whileLt(c, n, () => void c.get(N), () => void c.i32(4), () => {
      tileStart(R, 1, () => void c.get(K).i32(2).shrU());
      c.get(bB).get(n).get(sBn4).mul().add().set(pb);
      countDown(k, () => {
        // rows n..n+3 of B at k..k+3, transposed: column j = (B[n, k+j], B[n+1, k+j], B[n+2, k+j], B[n+3, k+j])
        c.get(pb).set(pc);
        for (let i = 0; i < 4; i++) {
          if (i > 0) c.get(pc).get(sBn4).add().set(pc);
          c.get(pc).v128Load().set(bRows[i]!);
        }
        const [r0, r1, r2, r3] = bRows as [number, number, number, number];
        c.get(r0).get(r1).shuffle32(0, 4, 1, 5).set(lo[0]!); // (r0[0], r1[0], r0[1], r1[1])
        c.get(r2).get(r3).shuffle32(0, 4, 1, 5).set(lo[1]!);
        c.get(r0).get(r1).shuffle32(2, 6, 3, 7).set(hi[0]!); // (r0[2], r1[2], r0[3], r1[3])
        c.get(r2).get(r3).shuffle32(2, 6, 3, 7).set(hi[1]!);
        const cols: [number, number, number, number][] = [[lo[0]!, lo[1]!, 0, 1], [lo[0]!, lo[1]!, 2, 3], [hi[0]!, hi[1]!, 0, 1], [hi[0]!, hi[1]!, 2, 3]];
        cols.forEach(([x, y, p0, p1], j) => void c.get(x).get(y).shuffle32(p0, p1, p0 + 4, p1 + 4).set(bCols[j]!));
        // row r's four A values in one load, each broadcast by a lane shuffle: measured faster here
        // than four load-splats (in the other layout no faster, in the GEMM's micro-kernel slower)
        for (let r = 0; r < R; r++) {
          c.get(pa[r]!).v128Load().set(av);
          for (let j = 0; j < 4; j++) madd(r, () => void c.get(av).get(av).shuffle32(j, j, j, j), () => void c.get(bCols[j]!));
        }
        for (let r = 0; r < R; r++) c.get(pa[r]!).i32(16).add().set(pa[r]!);
        c.get(pb).i32(16).add().set(pb);
      });
      tileStore(R, 1);
    });
  });
  c.i32(1).ret();
  c.end();
  c.i32(0);
}
