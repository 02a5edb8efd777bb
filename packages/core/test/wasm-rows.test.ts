import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { wasmRows } from '../src/cpu/wasm/vector.js';

/** Index [outer, n, inner] (as a flat Int32Array) whose row (o, j) repeats rowValue(o, j). */
function rowIndex(outer: number, n: number, inner: number, rowValue: (o: number, j: number) => number): Int32Array {
  const idx = new Int32Array(outer * n * inner);
  for (let o = 0; o < outer; o++) for (let j = 0; j < n; j++) idx.fill(rowValue(o, j), (o * n + j) * inner, (o * n + j + 1) * inner);
  return idx;
}

/** x [outer, size, inner] and a per-row index [outer, n, inner] on `backend`: gather and scatter-add along dim 1, as arrays. */
function run(backend: string, x: Float32Array, idx: Int32Array, src: Float32Array, [outer, size, n, inner]: number[]): Float32Array[] {
  return g.tidy(() => {
    const X = g.Tensor.fromHost(x.slice(), [outer!, size!, inner!], 'float32', backend);
    const I = g.Tensor.fromHost(idx.slice(), [outer!, n!, inner!], 'int32', backend);
    const S = g.Tensor.fromHost(src.slice(), [outer!, n!, inner!], 'float32', backend);
    const gathered = g.gather(X, 1, I);
    const summed = g.scatterAdd(g.zeros([outer!, size!, inner!], { device: backend }), 1, I, S);
    return [Float32Array.from(gathered.dataSync()), Float32Array.from(summed.dataSync())];
  });
}

const bits = (a: Float32Array): number[] => Array.from(new Int32Array(a.buffer));

describe('row gathers and scatter-adds in WebAssembly', () => {
  it('give the JS loops’ bits for indices with one value per row, with repeated rows and rows of every length mod 4', () => {
    const r = g.rng(0);
    for (const [outer, size, n, inner] of [[1, 99, 2048, 128], [3, 50, 40, 20], [2, 7, 300, 6], [1, 5, 700, 3]] as const) {
      const x = Float32Array.from({ length: outer * size * inner }, () => r.normal());
      const src = Float32Array.from({ length: outer * n * inner }, () => r.normal() * 100);
      const idx = rowIndex(outer, n, inner, (o, j) => (o * 31 + j * 17) % size);
      const dims = [outer, size, n, inner];
      const [cpu, ref] = [run('cpu', x, idx, src, dims), run('cpu-reference', x, idx, src, dims)];
      expect(bits(cpu[0]!)).toEqual(bits(ref[0]!));
      expect(bits(cpu[1]!)).toEqual(bits(ref[1]!));
      // and the WebAssembly path is the one taken
      const out = new Float32Array(outer * n * inner);
      expect(wasmRows(false, out, x, idx, outer, n, inner, size)).toBe(true);
      expect(bits(out)).toEqual(bits(ref[0]!));
      const acc = new Float32Array(outer * size * inner);
      expect(wasmRows(true, acc, src, idx, outer, n, inner, size)).toBe(true);
      expect(bits(acc)).toEqual(bits(ref[1]!));
    }
  });

  it('decline, touching nothing, where a row holds two values or one out of range; the backend then gives the JS loop’s result or error', () => {
    const [outer, size, n, inner] = [1, 9, 400, 8];
    const r = g.rng(1);
    const x = Float32Array.from({ length: size * inner }, () => r.normal());
    const src = Float32Array.from({ length: n * inner }, () => r.normal());
    const mixed = rowIndex(outer, n, inner, (_, j) => j % size);
    mixed[5 * inner + 3] = 2; // row 5 holds two values
    const out = new Float32Array(n * inner).fill(7);
    expect(wasmRows(false, out, x, mixed, outer, n, inner, size)).toBe(false);
    expect(wasmRows(true, out, src, mixed, outer, n, inner, size)).toBe(false);
    expect(out.every((v) => v === 7)).toBe(true);
    const dims = [outer, size, n, inner];
    const [cpu, ref] = [run('cpu', x, mixed, src, dims), run('cpu-reference', x, mixed, src, dims)];
    expect(bits(cpu[0]!)).toEqual(bits(ref[0]!));
    expect(bits(cpu[1]!)).toEqual(bits(ref[1]!));
    for (const bad of [size, -1]) {
      const idx = rowIndex(outer, n, inner, (_, j) => (j === 300 ? bad : j % size));
      expect(wasmRows(false, out, x, idx, outer, n, inner, size)).toBe(false);
      const message = (backend: string) => {
        try {
          run(backend, x, idx, src, dims);
        } catch (e) {
          return (e as Error).message;
        }
        return 'no error';
      };
      expect(message('cpu')).toMatch(/gather.*index/);
      expect(message('cpu')).toBe(message('cpu-reference'));
    }
  });

  it('an embedding’s lookup and gradient on cpu are the reference backend’s', () => {
    const run = (backend: string) =>
      g.tidy(() => {
        const before = g.currentBackend();
        g.setBackend(backend);
        const emb = new g.Embedding(99, 128, { rng: g.rng(3) });
        g.setBackend(before);
        expect(emb.weight.device).toBe(backend);
        const ids = g.Tensor.fromHost(Int32Array.from({ length: 2048 }, (_, i) => (i * 7) % 99), [512, 4], 'int32', backend);
        const y = emb.forward(ids);
        const [dw] = g.grad(y.mul(y).sum(), [emb.weight]);
        return [bits(Float32Array.from(y.dataSync())), bits(Float32Array.from(dw!.dataSync()))];
      });
    expect(run('cpu')).toEqual(run('cpu-reference'));
  });
});
