import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { adamDirection } from '../src/fused-ops.js';
import { stridedCopy } from '../src/cpu/strided.js';
import { VECTOR_MIN_ELEMENTS, wasmBinary, wasmColumnSums, wasmPointwise, wasmStridedCopy } from '../src/cpu/wasm/vector.js';

const rand = (n: number, seed: number, positive = false) => {
  const r = g.rng(seed);
  return Float32Array.from({ length: n }, () => (positive ? Math.abs(r.normal()) + 0.5 : r.normal()));
};

/** Run fn on 'cpu' (SIMD kernels) and 'cpu-reference' (JS loops) with the same float32 inputs. */
function both(shapes: number[][], fn: (...xs: g.Tensor[]) => g.Tensor, positive = false) {
  const datas = shapes.map((s, i) => rand(s.reduce((a, b) => a * b, 1), i + 1, positive));
  const run = (device: string) => g.tidy(() => fn(...datas.map((d, i) => g.Tensor.fromHost(d.slice(), shapes[i]!, 'float32', device)))).dataSync();
  return { fast: run('cpu'), ref: run('cpu-reference') };
}

const expectClose = (a: ArrayLike<number>, b: ArrayLike<number>, rel = 0) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - b[i]!);
    if (!(err <= rel * Math.max(1, Math.abs(b[i]!)))) throw new Error(`index ${i}: ${a[i]} vs ${b[i]}`);
  }
};

describe('WebAssembly SIMD elementwise kernels', () => {
  // each layout with a column count that is not a multiple of 4 (the scalar tail runs too)
  const layouts: [string, number[], number[]][] = [
    ['same shape', [37, 53], [37, 53]],
    ['row vector (bias)', [41, 67], [67]],
    ['column (per-row scalar)', [43, 61], [43, 1]],
    ['scalar', [2049], []],
    ['scalar on the left', [1], [33, 70]],
    ['broadcast inner block', [9, 4, 61], [4, 61]],
  ];
  for (const op of ['add', 'sub', 'mul', 'div'] as const) {
    for (const [name, sa, sb] of layouts) {
      it(`${op}, ${name}: bit-identical to the JS loop`, () => {
        const { fast, ref } = both([sa, sb], (a, b) => g[op](a!, b!), op === 'div');
        expect(fast.length).toBeGreaterThanOrEqual(VECTOR_MIN_ELEMENTS);
        // one IEEE float32 operation per element on both sides: the results agree exactly
        expect(Array.from(fast)).toEqual(Array.from(ref));
      });
    }
  }

  it('a layout without a SIMD kernel is declined untouched and the JS loop runs', () => {
    const out = new Float32Array(4096).fill(7);
    // a transposed read: the operand steps by 64 along the row
    expect(wasmBinary('add', out, rand(4096, 1), rand(4096, 2), [64, 64], [1, 64], [64, 1])).toBe(false);
    expect(out.every((v) => v === 7)).toBe(true);
    const { fast, ref } = both([[64, 64], [64, 64]], (a, b) => g.add(g.transpose(a!), b!));
    expect(Array.from(fast)).toEqual(Array.from(ref));
  });

  it('axpby and the Adam direction match their compositions', () => {
    const n = 3001;
    const x = rand(n, 1);
    const y = rand(n, 2, true);
    const out = new Float32Array(n);
    expect(wasmPointwise('axpby', out, x, y, [0.9, -0.25])).toBe(true);
    expectClose(out, Float32Array.from(x, (v, i) => 0.9 * v - 0.25 * y[i]!), 1e-6);
    expect(wasmPointwise('adam', out, x, y, [0.1, 0.02, 1e-8])).toBe(true);
    expectClose(out, Float32Array.from(x, (v, i) => v / 0.1 / (Math.sqrt(y[i]! / 0.02) + 1e-8)), 1e-6);
    // and through the fused ops on the cpu backend, against cpu-reference's compositions
    const a = both([[n], [n]], (p, q) => g.axpby(0.98, p!, 0.02, q!));
    expectClose(a.fast, a.ref, 1e-6);
    const d = both([[n], [n]], (m, v) => adamDirection([m!, v!], { c1: 0.1, c2: 0.02, eps: 1e-8 }), true);
    expectClose(d.fast, d.ref, 1e-6);
  });

  it('layerNorm (fused standardize and its gradient) matches the composition, ragged rows included', () => {
    for (const [shape, dims] of [[[40, 128], 1], [[31, 67], 1], [[6, 5, 43], 2]] as const) {
      const normalized = shape.slice(shape.length - dims);
      const w = rand(shape.reduce((a, b) => a * b, 1), 9);
      const run = (device: string) =>
        g.tidy(() => {
          const x = g.Tensor.fromHost(rand(w.length, 3).map((v) => 2 * v + 1), [...shape], 'float32', device).requiresGrad_();
          const y = g.layerNorm(x, normalized);
          const [dx] = g.grad(g.sum(g.mul(y, g.Tensor.fromHost(w.slice(), [...shape], 'float32', device))), [x]);
          return [y.dataSync(), dx!.dataSync()];
        });
      const [fy, fdx] = run('cpu');
      const [ry, rdx] = run('cpu-reference');
      expect(fy!.length).toBeGreaterThanOrEqual(VECTOR_MIN_ELEMENTS);
      expectClose(fy!, ry!, 2e-5);
      expectClose(fdx!, rdx!, 2e-5);
    }
  });

  it('column sums (float64 lanes) are identical to the JS loop, ragged column counts included', () => {
    for (const [shape, dims] of [[[300, 128], [0]], [[50, 4, 67], [0, 1]], [[2, 700, 6], [0, 1]]] as const) {
      const data = rand(shape.reduce((a, b) => a * b, 1), 12);
      const run = (device: string) => g.sum(g.Tensor.fromHost(data.slice(), [...shape], 'float32', device), [...dims]).dataSync();
      expect(Array.from(run('cpu'))).toEqual(Array.from(run('cpu-reference')));
    }
    const acc = new Float64Array(6).fill(1);
    const rows = 300;
    expect(wasmColumnSums(acc, Float32Array.from({ length: rows * 6 }, (_, i) => i % 6), rows, 6)).toBe(true);
    // columns 0-3 from wasm (1 + column sums); 4 and 5 are the caller's
    expect(Array.from(acc)).toEqual([1, 1 + rows, 1 + 2 * rows, 1 + 3 * rows, 1, 1]);
    // too few elements to be worth the copies: declined, untouched
    expect(wasmColumnSums(acc, new Float32Array(12), 2, 6)).toBe(false);
    expect(acc[0]).toBe(1);
  });

  it('linear adds its bias in SIMD with the same result as the composition', () => {
    const { fast, ref } = both([[130, 24], [67, 24], [67]], (x, w, b) => g.linear(x!, w!, b!));
    expectClose(fast, ref, 1e-5);
  });

  it('strided copies (permute, slice, expand) move every bit as the JS loop does, float32 and int32', () => {
    // NaNs with payloads, −0 and infinities: a copy must not touch them
    const bits = Int32Array.from({ length: 40000 }, (_, i) => (i * 2654435761) | 0);
    bits.set([0x7fc00001, 0x7f800001, 0xffc12345 | 0, 0x80000000 | 0, 0x7f800000, 0xff800000 | 0], 0);
    const cases: [string, number[], number[], number][] = [];
    const stridesOf = (s: number[]) => s.map((_, d) => s.slice(d + 1).reduce((a, b) => a * b, 1));
    const permute = (shape: number[], perm: number[]) => {
      const st = stridesOf(shape);
      cases.push([`permute [${shape}] by [${perm}]`, perm.map((p) => shape[p]!), perm.map((p) => st[p]!), 0]);
    };
    permute([64, 4, 4, 32], [0, 2, 1, 3]); // attention's split heads
    permute([5, 7, 11, 13], [2, 1, 0, 3]); // rows of 13: the scalar tail
    cases.push(['slice of rows [3, 299) of [300, 130] → columns 5..64', [296, 59], [130, 1], 3 * 130 + 5]);
    cases.push(['last position of [512, 4, 19]', [512, 1, 19], [76, 19, 1], 3 * 19]);
    cases.push(['expand [37] to [40, 37]', [40, 37], [0, 1], 0]);
    for (const [name, shape, strides, offset] of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      // the JS loop over int32 moves the bits exactly (over float32 it would quiet a signalling NaN)
      const want = new Int32Array(n);
      stridedCopy(want, bits, shape, strides, offset);
      for (const Type of [Float32Array, Int32Array]) {
        const got = new Type(n).fill(7);
        expect(wasmStridedCopy(got, new Type(bits.buffer), shape, strides, offset), name).toBe(true);
        const moved = new Int32Array(got.buffer);
        // the first differing index (a diff of thousands of values would take minutes to print)
        expect(moved.findIndex((b, i) => b !== want[i]), `${name}, ${Type.name}`).toBe(-1);
      }
    }
    // too small to be worth it, strided rows (a transpose), a negative stride: declined, untouched
    const out = new Float32Array(12).fill(3);
    expect(wasmStridedCopy(out, new Float32Array(12), [3, 4], [4, 1], 0)).toBe(false);
    expect(Array.from(out)).toEqual(new Array(12).fill(3));
    const big = new Float32Array(4000).fill(3);
    expect(wasmStridedCopy(big, new Float32Array(4000), [40, 100], [1, 40], 0)).toBe(false);
    expect(wasmStridedCopy(big, new Float32Array(4000), [40, 100], [-100, 1], 3900)).toBe(false);
    expect(big.every((x) => x === 3)).toBe(true);
    // through the backend: the split heads of attention on 'cpu' and 'cpu-reference'
    const { fast, ref } = both([[64, 4, 128]], (x) => x!.reshape([64, 4, 4, 32]).permute([0, 2, 1, 3]).add(0));
    expect(Array.from(fast)).toEqual(Array.from(ref));
  });
});
