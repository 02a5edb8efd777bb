import { afterAll, describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { DEFAULT_THREAD_MIN_FLOPS, setWasmThreads, wasmThreads, wasmThreadStats } from '../src/cpu/wasm/runtime.js';
import { GELU_SPLIT_MIN, wasmGelu } from '../src/cpu/wasm/gelu.js';
import { geluLoop, normalTables } from '../src/cpu/fused-kernels.js';
import { heapAlloc, heapRelease } from '../src/cpu/wasm/heap.js';

async function helperReady(): Promise<boolean> {
  for (let i = 0; i < 500 && wasmThreads() < 2; i++) await new Promise((r) => setTimeout(r, 10));
  return wasmThreads() === 2;
}

/** GELU and its derivative (through the VJP) of x on 'cpu', as bits. */
function geluBits(x: Float32Array): [Int32Array, Int32Array] {
  return g.tidy(() => {
    const t = g.Tensor.fromHost(x.slice(), [x.length], 'float32', 'cpu').requiresGrad_();
    const y = g.gelu(t);
    const [dx] = g.grad(y.sum(), [t]);
    return [new Int32Array(Float32Array.from(y.dataSync()).buffer), new Int32Array(Float32Array.from(dx!.dataSync()).buffer)];
  });
}

/** Normal values (every 7th twelve times wider, past the table's ends), then the table's ends and beyond, zeros, infinities and NaN. */
function inputs(n: number, seed: number): Float32Array {
  const r = g.rng(seed);
  const x = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 12 * r.normal() : r.normal()));
  x.set([-8, 8, -8.0001, 8.0001, -7.9999, 0, -0, 1e30, -1e30, Infinity, -Infinity, NaN, 1e-30, 3.4e38, -1e-45].slice(0, n), 0);
  return x;
}

describe('GELU in WebAssembly', () => {
  afterAll(() => setWasmThreads('auto', DEFAULT_THREAD_MIN_FLOPS));

  it('gives the JS loop’s bits, forward and derivative, in place and copied, for every length mod 4', () => {
    const { cdf, pdf } = normalTables();
    setWasmThreads(1);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 15, 1023, 1024, 1025, 1026, 1027, 5000]) {
      const x = inputs(n, n);
      for (const derivative of [false, true]) {
        const want = new Float32Array(n);
        geluLoop(x, want, cdf, pdf, derivative);
        // plain arrays (copied in and out) and arrays in wasm memory (in place)
        const copied = new Float32Array(n);
        expect(wasmGelu(x, copied, cdf, pdf, derivative)).toBe(true);
        expect(firstDifference(bits(copied), bits(want))).toBe(-1);
        const X = heapAlloc(n);
        const Y = heapAlloc(n);
        if (X && Y) {
          X.set(x);
          expect(wasmGelu(X, Y, cdf, pdf, derivative)).toBe(true);
          expect(firstDifference(bits(Y), bits(want))).toBe(-1);
          expect(Array.from(X)).toEqual(Array.from(x)); // the input untouched
        }
        if (X) heapRelease(X);
        if (Y) heapRelease(Y);
      }
    }
  });

  it('gives the same bits on two threads, and the helper takes part', async () => {
    const n = 5 * GELU_SPLIT_MIN + 123; // ragged: the last run is short
    const x = inputs(n, 3);
    setWasmThreads(1);
    const one = geluBits(x);
    setWasmThreads(2);
    expect(await helperReady()).toBe(true);
    const before = wasmThreadStats().helperChunks;
    let two = geluBits(x);
    // the helper wakes for each job; over a few jobs it takes chunks of them
    for (let i = 0; i < 20 && wasmThreadStats().helperChunks === before; i++) two = geluBits(x);
    expect(wasmThreadStats().helperChunks).toBeGreaterThan(before);
    // (the first differing index, not a diff of 300k values)
    expect(firstDifference(two[0], one[0])).toBe(-1);
    expect(firstDifference(two[1], one[1])).toBe(-1);
    // the JS loop's bits too
    const { cdf, pdf } = normalTables();
    const js = new Float32Array(n);
    geluLoop(x, js, cdf, pdf, false);
    expect(firstDifference(two[0], bits(js))).toBe(-1);
    // and the values are GELU's: x·Φ(x) within float32 rounding of the float64 formula on a sample
    const y = new Float32Array(one[0].buffer);
    for (const i of [13, 100, 5000, n - 1]) {
      const xi = x[i]!;
      const phi = 0.5 * (1 + erf(xi / Math.SQRT2));
      expect(Math.abs(y[i]! - xi * phi)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(xi)));
    }
    expect(Number.isNaN(y[11]!)).toBe(true);
    expect(y[9]).toBe(Infinity);
    // an array larger than the memory the helper has seen: the memory grows and the helper follows
    const big = Float32Array.from({ length: 1 << 22 }, (_, i) => x[i % n]!);
    const h0 = wasmThreadStats().helperChunks;
    let bigTwo = geluBits(big);
    for (let i = 0; i < 10 && wasmThreadStats().helperChunks === h0; i++) bigTwo = geluBits(big);
    setWasmThreads(1);
    const bigOne = geluBits(big);
    expect(firstDifference(bigTwo[0], bigOne[0])).toBe(-1);
    expect(firstDifference(bigTwo[1], bigOne[1])).toBe(-1);
    expect(wasmThreadStats().helperChunks).toBeGreaterThan(h0);
  });
});

const bits = (a: Float32Array) => new Int32Array(a.buffer, a.byteOffset, a.length);

/** The first index where the bits differ, NaN against NaN aside (which NaN a float32 store writes is up to the engine). */
const firstDifference = (a: Int32Array, b: Int32Array) => {
  const fa = new Float32Array(a.buffer, a.byteOffset, a.length);
  const fb = new Float32Array(b.buffer, b.byteOffset, b.length);
  return a.length !== b.length ? 0 : a.findIndex((v, i) => v !== b[i] && !(Number.isNaN(fa[i]) && Number.isNaN(fb[i])));
};

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): enough to check values at float32's resolution. */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return s * (1 - p * Math.exp(-a * a));
}
