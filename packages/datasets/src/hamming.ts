/** Bit codes of base classes and their Hamming geometry. */

/** Number of set bits of a non-negative 32-bit integer. */
export function popcount(x: number): number {
  let v = x >>> 0;
  let c = 0;
  while (v) {
    v &= v - 1;
    c++;
  }
  return c;
}

/** Number of bits in which two codes differ. */
export function hammingDistance(a: number, b: number): number {
  return popcount((a ^ b) >>> 0);
}

/** The p codes at Hamming distance 1 from `code`, flipping bit 0, 1, …, p−1 in turn. */
export function neighbours(code: number, p: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < p; i++) out.push((code ^ (1 << i)) >>> 0);
  return out;
}

/**
 * A largest set of p-bit codes with pairwise Hamming distance exactly 2: the all-zero code plus
 * the p−1 codes with bit 0 and one other bit set (0, 0b11, 0b101, 0b1001, …), p codes in all.
 * (Codes at distance 2 from 0 have weight 2; two of them are at distance 2 only if they share a
 * bit, and a family of pairwise-intersecting pairs is a star or a triangle, so p is the maximum
 * for p ≥ 3.)
 */
export function distanceTwoClique(p: number): number[] {
  const out = [0];
  for (let i = 1; i < p; i++) out.push((1 | (1 << i)) >>> 0);
  return out;
}
