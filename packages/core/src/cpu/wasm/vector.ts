/**
 * Elementwise float32 kernels in WebAssembly SIMD, on the GEMM's memory (see matmul.ts).
 *
 * A JS loop over Float32Arrays costs ≈2 ns per element here (every value goes through a double),
 * while copying an array into wasm memory and back is a memcpy (≈0.1 ns per element) and an
 * f32x4 loop does four elements per instruction. So each call copies its inputs into the data
 * region, runs one SIMD loop, and copies the result out.
 *
 * Binary ops work on 2-D views [rows, cols] of the broadcast iteration space: each operand steps
 * through a row with stride 1 (a vector) or 0 (a scalar per row) and between rows with any
 * stride. Collapsing adjacent dims (shape.collapse) brings same-shape ops, scalar operands, bias
 * rows ([n, m] + [m]) and per-row statistics ([n, m] − [n, 1]) to that form.
 */
import { collapse, type Shape } from '../../shape.js';
import { Code, each4, ModuleBuilder, times } from './emitter.js';
import { addressOf, align, stage, staging, unstage } from './heap.js';
import { emitExpFns } from './exp-kernel.js';
import { emitRowFns } from './rows-kernel.js';
import { getRuntime, MAX_PAGES, type Runtime } from './runtime.js';
import { wasmApi } from './webassembly-api.js';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
type Layout = 'vv' | 'vs' | 'sv';

const VOP: Record<BinaryOp, (c: Code) => Code> = {
  add: (c) => c.f32x4Add(),
  sub: (c) => c.f32x4Sub(),
  mul: (c) => c.f32x4Mul(),
  div: (c) => c.f32x4Div(),
};
const SOP: Record<BinaryOp, (c: Code) => Code> = {
  add: (c) => c.f32Add(),
  sub: (c) => c.f32Sub(),
  mul: (c) => c.f32Mul(),
  div: (c) => c.f32Div(),
};

/** addr = base + 4·j */
const at = (c: Code, base: number, j: number) => c.get(base).get(j).i32(2).shl().add();

/**
 * `bin_<layout>_<op>(out, a, b, rows, cols, lda, ldb)`: out[r·cols + j] = a(r, j) op b(r, j), with
 * a(r, j) = a[r·lda + j] for a vector operand or a[r·lda] for a scalar one (likewise b). Pointers
 * are byte addresses, strides are in elements.
 */
function binary(mb: ModuleBuilder, layout: Layout, op: BinaryOp): void {
  const { code: c } = mb.func(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], `bin_${layout}_${op}`);
  const [OUT, A, B, ROWS, COLS, LDA, LDB] = [0, 1, 2, 3, 4, 5, 6];
  const r = c.local('i32');
  const j = c.local('i32');
  const pa = c.local('i32');
  const pb = c.local('i32');
  const po = c.local('i32');
  const s = c.local('f32');
  const vs = c.local('v128');
  const scalarSide = layout === 'vs' ? pb : layout === 'sv' ? pa : -1;
  const vecA = (cc: Code) => (layout === 'sv' ? cc.get(vs) : at(cc, pa, j).v128Load());
  const vecB = (cc: Code) => (layout === 'vs' ? cc.get(vs) : at(cc, pb, j).v128Load());
  const scA = (cc: Code) => (layout === 'sv' ? cc.get(s) : at(cc, pa, j).f32Load());
  const scB = (cc: Code) => (layout === 'vs' ? cc.get(s) : at(cc, pb, j).f32Load());
  times(c, r, ROWS, () => {
    c.get(A).get(r).get(LDA).mul().i32(2).shl().add().set(pa);
    c.get(B).get(r).get(LDB).mul().i32(2).shl().add().set(pb);
    c.get(OUT).get(r).get(COLS).mul().i32(2).shl().add().set(po);
    if (scalarSide >= 0) c.get(scalarSide).f32Load().tee(s).f32x4Splat().set(vs);
    c.i32(0).set(j);
    each4(
      c, j, COLS,
      () => { at(c, po, j); vecA(c); vecB(c); VOP[op](c).v128Store(); },
      () => { at(c, po, j); scA(c); scB(c); SOP[op](c).f32Store(); },
    );
  });
}

/**
 * `name(out, x, y, n, p0, p1, …)`: out[i] = f(x[i], y[i]) over n elements, where `vec` and `scalar`
 * push the value from (x, y) on the stack given the splatted / scalar parameters.
 */
function pointwise(
  mb: ModuleBuilder,
  name: string,
  params: number,
  vec: (c: Code, x: () => void, y: () => void, p: number[]) => void,
  scalar: (c: Code, x: () => void, y: () => void, p: number[]) => void,
): void {
  const { code: c } = mb.func(['i32', 'i32', 'i32', 'i32', ...Array<'f32'>(params).fill('f32')], [], name);
  const [OUT, X, Y, N] = [0, 1, 2, 3];
  const ps = Array.from({ length: params }, (_, k) => 4 + k);
  const vps = ps.map(() => c.local('v128'));
  const j = c.local('i32');
  ps.forEach((p, k) => c.get(p).f32x4Splat().set(vps[k]!));
  c.i32(0).set(j);
  each4(
    c, j, N,
    () => {
      at(c, OUT, j);
      vec(c, () => at(c, X, j).v128Load(), () => at(c, Y, j).v128Load(), vps);
      c.v128Store();
    },
    () => {
      at(c, OUT, j);
      scalar(c, () => at(c, X, j).f32Load(), () => at(c, Y, j).f32Load(), ps);
      c.f32Store();
    },
  );
}

/**
 * Row standardisation and its gradient over `rows` contiguous rows of `n` (see core's
 * fused-ops.ts): `standardize(out, x, rows, n, eps)` and `standardizeGrad(out, x, g, rows, n, eps)`.
 * Row sums accumulate in four f32 lanes.
 */
function standardizeFns(mb: ModuleBuilder): void {
  for (const grad of [false, true]) {
    const params: ('i32' | 'f32')[] = grad ? ['i32', 'i32', 'i32', 'i32', 'i32', 'f32'] : ['i32', 'i32', 'i32', 'i32', 'f32'];
    const { code: c } = mb.func(params, [], grad ? 'standardizeGrad' : 'standardize');
    const [OUT, X] = [0, 1];
    const G = grad ? 2 : -1;
    const [ROWS, N, EPS] = grad ? [3, 4, 5] : [2, 3, 4];
    const r = c.local('i32');
    const j = c.local('i32');
    const row = c.local('i32'); // byte offset of the row
    const acc = c.local('v128');
    const acc2 = c.local('v128');
    const s = c.local('f32');
    const s2 = c.local('f32');
    const mean = c.local('f32');
    const rs = c.local('f32');
    const vmean = c.local('v128');
    const vrs = c.local('v128');
    const mg = c.local('f32');
    const mgx = c.local('f32');
    const vmg = c.local('v128');
    const vmgx = c.local('v128');
    const d = c.local('v128');
    const ds = c.local('f32');
    const addr = (base: number) => c.get(base).get(row).add().get(j).i32(2).shl().add();
    const hsum = (v: number, into: number) => {
      c.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1).f32Add();
      c.get(v).f32x4ExtractLane(2).get(v).f32x4ExtractLane(3).f32Add().f32Add().set(into);
    };
    const overN = (v: number) => c.get(v).get(N).f32ConvertI32S().f32Div();
    times(c, r, ROWS, () => {
      c.get(r).get(N).mul().i32(2).shl().set(row);
      // mean
      c.v128Zero().set(acc).i32(0).set(j);
      each4(c, j, N, () => { c.get(acc); addr(X).v128Load(); c.f32x4Add().set(acc); }, null);
      hsum(acc, s);
      each4(c, j, N, null, () => { c.get(s); addr(X).f32Load(); c.f32Add().set(s); });
      overN(s);
      c.tee(mean).f32x4Splat().set(vmean);
      // 1/√(var + eps)
      c.v128Zero().set(acc).i32(0).set(j);
      each4(c, j, N, () => { addr(X).v128Load(); c.get(vmean).f32x4Sub().tee(d).get(d).f32x4Mul().get(acc).f32x4Add().set(acc); }, null);
      hsum(acc, s);
      each4(c, j, N, null, () => { addr(X).f32Load(); c.get(mean).f32Sub().tee(ds).get(ds).f32Mul().get(s).f32Add().set(s); });
      c.f32Const(1);
      overN(s);
      c.get(EPS).f32Add().f32Sqrt().f32Div().tee(rs).f32x4Splat().set(vrs);
      if (grad) {
        // mean(g) and mean(g·x̂)
        c.v128Zero().tee(acc).set(acc2).i32(0).set(j);
        each4(
          c, j, N,
          () => {
            addr(G).v128Load().tee(d).get(acc).f32x4Add().set(acc);
            c.get(d);
            addr(X).v128Load();
            c.get(vmean).f32x4Sub().get(vrs).f32x4Mul().f32x4Mul().get(acc2).f32x4Add().set(acc2);
          },
          null,
        );
        hsum(acc, s);
        hsum(acc2, s2);
        each4(
          c, j, N,
          null,
          () => {
            addr(G).f32Load().tee(ds).get(s).f32Add().set(s);
            c.get(ds);
            addr(X).f32Load();
            c.get(mean).f32Sub().get(rs).f32Mul().f32Mul().get(s2).f32Add().set(s2);
          },
        );
        overN(s);
        c.tee(mg).f32x4Splat().set(vmg);
        overN(s2);
        c.tee(mgx).f32x4Splat().set(vmgx);
        // out = rs·(g − mg − x̂·mgx)
        c.i32(0).set(j);
        each4(
          c, j, N,
          () => {
            addr(OUT);
            addr(G).v128Load();
            c.get(vmg).f32x4Sub();
            addr(X).v128Load();
            c.get(vmean).f32x4Sub().get(vrs).f32x4Mul().get(vmgx).f32x4Mul().f32x4Sub().get(vrs).f32x4Mul().v128Store();
          },
          () => {
            addr(OUT);
            addr(G).f32Load();
            c.get(mg).f32Sub();
            addr(X).f32Load();
            c.get(mean).f32Sub().get(rs).f32Mul().get(mgx).f32Mul().f32Sub().get(rs).f32Mul().f32Store();
          },
        );
      } else {
        c.i32(0).set(j);
        each4(
          c, j, N,
          () => { addr(OUT); addr(X).v128Load(); c.get(vmean).f32x4Sub().get(vrs).f32x4Mul().v128Store(); },
          () => { addr(OUT); addr(X).f32Load(); c.get(mean).f32Sub().get(rs).f32Mul().f32Store(); },
        );
      }
    });
  }
}

/**
 * Column sums in float64: `colsum(acc, x, rows, cols, ld)` adds row r's first `cols` values
 * (cols a multiple of 4; row r starts at x + 4·r·ld) to the float64 accumulators at acc, row
 * after row: per column the same additions in the same order as the JS loop.
 */
function colsumFn(mb: ModuleBuilder): void {
  const { code: c } = mb.func(['i32', 'i32', 'i32', 'i32', 'i32'], [], 'colsum');
  const [ACC, X, ROWS, COLS, LD] = [0, 1, 2, 3, 4];
  const r = c.local('i32');
  const j = c.local('i32');
  const px = c.local('i32');
  const pa = c.local('i32');
  const v = c.local('v128');
  times(c, r, ROWS, () => {
    c.get(X).get(r).get(LD).mul().i32(2).shl().add().set(px);
    c.i32(0).set(j);
    each4(
      c, j, COLS,
      () => {
        c.get(px).get(j).i32(2).shl().add().v128Load().set(v);
        c.get(ACC).get(j).i32(3).shl().add().tee(pa);
        c.get(pa).v128Load().get(v).f64x2PromoteLowF32x4().f64x2Add().v128Store();
        c.get(pa).get(pa).v128Load(16).get(v).get(v).shuffle32(2, 3, 0, 1).f64x2PromoteLowF32x4().f64x2Add().v128Store(16);
      },
      null,
    );
  });
}

/**
 * `strided(out, src, rows, inner, outer, shp, stp, idx)`: a strided copy of 4-byte values in rows
 * of `inner` contiguous values. Row r is read from src + base and written at out + 4·r·inner; base
 * walks the `outer` dims like an odometer (their sizes at shp, their byte strides at stp, the
 * multi-index at idx, zeroed by the caller). Values move as v128 or i32, so every bit is kept.
 */
function stridedFn(mb: ModuleBuilder): void {
  const { code: c } = mb.func(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], 'strided');
  const [OUT, SRC, ROWS, INNER, OUTER, SHP, STP, IDX] = [0, 1, 2, 3, 4, 5, 6, 7];
  const r = c.local('i32');
  const j = c.local('i32');
  const po = c.local('i32');
  const base = c.local('i32');
  const d = c.local('i32');
  const pd = c.local('i32');
  const t = c.local('i32');
  const meta = (ptr: number) => c.get(ptr).get(d).i32(2).shl().add().i32Load();
  c.get(OUT).set(po);
  c.get(SRC).set(base);
  times(c, r, ROWS, () => {
    c.i32(0).set(j);
    each4(
      c, j, INNER,
      () => { at(c, po, j); at(c, base, j).v128Load().v128Store(); },
      () => { at(c, po, j); at(c, base, j).i32Load().i32Store(); },
    );
    c.get(po).get(INNER).i32(2).shl().add().set(po);
    // next row: idx[d]++ from the last outer dim, carrying into the ones before it
    c.get(OUTER).i32(1).sub().set(d);
    c.block().loop();
    c.get(d).i32(0).ltS().brIf(1);
    c.get(IDX).get(d).i32(2).shl().add().tee(pd);
    c.get(pd).i32Load().i32(1).add().tee(t).i32Store();
    c.get(base);
    meta(STP);
    c.add().set(base);
    c.get(t);
    meta(SHP);
    c.ltS().brIf(1);
    c.get(base);
    meta(STP);
    meta(SHP);
    c.mul().sub().set(base);
    c.get(pd).i32(0).i32Store();
    c.get(d).i32(1).sub().set(d);
    c.br(0);
    c.end().end();
  });
}

/** The module's bytes (memory imported as env.memory with the given limits). */
export function buildVectorModule(memory: { initial: number; maximum: number; shared: boolean }): Uint8Array {
  const mb = new ModuleBuilder(memory);
  for (const layout of ['vv', 'vs', 'sv'] as const) for (const op of ['add', 'sub', 'mul', 'div'] as const) binary(mb, layout, op);
  // axpby: p0·x + p1·y
  const axpby = (c: Code, x: () => void, y: () => void, p: number[], mul: (c: Code) => Code, add: (c: Code) => Code) => {
    c.get(p[0]!);
    x();
    mul(c);
    c.get(p[1]!);
    y();
    mul(c);
    add(c);
  };
  pointwise(mb, 'axpby', 2, (c, x, y, p) => axpby(c, x, y, p, (k) => k.f32x4Mul(), (k) => k.f32x4Add()), (c, x, y, p) => axpby(c, x, y, p, (k) => k.f32Mul(), (k) => k.f32Add()));
  // Adam's direction: (m / p0) / (√(v / p1) + p2)
  pointwise(
    mb,
    'adam',
    3,
    (c, m, v, p) => {
      m();
      c.get(p[0]!).f32x4Div();
      v();
      c.get(p[1]!).f32x4Div().f32x4Sqrt().get(p[2]!).f32x4Add().f32x4Div();
    },
    (c, m, v, p) => {
      m();
      c.get(p[0]!).f32Div();
      v();
      c.get(p[1]!).f32Div().f32Sqrt().get(p[2]!).f32Add().f32Div();
    },
  );
  standardizeFns(mb);
  emitExpFns(mb);
  emitRowFns(mb);
  colsumFn(mb);
  stridedFn(mb);
  return mb.encode();
}

/** Elements below which the JS loop is as fast (the copies and the call cost a few µs): the kernels decline. */
export const VECTOR_MIN_ELEMENTS = 1024;

type Fn = (...args: number[]) => void;
let vector: { rt: Runtime; fns: Record<string, Fn> } | null | undefined;

/** The kernels, or null when WebAssembly SIMD is missing or `elements` is too few to be worth the copies. */
function vectorFns(elements: number): { rt: Runtime; fns: Record<string, Fn> } | null {
  if (elements < VECTOR_MIN_ELEMENTS) return null;
  if (vector !== undefined) return vector;
  vector = null;
  const rt = getRuntime();
  const WA = wasmApi();
  if (!rt || !WA) return null;
  try {
    const bytes = buildVectorModule({ initial: 1, maximum: MAX_PAGES, shared: rt.shared });
    const instance = new WA.Instance(new WA.Module(bytes), { env: { memory: rt.memory } });
    vector = { rt, fns: instance.exports as Record<string, Fn> };
  } catch {
    vector = null;
  }
  return vector;
}

/**
 * out = A op B over the broadcast iteration space `shape`, reading A and B through `sa` and `sb`
 * (0 where broadcast). Returns false, touching nothing, when the layout has no SIMD kernel or
 * WebAssembly SIMD is missing: the caller then runs the JS loop.
 */
export function wasmBinary(op: BinaryOp, out: Float32Array, A: Float32Array, B: Float32Array, shape: Shape, sa: readonly number[], sb: readonly number[]): boolean {
  const c = collapse(shape, [sa, sb]);
  const nd = c.shape.length;
  if (nd < 1 || nd > 2) return false;
  const [ra, rb] = c.strides as [number[], number[]];
  const rows = nd === 2 ? c.shape[0]! : 1;
  const cols = c.shape[nd - 1]!;
  const ca = ra[nd - 1]!;
  const cb = rb[nd - 1]!;
  const layout: Layout | null = ca === 1 && cb === 1 ? 'vv' : ca === 1 && cb === 0 ? 'vs' : ca === 0 && cb === 1 ? 'sv' : null;
  if (!layout) return false;
  const v = vectorFns(out.length);
  if (!v) return false;
  const ptrs = stage(v.rt, [A, B], out);
  if (!ptrs) return false;
  const [pa, pb, po] = ptrs as [number, number, number];
  v.fns[`bin_${layout}_${op}`]!(po, pa, pb, rows, cols, nd === 2 ? ra[0]! : 0, nd === 2 ? rb[0]! : 0);
  unstage(v.rt, out, po);
  return true;
}

/**
 * Standardise each of the rows of n contiguous values of X (or, with G, apply the gradient of
 * that to G): see core's fused standardize / standardizeGrad. False when unavailable.
 */
export function wasmStandardize(out: Float32Array, X: Float32Array, G: Float32Array | null, n: number, eps: number): boolean {
  const v = vectorFns(out.length);
  if (!v || n === 0) return false;
  const ptrs = stage(v.rt, G ? [X, G] : [X], out);
  if (!ptrs) return false;
  const rows = X.length / n;
  if (G) v.fns.standardizeGrad!(ptrs[2]!, ptrs[0]!, ptrs[1]!, rows, n, eps);
  else v.fns.standardize!(ptrs[1]!, ptrs[0]!, rows, n, eps);
  unstage(v.rt, out, ptrs[ptrs.length - 1]!);
  return true;
}

/**
 * Softmax (or log-softmax) of each of the rows of n contiguous values of X: the JS loop's arithmetic
 * (fused-kernels.ts `softmaxRows`) with exp in WebAssembly (exp-kernel.ts), the same values to the
 * bit. False when unavailable.
 */
export function wasmSoftmax(out: Float32Array, X: Float32Array, n: number, log: boolean): boolean {
  const v = vectorFns(out.length);
  if (!v || n === 0) return false;
  const rows = X.length / n;
  const ptrs = stage(v.rt, [X], out, out.length, 8 * (log ? 2 * rows : n));
  if (!ptrs) return false;
  const [px, po, ps] = ptrs as [number, number, number];
  if (log) {
    v.fns.softmaxSums!(px, rows, n, ps);
    // lz = log(z) + m per row, packed into the first `rows` slots (row r reads 2r and 2r + 1 ≥ r)
    const zm = new Float64Array(v.rt.memory.buffer, ps, 2 * rows);
    for (let r = 0; r < rows; r++) zm[r] = Math.log(zm[2 * r]!) + zm[2 * r + 1]!;
    v.fns.subRows!(po, px, rows, n, ps);
  } else {
    v.fns.softmax!(po, px, rows, n, ps);
  }
  unstage(v.rt, out, po);
  return true;
}

/** out = e^X elementwise (float32 results of the float64 exp, as Math.exp's); false when unavailable. */
export function wasmExp(out: Float32Array, X: Float32Array): boolean {
  const v = vectorFns(out.length);
  if (!v) return false;
  const ptrs = stage(v.rt, [X], out);
  if (!ptrs) return false;
  v.fns.exp!(ptrs[1]!, ptrs[0]!, out.length);
  unstage(v.rt, out, ptrs[1]!);
  return true;
}

/**
 * acc[j] += Σ_r X[r·cols + j] for the first cols − cols % 4 columns, in float64 (the caller adds
 * the last few columns). False when unavailable.
 */
export function wasmColumnSums(acc: Float64Array, X: Float32Array, rows: number, cols: number): boolean {
  const v = vectorFns(X.length);
  const c4 = cols & ~3;
  if (!v || c4 === 0) return false;
  const ptrs = stage(v.rt, [X], null, 2 * c4);
  if (!ptrs) return false;
  const [px, pa] = ptrs as [number, number];
  const a = new Float64Array(v.rt.memory.buffer, pa, c4);
  a.set(acc.subarray(0, c4));
  v.fns.colsum!(pa, px, rows, c4, cols);
  acc.set(new Float64Array(v.rt.memory.buffer, pa, c4));
  return true;
}

/** out = f(X, Y, params) elementwise with one of the pointwise kernels ('axpby' or 'adam'); false when unavailable. */
export function wasmPointwise(name: 'axpby' | 'adam', out: Float32Array, X: Float32Array, Y: Float32Array, params: number[]): boolean {
  const v = vectorFns(out.length);
  if (!v) return false;
  const ptrs = stage(v.rt, [X, Y], out);
  if (!ptrs) return false;
  const [px, py, po] = ptrs as [number, number, number];
  v.fns[name]!(po, px, py, out.length, ...params);
  unstage(v.rt, out, po);
  return true;
}

/**
 * gather (`scatter` false: out's rows (o, j) = X's rows (o, idx[o, j, 0])) or scatter-add (`scatter`:
 * out's rows (o, idx[o, j, 0]) += X's rows (o, j), in order) with X, idx and the gathered side viewed as
 * [outer, n, inner] and the other as [outer, size, inner], where every row of idx repeats one value in
 * [0, size) (rows-kernel.ts). False, touching nothing, where it does not (the caller runs the JS loop
 * and reports a bad index) or WebAssembly SIMD is missing.
 */
export function wasmRows(scatter: boolean, out: Float32Array | Int32Array, X: Float32Array | Int32Array, idx: Int32Array, outer: number, n: number, inner: number, size: number): boolean {
  const v = vectorFns(outer * n * inner);
  if (!v) return false;
  // scatter-add accumulates into out, so out goes in as an input (copied in when it lives elsewhere)
  const ptrs = scatter ? stage(v.rt, [bytes4(X), bytes4(idx), bytes4(out)], null) : stage(v.rt, [bytes4(X), bytes4(idx)], bytes4(out));
  if (!ptrs) return false;
  const [px, pi, po] = ptrs as [number, number, number];
  if ((v.fns.rowIndex as unknown as (...a: number[]) => number)(pi, outer * n, inner, size) === 0) return false;
  v.fns[scatter ? 'scatterRows' : 'gatherRows']!(po, px, pi, outer, n, inner, size);
  unstage(v.rt, bytes4(out), po);
  return true;
}

/** A float32 view of a 4-byte typed array's elements [from, from + n) (for byte-for-byte copies). */
const bytes4 = (a: Float32Array | Int32Array, from = 0, n = a.length - from) => (a instanceof Float32Array && from === 0 && n === a.length ? a : new Float32Array(a.buffer, a.byteOffset + 4 * from, n));

/**
 * Copy `src` read through (shape, strides, offset) into the contiguous `out`, for arrays of 4-byte
 * values (float32, int32), bit for bit, where the innermost dim is contiguous (stride 1) and shorter
 * than 64 values and the others are ≥ 0: permutes that keep the last dim (attention's heads), slices.
 * The JS loop costs ≈2 ns per value on such rows. False, touching nothing, for other layouts (longer
 * rows the JS path copies with a memcpy per row; a transpose's strided reads cost the same here as in
 * JS), when WebAssembly SIMD is missing, or when the copy is too small to be worth it: the caller
 * runs the JS loop.
 */
export function wasmStridedCopy(out: Float32Array | Int32Array, src: Float32Array | Int32Array, shape: Shape, strides: readonly number[], offset: number): boolean {
  const v = vectorFns(out.length);
  if (!v) return false;
  const c = collapse(shape, [strides]);
  const sh = c.shape;
  const st = c.strides[0]!;
  const nd = sh.length;
  if (nd === 0 || st[nd - 1] !== 1 || sh[nd - 1]! >= 64) return false;
  let last = offset; // the last element of src the view reads
  for (let d = 0; d < nd; d++) {
    if (st[d]! < 0) return false;
    last += st[d]! * (sh[d]! - 1);
  }
  const span = last - offset + 1;
  const outer = nd - 1;
  // src and out where they live when in the runtime's memory (heap.ts), else in the staging area,
  // after the odometer's metadata
  const srcAt = addressOf(v.rt, src);
  const outAt = addressOf(v.rt, out);
  const pm = staging(v.rt, align(12 * outer) + (srcAt < 0 ? align(4 * span) : 0) + (outAt < 0 ? 4 * out.length : 0));
  if (pm < 0) return false;
  const mem = v.rt.memory.buffer;
  let p = pm + align(12 * outer);
  let ps = srcAt + 4 * offset;
  if (srcAt < 0) {
    ps = p;
    p += align(4 * span);
    new Float32Array(mem, ps, span).set(bytes4(src, offset, span));
  }
  const po = outAt >= 0 ? outAt : p;
  const meta = new Int32Array(mem, pm, 3 * outer);
  for (let d = 0; d < outer; d++) {
    meta[d] = sh[d]!;
    meta[outer + d] = 4 * st[d]!;
    meta[2 * outer + d] = 0;
  }
  const inner = sh[outer]!;
  v.fns.strided!(po, ps, out.length / inner, inner, outer, pm, pm + 4 * outer, pm + 8 * outer);
  if (outAt < 0) bytes4(out).set(new Float32Array(mem, po, out.length));
  return true;
}
