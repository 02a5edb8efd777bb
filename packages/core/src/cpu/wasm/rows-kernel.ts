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
import { each4, times, type ModuleBuilder } from './emitter.js';

export function emitRowFns(mb: ModuleBuilder): void {
  const I = 'i32' as const;
  {
    const c = mb.func([I, I, I, I], [I], 'rowIndex').code;
    const [IDX, ROWS, INNER, SIZE] = [0, 1, 2, 3];
    const [r, i, p, v] = [c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32')];
    const vs = c.local('v128');
    c.get(IDX).set(p);
    times(c, r, ROWS, () => {
      c.get(p).i32Load().tee(v).get(SIZE).geU().if_(); // v < 0 or v ≥ size
      c.i32(0).ret();
      c.end();
      c.get(v).i32x4Splat().set(vs);
      c.i32(0).set(i);
      each4(
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
    });
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
    c.get(IDX).set(q);
    times(c, o, OUTER, () =>
      times(c, j, N, () => {
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
          c.i32(0).set(i);
          each4(
            c, i, INNER,
            () => { el(dst); el(dst); c.v128Load(); el(src); c.v128Load().f32x4Add().v128Store(); },
            () => { el(dst); el(dst); c.f32Load(); el(src); c.f32Load().f32Add().f32Store(); },
          );
        } else {
          c.get(OUT).add().set(dst);
          c.get(X).get(at).add().set(src);
          c.i32(0).set(i);
          each4(
            c, i, INNER,
            () => { el(dst); el(src); c.v128Load().v128Store(); },
            () => { el(dst); el(src); c.i32Load().i32Store(); },
          );
        }
        c.get(q).get(INNER).i32(2).shl().add().set(q);
      }),
    );
  }
}
