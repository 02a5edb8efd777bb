/**
 * Row lookups and row sums of gather and scatter-add, for indices that hold one value per row (an
 * embedding's lookup is indexSelect, a gather whose index is the row's id broadcast along the row):
 * x viewed as [outer, size, inner], index and the gathered rows as [outer, n, inner]; pointers in
 * bytes, 4-byte values.
 *
 *  - `rowIndex(idx, rows, inner, size)` → 1 if each of the rows of idx repeats one value in [0, size), else 0;
 *  - `gatherRows(out, x, idx, outer, n, inner, size)`: out's row (o, j) = x's row (o, idx[o, j, 0]);
 *  - `scatterRows(acc, src, idx, outer, n, inner, size)`: acc's row (o, idx[o, j, 0]) += src's row (o, j),
 *    the rows in order: per value the same float32 additions in the same order as the JS loop
 *    (a float32 sum rounded from float64, as JS does it, is the float32 addition's).
 */
import type { Code, ModuleBuilder } from './emitter.js';

/** for (i = 0; i < n; i += 4) vec(i); then for (; i < n; i++) one(i) — i a local, in values */
function rowLoop(c: Code, i: number, n: number, vec: () => void, one: () => void): void {
  c.i32(0).set(i);
  c.block().loop();
  c.get(i).i32(4).add().get(n).gtS().brIf(1);
  vec();
  c.get(i).i32(4).add().set(i);
  c.br(0);
  c.end().end();
  c.block().loop();
  c.get(i).get(n).geS().brIf(1);
  one();
  c.get(i).i32(1).add().set(i);
  c.br(0);
  c.end().end();
}

export function emitRowFns(mb: ModuleBuilder): void {
  const I = 'i32' as const;
  {
    const c = mb.func([I, I, I, I], [I], 'rowIndex').code;
    const [IDX, ROWS, INNER, SIZE] = [0, 1, 2, 3];
    const [r, i, p, v] = [c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32')];
    const vs = c.local('v128');
    c.i32(0).set(r);
    c.get(IDX).set(p);
    c.block().loop();
    c.get(r).get(ROWS).geS().brIf(1);
    c.get(p).i32Load().tee(v).get(SIZE).geU().if_(); // v < 0 or v ≥ size
    c.i32(0).ret();
    c.end();
    c.get(v).i32x4Splat().set(vs);
    rowLoop(
      c, i, INNER,
      () => {
        c.get(p).get(i).i32(2).shl().add().v128Load().get(vs).i32x4Eq().i32x4AllTrue().eqz().if_();
        c.i32(0).ret();
        c.end();
      },
      () => {
        c.get(p).get(i).i32(2).shl().add().i32Load().get(v).ne().if_();
        c.i32(0).ret();
        c.end();
      },
    );
    c.get(p).get(INNER).i32(2).shl().add().set(p);
    c.get(r).i32(1).add().set(r);
    c.br(0);
    c.end().end();
    c.i32(1);
  }
  for (const scatter of [false, true]) {
    const c = mb.func([I, I, I, I, I, I, I], [], scatter ? 'scatterRows' : 'gatherRows').code;
    // gather: X's indexed rows into OUT's rows in order; scatter: X's rows in order added to OUT's indexed rows
    const [OUT, X, IDX, OUTER, N, INNER, SIZE] = [0, 1, 2, 3, 4, 5, 6];
    const [o, j, i, q, src, dst, at] = Array.from({ length: 7 }, () => c.local('i32'));
    const rowBytes = (): void => void c.get(INNER).i32(2).shl();
    /** byte offset of element i of the row at `base` */
    const el = (base: number): void => void c.get(base).get(i).i32(2).shl().add();
    c.i32(0).set(o);
    c.get(IDX).set(q);
    c.block().loop();
    c.get(o).get(OUTER).geS().brIf(1);
    c.i32(0).set(j);
    c.block().loop();
    c.get(j).get(N).geS().brIf(1);
    // the indexed row (o, idx[o, j, 0]) of the [outer, size, inner] side and the row (o, j) of the other
    c.get(o).get(SIZE).mul().get(q).i32Load().add();
    rowBytes();
    c.mul().set(at);
    c.get(o).get(N).mul().get(j).add();
    rowBytes();
    c.mul();
    if (scatter) {
      c.get(X).add().set(src);
      c.get(OUT).get(at).add().set(dst);
      rowLoop(
        c, i, INNER,
        () => { el(dst); el(dst); c.v128Load(); el(src); c.v128Load().f32x4Add().v128Store(); },
        () => { el(dst); el(dst); c.f32Load(); el(src); c.f32Load().f32Add().f32Store(); },
      );
    } else {
      c.get(OUT).add().set(dst);
      c.get(X).get(at).add().set(src);
      rowLoop(
        c, i, INNER,
        () => { el(dst); el(src); c.v128Load().v128Store(); },
        () => { el(dst); el(src); c.i32Load().i32Store(); },
      );
    }
    c.get(q).get(INNER).i32(2).shl().add().set(q);
    c.get(j).i32(1).add().set(j);
    c.br(0);
    c.end().end();
    c.get(o).i32(1).add().set(o);
    c.br(0);
    c.end().end();
  }
}
