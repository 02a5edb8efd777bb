import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { ModuleBuilder } from '../src/cpu/wasm/emitter.js';
import { expEmitter } from '../src/cpu/wasm/exp-kernel.js';
import { softmaxLoop } from '../src/cpu/fused-kernels.js';
import { heapAlloc, heapRelease } from '../src/cpu/wasm/heap.js';
import { wasmExp, wasmSoftmax } from '../src/cpu/wasm/vector.js';
import { wasmApi } from '../src/cpu/wasm/webassembly-api.js';

/**
 * Index of the first element whose bits differ, or −1. NaNs count as equal whatever their sign and
 * payload: those are not specified for arithmetic results (JS and WebAssembly may give either sign).
 */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  const [x, y] = [Float32Array.from(a), Float32Array.from(b)];
  const [bx, by] = [new Int32Array(x.buffer), new Int32Array(y.buffer)];
  for (let i = 0; i < x.length; i++) if (bx[i] !== by[i] && !(x[i] !== x[i] && y[i] !== y[i])) return i;
  return -1;
}

/** Float32 inputs: spread values, then softmax's and exp's edge cases. */
function inputs(n: number, seed: number, scale = 8): Float32Array {
  const r = g.rng(seed);
  const x = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 30 * scale * r.normal() : scale * r.normal()));
  x.set([0, -0, 1, -1, 88.7, 88.8, -103.9, -104, Infinity, -Infinity, NaN, 1e-30, -3.4e38, 3.4e38, 0.34657359, 1.0397208].slice(0, n), 0);
  return x;
}

describe('exp in WebAssembly', () => {
  it('has Math.exp’s float64 bits over the whole range, the special values and the branch edges', () => {
    // a module with just the emitted exp: out[i] = exp(x[i]) on float64 pairs
    const mb = new ModuleBuilder({ initial: 4, maximum: 4, shared: false });
    const { code: c } = mb.func(['i32'], [], 'run');
    const i = c.local('i32');
    const exp = expEmitter(c);
    c.i32(0).set(i);
    c.block().loop();
    c.get(i).get(0).i32(3).shl().i32(1).shl().geS().brIf(1);
    c.get(i).i32(65536).add().get(i).v128Load();
    exp();
    c.v128Store();
    c.get(i).i32(16).add().set(i);
    c.br(0);
    c.end().end();
    const WA = wasmApi()!;
    const memory = new WA.Memory({ initial: 4, maximum: 4 });
    const run = (new WA.Instance(new WA.Module(mb.encode()), { env: { memory } }).exports as unknown as { run: (n: number) => void }).run;
    const n = 8192;
    const x = new Float64Array(memory.buffer, 0, n);
    const y = new Float64Array(memory.buffer, 65536, n);
    const r = g.rng(1);
    const u = new Uint32Array(2);
    const any = new Float64Array(u.buffer);
    const edges = [0, -0, 1, -1, 2, 0.5, -0.5, Infinity, -Infinity, NaN, 1e-300, -1e-300, 2 ** -28, -(2 ** -28), 2 ** -29, 0.34657359027997264, 0.3465735912322998, 0.34657359123229975, 1.0397207708399179, 1.0397205352783203, 1.0397205352783200, 709.782712893384, 709.7827128933841, 709.78, 709.79, -745.1332191019411, -745.1332191019412, -745.13, -745.14, -708.39, -708.4, -708.3, 1 + 2 ** -52, 1 - 2 ** -53, 1e300, -1e300];
    let bad = 0;
    for (let round = 0; round < 8; round++) {
      for (let j = 0; j < n; j++) {
        const k = (round * n + j) % 6;
        if (k === 0) x[j] = (r.uniform() - 0.5) * 1500;
        else if (k === 1) x[j] = -r.uniform() * 30;
        else if (k === 2) x[j] = -708 - r.uniform() * 38; // results below the normal range
        else if (k === 3) x[j] = (r.uniform() - 0.5) * 2.2; // |x| around ½ln2 and 1.5ln2
        else if (k === 4) x[j] = Math.fround(r.normal() * 10);
        else {
          u[0] = Math.floor(r.uniform() * 2 ** 32);
          u[1] = Math.floor(r.uniform() * 2 ** 32);
          x[j] = any[0]!;
        }
      }
      if (round === 0) x.set(edges);
      run(n);
      for (let j = 0; j < n; j++) if (!Object.is(y[j], Math.exp(x[j]!)) && bad++ < 5) expect([x[j], y[j]]).toEqual([x[j], Math.exp(x[j]!)]);
    }
    expect(bad).toBe(0);
  });

  it('gives Math.fround(Math.exp(x)) for float32 arrays of every length mod 4, copied and in place', () => {
    for (const n of [1024, 1025, 1026, 1027, 5001]) {
      const x = inputs(n, n, 10);
      const want = Float32Array.from(x, (v) => Math.exp(v));
      const copied = new Float32Array(n);
      expect(wasmExp(copied, x)).toBe(true);
      expect(firstDifference(copied, want)).toBe(-1);
      const X = heapAlloc(n);
      if (X) {
        X.set(x);
        expect(wasmExp(X, X)).toBe(true); // in place
        expect(firstDifference(X, want)).toBe(-1);
        heapRelease(X);
      }
    }
  });

  it('softmax and log-softmax give the JS loop’s bits, for rows of every length mod 2, with −∞ and NaN rows', () => {
    for (const n of [1, 2, 3, 4, 7, 99, 128, 1025]) {
      const rows = Math.ceil(2048 / n);
      const x = inputs(rows * n, n);
      x.fill(-Infinity, n, 2 * n); // a row of −∞ (its max is taken as 0)
      if (rows > 3) x[2 * n] = NaN;
      for (const log of [false, true]) {
        const want = new Float32Array(x.length);
        softmaxLoop(x, want, n, log);
        const got = new Float32Array(x.length);
        expect(wasmSoftmax(got, x, n, log)).toBe(true);
        expect(firstDifference(got, want)).toBe(-1);
      }
    }
  });

  it('the cpu backend’s softmax, log-softmax and exp run these (the JS loop’s bits)', () => {
    const x = inputs(512 * 99, 3, 2);
    const [y, s, e] = g.tidy(() => {
      const t = g.Tensor.fromHost(x.slice(), [512, 99], 'float32', 'cpu');
      return [g.logSoftmax(t, -1), g.softmax(t, -1), g.exp(t)].map((r) => Float32Array.from(r.dataSync()));
    });
    for (const [log, got] of [[true, y], [false, s]] as const) {
      const want = new Float32Array(x.length);
      softmaxLoop(x, want, 99, log);
      expect(firstDifference(got!, want)).toBe(-1);
    }
    expect(firstDifference(e!, Float32Array.from(x, (v) => Math.exp(v)))).toBe(-1);
  });
});
