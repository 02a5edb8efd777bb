/**
 * The binary operations of Power et al. (2022) on Z_p, as a table keyed by a short id. Each row
 * says how to compute x∘y mod p, which y it is defined for, and whether p must be prime.
 */

/** Short ids of the supported operations. */
export type ModularOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'x2+y2'
  | 'x2+xy+y2'
  | 'x2+xy+y2+x'
  | 'x3+xy'
  | 'x3+xy2+y'
  | 'div_odd';

export interface ModularOpSpec {
  /** The formula, as in the paper. */
  formula: string;
  /** Smallest y in the domain (y runs over yMin..p−1; x always over 0..p−1). */
  yMin: 0 | 1;
  /** Whether y⁻¹ mod p is used, so p must be prime. */
  needsPrime: boolean;
  /** The result in 0..p−1 for x, y in the domain. */
  apply(x: number, y: number, p: number): number;
}

/** (a·b) mod p for 0 ≤ a, b < p, exact for every p that fits in a safe integer. */
export function mulMod(a: number, b: number, p: number): number {
  const prod = a * b;
  if (prod <= Number.MAX_SAFE_INTEGER) return prod % p;
  return Number((BigInt(a) * BigInt(b)) % BigInt(p));
}

/** a mod p in 0..p−1 for any integer a. */
export function mod(a: number, p: number): number {
  const r = a % p;
  return r < 0 ? r + p : r;
}

/** b^e mod p by repeated squaring. */
export function powMod(b: number, e: number, p: number): number {
  let r = 1 % p;
  b = mod(b, p);
  while (e > 0) {
    if (e & 1) r = mulMod(r, b, p);
    b = mulMod(b, b, p);
    e = Math.floor(e / 2);
  }
  return r;
}

/** y⁻¹ mod p for prime p and y ≢ 0 (Fermat: y^(p−2)). */
export function invMod(y: number, p: number): number {
  if (mod(y, p) === 0) throw new Error(`invMod: 0 has no inverse mod ${p}`);
  return powMod(y, p - 2, p);
}

/** Deterministic trial division (p is at most a few hundred thousand here). */
export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

const sq = (x: number, p: number) => mulMod(x, x, p);
const div = (x: number, y: number, p: number) => mulMod(x, invMod(y, p), p);

export const MODULAR_OPS: Readonly<Record<ModularOp, ModularOpSpec>> = Object.freeze({
  add: { formula: 'x + y', yMin: 0, needsPrime: false, apply: (x, y, p) => (x + y) % p },
  sub: { formula: 'x − y', yMin: 0, needsPrime: false, apply: (x, y, p) => mod(x - y, p) },
  // y from 1, as Grokfast's official data (x ∈ 0..96, y ∈ 1..96 → 9,312 equations for p = 97).
  mul: { formula: 'x · y', yMin: 1, needsPrime: false, apply: (x, y, p) => mulMod(x, y, p) },
  div: { formula: 'x / y', yMin: 1, needsPrime: true, apply: div },
  'x2+y2': { formula: 'x² + y²', yMin: 0, needsPrime: false, apply: (x, y, p) => (sq(x, p) + sq(y, p)) % p },
  'x2+xy+y2': {
    formula: 'x² + xy + y²',
    yMin: 0,
    needsPrime: false,
    apply: (x, y, p) => (sq(x, p) + mulMod(x, y, p) + sq(y, p)) % p,
  },
  'x2+xy+y2+x': {
    formula: 'x² + xy + y² + x',
    yMin: 0,
    needsPrime: false,
    apply: (x, y, p) => (sq(x, p) + mulMod(x, y, p) + sq(y, p) + x) % p,
  },
  'x3+xy': {
    formula: 'x³ + xy',
    yMin: 0,
    needsPrime: false,
    apply: (x, y, p) => (mulMod(sq(x, p), x, p) + mulMod(x, y, p)) % p,
  },
  'x3+xy2+y': {
    formula: 'x³ + xy² + y',
    yMin: 0,
    needsPrime: false,
    apply: (x, y, p) => (mulMod(sq(x, p), x, p) + mulMod(x, sq(y, p), p) + y) % p,
  },
  div_odd: {
    formula: 'x / y if y is odd, else x − y',
    yMin: 1,
    needsPrime: true,
    apply: (x, y, p) => (y % 2 === 1 ? div(x, y, p) : mod(x - y, p)),
  },
});

/** The ids of every supported operation, in table order. */
export const modularOpIds = Object.keys(MODULAR_OPS) as ModularOp[];

export function isModularOp(op: unknown): op is ModularOp {
  return typeof op === 'string' && Object.prototype.hasOwnProperty.call(MODULAR_OPS, op);
}
