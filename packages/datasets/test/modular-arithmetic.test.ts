import { describe, expect, it } from 'vitest';
import { isPrime, modularArithmetic, modularOpIds, MODULAR_OPS, type ModularOp } from '../src/index.js';

function rows(t: { dataSync(): ArrayLike<number>; shape: readonly number[] }): number[][] {
  const d = Array.from(t.dataSync());
  const w = t.shape[1] ?? 1;
  return Array.from({ length: t.shape[0]! }, (_, i) => d.slice(i * w, i * w + w));
}

/** Brute-force reference: results computed with BigInt and, for division, by searching for z·y ≡ x. */
function reference(op: ModularOp, x: number, y: number, p: number): number {
  const P = BigInt(p);
  const X = BigInt(x);
  const Y = BigInt(y);
  const m = (v: bigint) => Number(((v % P) + P) % P);
  const divide = () => {
    for (let z = 0; z < p; z++) if ((z * y) % p === x) return z;
    throw new Error('no quotient');
  };
  switch (op) {
    case 'add': return m(X + Y);
    case 'sub': return m(X - Y);
    case 'mul': return m(X * Y);
    case 'div': return divide();
    case 'x2+y2': return m(X * X + Y * Y);
    case 'x2+xy+y2': return m(X * X + X * Y + Y * Y);
    case 'x2+xy+y2+x': return m(X * X + X * Y + Y * Y + X);
    case 'x3+xy': return m(X * X * X + X * Y);
    case 'x3+xy2+y': return m(X * X * X + X * Y * Y + Y);
    case 'div_odd': return y % 2 === 1 ? divide() : m(X - Y);
  }
}

describe('modularArithmetic', () => {
  it('x·y mod 97 follows Grokfast: y from 1, 9,312 equations, 4,656/4,656 at 50%', () => {
    const ds = modularArithmetic({ p: 97, op: 'mul', trainFraction: 0.5, seed: 0 });
    expect(ds.description.nTotal).toBe(9312);
    expect(ds.description.nTrain).toBe(4656);
    expect(ds.description.nVal).toBe(4656);
    expect(ds.train.inputs.shape).toEqual([4656, 4]);
    expect(ds.train.inputs.dtype).toBe('int32');
    expect(ds.train.targets.shape).toEqual([4656]);
    expect(ds.train.targets.dtype).toBe('int32');
    expect(ds.val.inputs.shape).toEqual([4656, 4]);
    expect(ds.vocabSize).toBe(99);
    expect(ds.seqLen).toBe(4);
    const seen = new Set<string>();
    for (const split of [ds.train, ds.val]) {
      const xs = rows(split.inputs);
      const ts = Array.from(split.targets.dataSync());
      xs.forEach(([x, op, y, eq], i) => {
        expect(op).toBe(97);
        expect(eq).toBe(98);
        expect(y).toBeGreaterThanOrEqual(1);
        expect(ts[i]).toBe((x! * y!) % 97);
        seen.add(`${x},${y}`);
      });
    }
    expect(seen.size).toBe(9312); // every equation exactly once across the two splits
  });

  it.each(modularOpIds)('op %s matches a brute-force reference on every equation (p = 11)', (op) => {
    const p = 11;
    const ds = modularArithmetic({ p, op, trainFraction: 0.5, seed: 3 });
    const yMin = MODULAR_OPS[op].yMin;
    expect(ds.description.nTotal).toBe(p * (p - yMin));
    for (const split of [ds.train, ds.val]) {
      const xs = rows(split.inputs);
      const ts = Array.from(split.targets.dataSync());
      xs.forEach(([x, , y], i) => {
        expect(y).toBeGreaterThanOrEqual(yMin);
        expect(ts[i]).toBe(reference(op, x!, y!, p));
      });
    }
  });

  it('ops on the full square include y = 0 (x + y mod 97: 9,409 equations)', () => {
    const ds = modularArithmetic({ p: 97, op: 'add' });
    expect(ds.description.nTotal).toBe(97 * 97);
    expect(ds.description.nTrain).toBe(4704);
  });

  it('yMin: 0 gives multiplication on the full square', () => {
    expect(modularArithmetic({ p: 97, op: 'mul', yMin: 0 }).description.nTotal).toBe(9409);
  });

  it('takes ⌊fraction·n⌋ for training', () => {
    const ds = modularArithmetic({ p: 97, op: 'add', trainFraction: 0.3 });
    expect(ds.description.nTrain).toBe(2822);
    expect(ds.description.nVal).toBe(9409 - 2822);
    expect(modularArithmetic({ p: 5, op: 'add', trainFraction: 0.4 }).description.nTrain).toBe(10);
  });

  it('is deterministic per seed and the seed changes the split', () => {
    const a = modularArithmetic({ seed: 7 });
    const b = modularArithmetic({ seed: 7 });
    const c = modularArithmetic({ seed: 8 });
    expect(Array.from(a.train.inputs.dataSync())).toEqual(Array.from(b.train.inputs.dataSync()));
    expect(Array.from(a.indices.train)).toEqual(Array.from(b.indices.train));
    expect(Array.from(a.indices.train)).not.toEqual(Array.from(c.indices.train));
  });

  it('indices point into the x-major enumeration', () => {
    const ds = modularArithmetic({ p: 7, op: 'div' });
    const xs = rows(ds.train.inputs);
    Array.from(ds.indices.train).forEach((e, i) => {
      expect(xs[i]![0]).toBe(Math.floor(e / 6));
      expect(xs[i]![2]).toBe((e % 6) + 1);
    });
  });

  it('works for composite p where no division is needed', () => {
    const ds = modularArithmetic({ p: 10, op: 'mul' });
    expect(ds.description.nTotal).toBe(90);
    expect(ds.vocabSize).toBe(12);
  });

  it('rejects bad arguments with messages that say what was expected', () => {
    expect(() => modularArithmetic({ p: 1 })).toThrow(/p to be an integer ≥ 2, got 1/);
    expect(() => modularArithmetic({ p: 9.5 })).toThrow(/integer/);
    expect(() => modularArithmetic({ p: 96, op: 'div' })).toThrow(/prime modulus; got p = 96, which is not prime/);
    expect(() => modularArithmetic({ p: 15, op: 'div_odd' })).toThrow(/not prime/);
    expect(() => modularArithmetic({ trainFraction: 0 })).toThrow(/open interval \(0, 1\), got 0/);
    expect(() => modularArithmetic({ trainFraction: 1 })).toThrow(/\(0, 1\)/);
    expect(() => modularArithmetic({ trainFraction: -0.2 })).toThrow(/\(0, 1\)/);
    expect(() => modularArithmetic({ op: 'pow' as ModularOp })).toThrow(/unknown op "pow"; expected one of 'add', 'sub', 'mul', 'div'/);
    expect(() => modularArithmetic({ op: 'div', yMin: 0 })).toThrow(/undefined at y = 0/);
    expect(() => modularArithmetic({ p: 2, op: 'add', trainFraction: 0.1 })).toThrow(/both must be ≥ 1/);
  });

  it('isPrime', () => {
    expect([2, 3, 5, 7, 11, 97, 113, 7919].every(isPrime)).toBe(true);
    expect([0, 1, 4, 9, 15, 91, 96, 7917, 2.5].some(isPrime)).toBe(false);
  });
});
