import { distanceTwoClique, neighbours } from './hamming.js';

/** Subclasses as codes and the class (superclass) each belongs to. */
export interface ClusterLayout {
  /** Code of each subclass (p-bit integer; bit i picks the mean of block i). */
  codes: number[];
  /** Class of each subclass, 0..nClasses−1. */
  classOf: number[];
}

/**
 * Carvalho et al.'s equidistant set: 8 codes from a distance-2 clique (every pair of subclasses,
 * within or across classes, at Hamming distance 2), two per class, 4 classes. The clique is
 * `distanceTwoClique(p)` with its last code left out: for p = 9 the codes are
 * 0, 3, 5, 9, 17, 33, 65, 129 and classes 0,0,1,1,2,2,3,3.
 */
export function equidistantLayout(p: number): ClusterLayout {
  if (p < 8) throw new Error(`equidistant preset: needs 8 codes at pairwise distance 2, so p ≥ 8; got p = ${p}`);
  const codes = distanceTwoClique(p).slice(0, 8);
  return { codes, classOf: codes.map((_, i) => Math.floor(i / 2)) };
}

/** Centres of the equivariant set (p = 9): pairwise Hamming distance 6. */
export const EQUIVARIANT_CENTRES: readonly number[] = Object.freeze([63, 240, 323, 396]);

/**
 * Carvalho et al.'s equivariant set (p = 9): each centre and its 9 distance-1 neighbours form one
 * class, 4 classes × 10 subclasses. Class c holds subclasses 10c (the centre) and 10c+1+i (the
 * centre with bit i flipped).
 */
export function equivariantLayout(p: number): ClusterLayout {
  if (p !== 9) throw new Error(`equivariant preset: its centres {63, 240, 323, 396} are 9-bit codes, so p must be 9; got p = ${p}`);
  const codes: number[] = [];
  const classOf: number[] = [];
  EQUIVARIANT_CENTRES.forEach((c, k) => {
    for (const code of [c, ...neighbours(c, p)]) {
      codes.push(code);
      classOf.push(k);
    }
  });
  return { codes, classOf };
}
