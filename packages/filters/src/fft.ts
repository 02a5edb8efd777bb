/** Radix-2 FFTs on Float64Arrays, for the gradient spectrum (host-side, small sizes). */

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** In-place iterative complex FFT, X[k] = Σ x[n] e^{−2πikn/N}; N must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n) throw new Error(`fft: expected re and im of one length, got ${n} and ${im.length}`);
  if (!isPowerOfTwo(n)) throw new Error(`fft: expected a power-of-two length, got ${n}`);
  // bit-reversal permutation
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const half = len >> 1;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const a = start + k;
        const b = a + half;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

/**
 * FFT of a real signal of power-of-two length N ≥ 2: the N/2+1 non-negative-frequency bins.
 * The even and odd samples are packed into one complex signal of length N/2, transformed once,
 * and separated using the conjugate symmetry of real-signal spectra.
 */
export function rfft(x: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  if (!isPowerOfTwo(n) || n < 2) throw new Error(`rfft: expected a power-of-two length ≥ 2, got ${n}`);
  const h = n / 2;
  const zr = new Float64Array(h);
  const zi = new Float64Array(h);
  for (let i = 0; i < h; i++) {
    zr[i] = x[2 * i]!;
    zi[i] = x[2 * i + 1]!;
  }
  fft(zr, zi);
  const re = new Float64Array(h + 1);
  const im = new Float64Array(h + 1);
  for (let k = 0; k <= h; k++) {
    const a = k % h;
    const b = (h - k) % h;
    // E = (Z[k] + conj Z[h−k]) / 2,  O = (Z[k] − conj Z[h−k]) / (2i)
    const er = (zr[a]! + zr[b]!) / 2;
    const ei = (zi[a]! - zi[b]!) / 2;
    const or = (zi[a]! + zi[b]!) / 2;
    const oi = -(zr[a]! - zr[b]!) / 2;
    const wr = Math.cos((-2 * Math.PI * k) / n);
    const wi = Math.sin((-2 * Math.PI * k) / n);
    re[k] = er + (or * wr - oi * wi);
    im[k] = ei + (or * wi + oi * wr);
  }
  return { re, im };
}

/** Periodic Hann window of length n: w[i] = ½(1 − cos(2πi/n)). */
export function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 * (1 - Math.cos((2 * Math.PI * i) / n));
  return w;
}
