/**
 * exp in WebAssembly, two float64 lanes at a time, with the bits of JavaScript's `Math.exp` on V8
 * (whose exp is fdlibm's), so that softmax, log-softmax and exp give the JS loops' results to the bit
 * at a tenth of the cost (`Math.exp` is a call into C++ per value, ≈15–20 ns here).
 *
 * The method (fdlibm's): x = k·ln2 + r with |r| ≤ ln2/2, r kept as hi − lo for accuracy;
 * e^r = 1 − ((lo − r·c/(2 − c)) − hi) with c = r − r²·P(r²), a degree-5 polynomial; then e^x = 2^k·e^r.
 * fdlibm branches on the size of x; here every lane takes one path and the branches become selects:
 *  - k = trunc(x/ln2 ± ½), and 0 where |x| < ½ln2 (where fdlibm does not reduce; its k = 0 formula
 *    1 − ((r·c)/(c − 2) − r) is the general one with hi = r, lo = 0, exactly);
 *  - 2^k·y as (y·2^k₁)·2^k₂ with k₁ = ⌊k/2⌋, k₂ = k − k₁: the first product is exact, the second rounds
 *    once, as fdlibm's y·2^k (or y·2^(k+1000)·2^−1000 for a result below the normal range) does;
 *  - |x| < 2⁻²⁸ gives 1 + x, x > 709.78… +∞, x < −745.13… +0, NaN NaN; and V8 returns Math.E for 1.
 * Tested against Math.exp bit for bit (exp.test.ts), which is the oracle: a runtime whose Math.exp
 * differs would show there.
 */
import { mapF64Pairs, stepping, times, type Code, type ModuleBuilder } from './emitter.js';

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
const P = [1.66666666666666019037e-1, -2.77777777770155933842e-3, 6.61375632143793436117e-5, -1.65339022054652515390e-6, 4.13813679705723846039e-8];
/** Above this e^x overflows, below U_TH it is +0. */
const O_TH = 7.09782712893383973096e2;
const U_TH = -7.45133219101941108420e2;
/** The double with high word `h` and low word 0 (fdlibm compares high words). */
const highWord = (h: number): number => {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, h);
  return v.getFloat64(0);
};
/** |x| ≥ HALF_LN2 is reduced (fdlibm: high word > 0x3fd62e42); |x| < TINY gives 1 + x. */
const HALF_LN2 = highWord(0x3fd62e43);
const TINY = highWord(0x3e300000);

/**
 * Emit a function-local exp: `exp(x)` leaves e^x (f64x2) on the stack for the f64x2 on top of the
 * stack. Declares its locals and constants when made (constants set where it is made, so make it
 * at the top of the function body).
 */
export function expEmitter(c: Code): () => void {
  const v = () => c.local('v128');
  const consts = new Map<number, number>();
  const k = (x: number): number => {
    let l = consts.get(x);
    if (l === undefined) {
      l = v();
      c.f64Const(x).f64x2Splat().set(l);
      consts.set(x, l);
    }
    return l;
  };
  const [ZERO, HALF, NHALF, ONE, TWO, MAGIC] = [0, 0.5, -0.5, 1, 2, 2 ** 52 + 1023].map(k) as [number, number, number, number, number, number];
  const [IL, HI, LO, B, D, OT, UT, INF, E] = [INV_LN2, LN2_HI, LN2_LO, HALF_LN2, TINY, O_TH, U_TH, Infinity, Math.E].map(k) as number[] as [number, number, number, number, number, number, number, number, number];
  const [P1, P2, P3, P4, P5] = P.map(k) as [number, number, number, number, number];
  const [x, ax, kf, hi, lo, r, t, cc, y, k1] = Array.from({ length: 10 }, v) as [number, number, number, number, number, number, number, number, number, number];
  /** 2^k for the integral f64 lanes k in [−1022, 1023] on the stack: (k + 1023) in the exponent's bits */
  const pow2 = (): void => void c.get(MAGIC).f64x2Add().i32(52).i64x2Shl();
  /** y = where(mask on the stack) ? (value pushed by `then`) : y */
  const where = (then: () => void): void => {
    const mask = v();
    c.set(mask);
    then();
    c.get(y).get(mask).v128Bitselect().set(y);
  };
  return () => {
    c.set(x);
    c.get(x).f64x2Abs().set(ax);
    // k = trunc(x/ln2 ± ½), 0 where |x| < ½ln2
    c.get(x).get(IL).f64x2Mul().get(NHALF).get(HALF).get(x).get(ZERO).f64x2Lt().v128Bitselect().f64x2Add().f64x2Trunc().set(kf);
    c.get(ZERO).get(kf).get(ax).get(B).f64x2Lt().v128Bitselect().set(kf);
    // hi = x − k·ln2_hi, lo = k·ln2_lo, r = hi − lo
    c.get(x).get(kf).get(HI).f64x2Mul().f64x2Sub().tee(hi);
    c.get(kf).get(LO).f64x2Mul().tee(lo).f64x2Sub().set(r);
    // c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5)))), t = r²
    c.get(r).get(r).f64x2Mul().set(t);
    c.get(P5);
    for (const p of [P4, P3, P2, P1]) c.get(t).f64x2Mul().get(p).f64x2Add();
    c.get(t).f64x2Mul().set(cc);
    c.get(r).get(cc).f64x2Sub().set(cc);
    // y = 1 − ((lo − r·c/(2 − c)) − hi)
    c.get(ONE).get(lo).get(r).get(cc).f64x2Mul().get(TWO).get(cc).f64x2Sub().f64x2Div().f64x2Sub().get(hi).f64x2Sub().f64x2Sub();
    // · 2^k₁ · 2^k₂
    c.get(kf).get(HALF).f64x2Mul().f64x2Floor().tee(k1);
    pow2();
    c.f64x2Mul();
    c.get(kf).get(k1).f64x2Sub();
    pow2();
    c.f64x2Mul().set(y);
    // the special cases
    c.get(ax).get(D).f64x2Lt();
    where(() => void c.get(ONE).get(x).f64x2Add());
    c.get(x).get(OT).f64x2Gt();
    where(() => void c.get(INF));
    c.get(x).get(UT).f64x2Lt();
    where(() => void c.get(ZERO));
    c.get(x).get(x).f64x2Ne();
    where(() => void c.get(x).get(x).f64x2Add());
    c.get(x).get(ONE).f64x2Eq();
    where(() => void c.get(E));
    c.get(y);
  };
}

/**
 * The module's exp functions (pointers in bytes, float32 arrays unless said):
 *  - `exp(out, x, n)`: out[i] = f32(e^x[i]), as `Math.fround(Math.exp(x[i]))`;
 *  - `softmax(out, x, rows, n, e)`: each row of n: m = its largest value (0 if none is above −∞),
 *    e[i] = e^(x[i] − m) in float64 (the scratch e holds n), z = Σ e[i] in order, out[i] = f32(e[i]/z);
 *  - `softmaxSums(x, rows, n, zm)`: the same m and z per row, into the float64 pairs zm[2r], zm[2r+1];
 *  - `subRows(out, x, rows, n, lz)`: out[i] = f32(x[i] − lz[r]) with float64 lz per row
 * — the arithmetic of the JS softmax (cpu/fused-kernels.ts `softmaxRows`), whose log-softmax is
 * softmaxSums, lz = log(z) + m in JS, then subRows.
 */
export function emitExpFns(mb: ModuleBuilder): void {
  const I = 'i32' as const;
  {
    const c = mb.func([I, I, I], [], 'exp').code;
    const [OUT, X, N] = [0, 1, 2];
    const i = c.local('i32');
    mapF64Pairs(c, X, OUT, i, N, expEmitter(c));
  }
  for (const kind of ['softmax', 'softmaxSums'] as const) {
    const sums = kind === 'softmaxSums';
    const c = mb.func(sums ? [I, I, I, I] : [I, I, I, I, I], [], kind).code;
    const [OUT, X, ROWS, N, S] = sums ? [-1, 0, 1, 2, 3] : [0, 1, 2, 3, 4];
    const [r, i, row] = [c.local('i32'), c.local('i32'), c.local('i32')];
    const mf = c.local('f32');
    const v = c.local('f32');
    const m = c.local('f64');
    const z = c.local('f64');
    const ms = c.local('v128');
    const ev = c.local('v128');
    const exp = expEmitter(c);
    const xAt = (): void => void c.get(row).get(i).i32(2).shl().add();
    /** z += the `lanes` exponentials in ev, in order (and, for softmax, keep them at S) */
    const use = (lanes: number): void => {
      c.set(ev);
      for (let l = 0; l < lanes; l++) {
        if (!sums) c.get(S).get(i).i32(3).shl().add().get(ev).f64x2ExtractLane(l).f64Store(8 * l);
        c.get(z).get(ev).f64x2ExtractLane(l).f64Add().set(z);
      }
    };
    times(c, r, ROWS, () => {
      c.get(X).get(r).get(N).mul().i32(2).shl().add().set(row);
      // m = the row's largest value (NaNs skipped), 0 where that is −∞
      c.f32Const(-Infinity).set(mf);
      times(c, i, N, () => {
        xAt();
        c.f32Load().tee(v).get(mf).get(v).get(mf).f32Gt().select().set(mf);
      });
      c.f32Const(0).get(mf).get(mf).f32Const(-Infinity).f32Eq().select().f64PromoteF32().tee(m).f64x2Splat().set(ms);
      // e^(x − m), two at a time, summed in order
      c.f64Const(0).set(z);
      c.i32(0).set(i);
      stepping(c, i, N, 2, () => {
        xAt();
        c.v128Load64Zero().f64x2PromoteLowF32x4().get(ms).f64x2Sub();
        exp();
        use(2);
      });
      c.get(i).get(N).ltS().if_();
      xAt();
      c.f32Load().f64PromoteF32().get(m).f64Sub().f64x2Splat();
      exp();
      use(1);
      c.end();
      if (sums) {
        c.get(S).get(r).i32(4).shl().add().get(z).f64Store();
        c.get(S).get(r).i32(4).shl().add().get(m).f64Store(8);
      } else {
        // out = e / z
        times(c, i, N, () => {
          c.get(OUT).get(r).get(N).mul().get(i).add().i32(2).shl().add();
          c.get(S).get(i).i32(3).shl().add().f64Load().get(z).f64Div().f32DemoteF64().f32Store();
        });
      }
    });
  }
  {
    const c = mb.func([I, I, I, I, I], [], 'subRows').code;
    const [OUT, X, ROWS, N, LZ] = [0, 1, 2, 3, 4];
    const [r, i, p] = [c.local('i32'), c.local('i32'), c.local('i32')];
    const lz = c.local('f64');
    c.i32(0).set(p);
    times(c, r, ROWS, () => {
      c.get(LZ).get(r).i32(3).shl().add().f64Load().set(lz);
      times(c, i, N, () => {
        c.get(OUT).get(p).i32(2).shl().add();
        c.get(X).get(p).i32(2).shl().add().f32Load().f64PromoteF32().get(lz).f64Sub().f32DemoteF64().f32Store();
        c.get(p).i32(1).add().set(p);
      });
    });
  }
}
