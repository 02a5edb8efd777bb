import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { alloc, release } from '../src/cpu/pool.js';
import { addressOf, BlockAllocator, HEAP_MIN_ELEMENTS, heapAlloc, heapRelease, heapStats, staging } from '../src/cpu/wasm/heap.js';
import { wasmMatmul } from '../src/cpu/wasm/gemm.js';
import { getRuntime, PAGE, setWasmThreads, wasmThreads } from '../src/cpu/wasm/runtime.js';
import { wasmBinary, wasmStandardize, wasmStridedCopy } from '../src/cpu/wasm/vector.js';

const rand = (a: Float32Array, seed: number) => {
  const r = g.rng(seed);
  for (let i = 0; i < a.length; i++) a[i] = r.normal();
  return a;
};
const bits = (a: Float32Array) => new Uint32Array(a.slice().buffer);

describe('BlockAllocator', () => {
  it('hands a freed block back for the same size, and takes new ones from the top', () => {
    const b = new BlockAllocator(100, 1 << 20);
    const x = b.take(1000);
    expect(x).toBe(128); // the base, rounded up to 64
    const y = b.take(1000);
    expect(y).toBe(128 + 1024);
    b.put(x, 1000);
    expect(b.freeBytes()).toBe(1024);
    expect(b.take(1024)).toBe(x);
    expect(b.take(64)).toBe(128 + 2048);
  });

  it('merges adjacent free blocks for a larger request, splits the rest off, and lowers the top', () => {
    const b = new BlockAllocator(0, 1 << 20);
    const [x, y, z] = [b.take(256), b.take(256), b.take(256)];
    const w = b.take(64); // keeps z from touching the top
    b.put(x, 256);
    b.put(y, 256);
    expect(b.take(384)).toBe(x); // x and y merged, 128 bytes split off
    expect(b.freeBytes()).toBe(128);
    expect(b.take(128)).toBe(x + 384);
    b.put(z, 256);
    b.put(w, 64);
    const top = b.top;
    expect(b.take(2048)).toBe(z); // z and w merged with the top, which came down to z
    expect(b.top).toBe(z + 2048);
    expect(top).toBe(w + 64);
  });

  it('says −1 past its limit and keeps its state', () => {
    const b = new BlockAllocator(0, 4096);
    expect(b.take(4096)).toBe(0);
    expect(b.take(64)).toBe(-1);
    b.put(0, 4096);
    expect(b.take(8192)).toBe(-1);
    expect(b.take(64)).toBe(0);
  });
});

describe('float32 tensors in the wasm memory', () => {
  const rt = getRuntime()!;

  it('lives there from HEAP_MIN_ELEMENTS values on (where the memory is shared, as in Node)', () => {
    expect(rt.shared).toBe(true);
    const a = heapAlloc(HEAP_MIN_ELEMENTS)!;
    expect(addressOf(rt, a)).toBe(a.byteOffset);
    expect(a.byteOffset % 64).toBe(0);
    expect(heapAlloc(HEAP_MIN_ELEMENTS - 1)).toBeNull();
    expect(addressOf(rt, new Float32Array(HEAP_MIN_ELEMENTS))).toBe(-1);
    // what the cpu backend allocates: float32 in the memory, other dtypes plain
    const t = g.mul(g.ones([64, 64]), 2);
    expect(addressOf(rt, t.view() as Float32Array)).toBeGreaterThan(0);
    expect(addressOf(rt, alloc('int32', 4096) as Int32Array)).toBe(-1);
    t.dispose();
    expect(heapRelease(a)).toBe(true);
  });

  it('reuses a released block, and ignores a second release of the same array', () => {
    const a = heapAlloc(5000)!;
    const before = heapStats()!.tensorBytes;
    expect(heapRelease(a)).toBe(true);
    expect(heapStats()!.tensorBytes).toBe(before - 20032);
    expect(heapRelease(a)).toBe(false);
    release(a, 'float32'); // the pool does not take it either
    const b = heapAlloc(5000)!;
    const c = heapAlloc(5000)!;
    expect(b.byteOffset).toBe(a.byteOffset);
    expect(c.byteOffset).not.toBe(a.byteOffset);
    heapRelease(b);
    heapRelease(c);
  });

  it('keeps earlier arrays valid when the memory grows, and the kernels read them in place, bit for bit', () => {
    const [M, K, N] = [37, 53, 45];
    const A = rand(heapAlloc(M * K + 3)!, 1).subarray(3); // a view at an offset, as a batch slice is
    const B = rand(heapAlloc(K * N)!, 2);
    const size = rt.memory.buffer.byteLength;
    const big = heapAlloc(size / 4)!; // the memory must grow for this one
    expect(rt.memory.buffer.byteLength).toBeGreaterThan(size);
    big.fill(7);
    const C = heapAlloc(M * N)!;
    wasmMatmul(C, A, B, 1, M, K, N, false, false);
    const plain = new Float32Array(M * N);
    wasmMatmul(plain, A.slice(), B.slice(), 1, M, K, N, false, false);
    expect(bits(C)).toEqual(bits(plain));
    expect(big[0]).toBe(7);
    expect(big[big.length - 1]).toBe(7);
    for (const x of [A, B, C, big]) heapRelease(x);
  });

  it('elementwise, normalisation and strided copies give the same bits in place as through copies', () => {
    const rows = 48;
    const cols = 128;
    const X = rand(heapAlloc(rows * cols)!, 3);
    const Y = rand(heapAlloc(rows * cols)!, 4);
    const inPlace = heapAlloc(rows * cols)!;
    const copied = new Float32Array(rows * cols);
    expect(wasmBinary('mul', inPlace, X, Y, [rows, cols], [cols, 1], [cols, 1])).toBe(true);
    expect(wasmBinary('mul', copied, X.slice(), Y.slice(), [rows, cols], [cols, 1], [cols, 1])).toBe(true);
    expect(bits(inPlace)).toEqual(bits(copied));
    expect(wasmStandardize(inPlace, X, Y, cols, 1e-5)).toBe(true);
    expect(wasmStandardize(copied, X.slice(), Y.slice(), cols, 1e-5)).toBe(true);
    expect(bits(inPlace)).toEqual(bits(copied));
    // attention's split heads: [12, 4, 4, 32] read as [12, 4 heads, 4, 32]
    const shape = [12, 4, 4, 32];
    const strides = [512, 32, 128, 1];
    expect(wasmStridedCopy(inPlace.subarray(0, 6144), X, shape, strides, 0)).toBe(true);
    expect(wasmStridedCopy(copied.subarray(0, 6144), X.slice(), shape, strides, 0)).toBe(true);
    expect(bits(inPlace)).toEqual(bits(copied));
    for (const x of [X, Y, inPlace]) heapRelease(x);
  });

  it('splits a matmul over both threads on operands in place, with the one-thread bits', async () => {
    setWasmThreads(2);
    for (let i = 0; i < 300 && wasmThreads() < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(wasmThreads()).toBe(2);
    const [M, K, N] = [256, 128, 192];
    const A = rand(heapAlloc(M * K)!, 5);
    const B = rand(heapAlloc(K * N)!, 6);
    const two = heapAlloc(M * N)!;
    wasmMatmul(two, A, B, 1, M, K, N, false, false);
    setWasmThreads(1);
    const one = new Float32Array(M * N);
    wasmMatmul(one, A.slice(), B.slice(), 1, M, K, N, false, false);
    setWasmThreads('auto');
    expect(bits(two)).toEqual(bits(one));
    for (const x of [A, B, two]) heapRelease(x);
  });

  it('gives the staging area from the heap, growing it by replacement, not over live tensors', () => {
    const a = heapAlloc(4096)!;
    a.fill(3);
    const p = staging(rt, 64 << 20);
    expect(p).toBeGreaterThan(0);
    expect(p >= a.byteOffset + a.byteLength || p + (64 << 20) <= a.byteOffset).toBe(true);
    rt.f32.fill(-1, p >> 2, (p >> 2) + (16 << 20));
    expect(a.every((x) => x === 3)).toBe(true);
    expect(staging(rt, 1024)).toBe(p); // a smaller request keeps the area
    expect(staging(rt, MAX_BYTES)).toBe(-1);
    heapRelease(a);
  });

  it('keeps a training step in the same blocks from one step to the next (no block lost, no growth)', () => {
    const r = g.rng(7);
    const l1 = new g.Linear(64, 256, { rng: r });
    const l2 = new g.Linear(256, 32, { rng: r });
    const opt = new g.Optimizer({ ...l1.namedParameters('l1.'), ...l2.namedParameters('l2.') }, g.adam({ lr: 1e-3 }));
    const x = g.randn([128, 64], { rng: r });
    const y = g.randint(0, 32, [128], { rng: r });
    const step = () =>
      g.tidy(() => {
        const loss = g.crossEntropy(l2.forward(g.gelu(l1.forward(x))), y);
        loss.backward();
        opt.update();
        opt.zeroGrad();
      });
    for (let i = 0; i < 3; i++) step(); // the optimizer's state is made in the first step
    const after3 = heapStats()!;
    expect(addressOf(rt, l1.weight.view() as Float32Array)).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) step();
    const after8 = heapStats()!;
    expect(after8.tensorBytes).toBe(after3.tensorBytes);
    expect(after8.memoryBytes).toBe(after3.memoryBytes);
    x.dispose();
  });

  it('gets back the block of an array nobody released once the garbage collector takes it', () => {
    const src = JSON.stringify(new URL('../src/cpu/wasm/heap.ts', import.meta.url).href);
    const script = `
      const h = await import(${src});
      let a = h.heapAlloc(1 << 20);
      const live = h.heapStats().tensorBytes;
      a = null;
      for (let i = 0; i < 20 && h.heapStats().tensorBytes === live; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      h.heapAlloc(1 << 20);
      console.log(live, h.heapStats().tensorBytes, h.heapStats().freeBytes);`;
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120000 });
    expect(r.stderr).toBe('');
    const [live, after, free] = r.stdout.trim().split(' ').map(Number);
    expect(live).toBe(4 << 20);
    expect(after).toBe(4 << 20); // the collected block was reused for b: the heap did not grow
    expect(free).toBe(0);
  });
});

const MAX_BYTES = 32768 * PAGE;
