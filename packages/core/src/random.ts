/**
 * Seeded, counter-based random numbers: Philox4x32-10 (Salmon et al. 2011). A generator is a
 * 64-bit key plus a 64-bit counter; the same seed gives the same stream on every platform and
 * backend (numbers are made on the host and uploaded).
 */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

function mulhi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** One Philox4x32-10 block: four 32-bit outputs for counter (c0..c3) under key (k0, k1). */
export function philox(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** The full state of a generator, as plain numbers (JSON-safe), for checkpoints. */
export interface RngState {
  key: [number, number];
  counter: [number, number];
  buffered: number[];
}

export class Generator {
  private key: [number, number];
  private ctr: [number, number] = [0, 0];
  private buf = new Uint32Array(4);
  private bufPos = 4;

  constructor(seed: number | bigint = 0) {
    const s = BigInt.asUintN(64, BigInt(seed));
    this.key = [Number(s & 0xffffffffn), Number(s >> 32n)];
  }

  /** Next raw 32-bit unsigned integer. */
  nextU32(): number {
    if (this.bufPos === 4) {
      philox(this.ctr[0], this.ctr[1], 0, 0, this.key[0], this.key[1], this.buf);
      this.ctr[0] = (this.ctr[0] + 1) >>> 0;
      if (this.ctr[0] === 0) this.ctr[1] = (this.ctr[1] + 1) >>> 0;
      this.bufPos = 0;
    }
    return this.buf[this.bufPos++]!;
  }

  /** Uniform in [0, 1) on a 2⁻²⁴ grid, so the value is exact (and < 1) in float32 too. */
  uniform(): number {
    return (this.nextU32() >>> 8) * 5.960464477539063e-8;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform53(): number {
    return ((this.nextU32() >>> 5) * 67108864 + (this.nextU32() >>> 6)) / 9007199254740992;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u1 = 1 - this.uniform53();
    const u2 = this.uniform53();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Integer uniform in [low, high). */
  int(low: number, high: number): number {
    if (!(high > low)) throw new Error(`rng.int: expected high > low, got low=${low}, high=${high}`);
    return low + Math.floor(this.uniform53() * (high - low));
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** An independent generator derived from this one's next outputs (advances this one). */
  split(): Generator {
    const g = new Generator(0);
    g.key = [this.nextU32(), this.nextU32()];
    return g;
  }

  state(): RngState {
    return { key: [...this.key], counter: [...this.ctr], buffered: Array.from(this.buf.subarray(this.bufPos)) };
  }

  setState(s: RngState): this {
    const u32 = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
    if (
      !s ||
      !Array.isArray(s.key) || s.key.length !== 2 || !s.key.every(u32) ||
      !Array.isArray(s.counter) || s.counter.length !== 2 || !s.counter.every(u32) ||
      !Array.isArray(s.buffered) || s.buffered.length > 4 || !s.buffered.every(u32)
    ) {
      throw new Error(`rng.setState: expected {key: [u32, u32], counter: [u32, u32], buffered: u32[] (≤ 4)}, got ${JSON.stringify(s)}`);
    }
    this.key = [s.key[0] >>> 0, s.key[1] >>> 0];
    this.ctr = [s.counter[0] >>> 0, s.counter[1] >>> 0];
    this.bufPos = 4 - s.buffered.length;
    this.buf.set(s.buffered, this.bufPos);
    return this;
  }
}

/** Two 32-bit FNV-1a hashes of a string (different offsets), as a 64-bit stream id. */
function hash64(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
  }
  return [a, b];
}

/**
 * A seeded generator: `rng(0)` always yields the same numbers. Give each use of one seed its own
 * named `stream` (`rng(seed, 'init')`, `rng(seed, 'batches')`): the stream's key is a Philox block
 * of the stream's hash under the seed, so streams are unrelated. Without names, two consumers
 * of the same seed draw the same numbers, and their randomness is correlated.
 */
export function rng(seed: number | bigint = 0, stream?: string): Generator {
  if (stream === undefined) return new Generator(seed);
  const s = BigInt.asUintN(64, BigInt(seed));
  const [h0, h1] = hash64(stream);
  const out = new Uint32Array(4);
  philox(h0, h1, 0x73747265, 0x616d0000, Number(s & 0xffffffffn), Number(s >> 32n), out);
  return new Generator((BigInt(out[1]!) << 32n) | BigInt(out[0]!));
}

let defaultGen = new Generator(0);

/** The generator used when a function is not given one explicitly. */
export function defaultGenerator(): Generator {
  return defaultGen;
}

/** Reseed the default generator. */
export function manualSeed(seed: number | bigint): void {
  defaultGen = new Generator(seed);
}
