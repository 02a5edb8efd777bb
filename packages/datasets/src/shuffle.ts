/** Shuffle a list in place with a seeded Fisher–Yates draw. */
export function shuffleInPlace<T>(xs: T[], g: { int(lo: number, hi: number): number }): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = g.int(0, i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
