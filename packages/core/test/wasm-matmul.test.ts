import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { matmulRef } from '../src/cpu/matmul.js';
import {
  chooseThreads, DEFAULT_THREAD_MIN_FLOPS, recordThreads, setWasmThreads, wasmAvailable, wasmThreadStats, wasmThreads,
} from '../src/cpu/wasm/runtime.js';
import { wasmMatmul } from '../src/cpu/wasm/gemm.js';

let state = 12345;
function random(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) | 0;
    a[i] = (state >>> 8) / (1 << 23) - 1; // uniform in [-1, 1)
  }
  return a;
}

interface Case { batch: number; M: number; K: number; N: number; ta: boolean; tb: boolean }

/** Runs wasmMatmul against matmulRef; the error bound is 1e-5 scaled by K (inputs in [-1, 1]). */
function check({ batch, M, K, N, ta, tb }: Case): Float32Array {
  const A = random(batch * M * K);
  const B = random(batch * K * N);
  const out = new Float32Array(batch * M * N).fill(Number.NaN);
  const ref = new Float32Array(batch * M * N);
  wasmMatmul(out, A, B, batch, M, K, N, ta, tb);
  matmulRef(ref, A, B, batch, M, K, N, ta, tb);
  const tol = 1e-5 * Math.max(1, K);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(out[i]! - ref[i]!);
    if (!(e <= tol)) throw new Error(`${JSON.stringify({ batch, M, K, N, ta, tb })}: index ${i}: ${out[i]} vs ${ref[i]}`);
    worst = Math.max(worst, e);
  }
  expect(worst).toBeLessThanOrEqual(tol);
  return out;
}

const combos: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];
const odd = [1, 3, 7, 17, 33, 130];

function oddCases(batches: number[]): Case[] {
  const cases: Case[] = [];
  let i = 0;
  for (const M of odd) for (const K of odd) for (const N of odd) {
    // every shape triple, cycling through transposes and batch sizes so each appears often
    const [ta, tb] = combos[i % 4]!;
    cases.push({ batch: batches[i % batches.length]!, M, K, N, ta, tb });
    i++;
  }
  return cases;
}

/** Block-crossing shapes: K past the depth block, M past the row block, N past the column block. */
const blockCases: Case[] = combos.flatMap(([ta, tb]) => [
  { batch: 1, M: 64, K: 256, N: 512, ta, tb },
  { batch: 1, M: 131, K: 513, N: 67, ta, tb },
  { batch: 2, M: 70, K: 300, N: 600, ta, tb },
  { batch: 3, M: 5, K: 9, N: 1030, ta, tb },
  { batch: 1, M: 1030, K: 20, N: 5, ta, tb },
]);

async function helperReady(): Promise<boolean> {
  for (let i = 0; i < 500 && wasmThreads() < 2; i++) await new Promise((r) => setTimeout(r, 10));
  return wasmThreads() === 2;
}

describe('wasmMatmul', () => {
  afterAll(() => setWasmThreads('auto', DEFAULT_THREAD_MIN_FLOPS));

  it('is available here (WebAssembly SIMD)', () => {
    expect(wasmAvailable()).toBe(true);
  });

  it('matches matmulRef on odd shapes, all transposes, batch 1 (single thread)', () => {
    setWasmThreads(1);
    for (const c of oddCases([1])) check(c);
  });

  it('matches matmulRef with batch > 1 (single thread)', () => {
    setWasmThreads(1);
    for (const c of oddCases([2, 3, 5])) check(c);
  });

  it('matches matmulRef on batches of tiny matrices (the unpacked kernel: attention heads), every layout', () => {
    setWasmThreads(1);
    // K and N multiples of 4 take the kernel's vector paths; the others fall back to the packed GEMM
    for (const [M, K, N] of [[4, 32, 4], [4, 4, 32], [1, 8, 8], [5, 12, 6], [3, 5, 4], [4, 6, 7], [16, 16, 16], [2, 64, 64]])
      for (const [ta, tb] of combos) for (const batch of [2, 7]) check({ batch, M: M!, K: K!, N: N!, ta, tb });
  });

  it('gives the packed GEMM’s results to the bit on batches of tiny matrices (so training trajectories do not depend on the path)', () => {
    setWasmThreads(1);
    // [1, 512, 4]: K above the GEMM's block depth (256), which the GEMM sums block by block
    for (const [M, K, N] of [[4, 32, 4], [4, 4, 32], [3, 8, 12], [5, 12, 8], [1, 512, 4], [2, 20, 40]])
      for (const [ta, tb] of combos) {
        const batch = 6;
        const A = random(batch * M! * K!);
        const B = random(batch * K! * N!);
        const all = new Float32Array(batch * M! * N!);
        wasmMatmul(all, A, B, batch, M!, K!, N!, ta, tb); // batch ≥ 2: the unpacked kernel where it applies
        for (let b = 0; b < batch; b++) {
          const one = new Float32Array(M! * N!);
          wasmMatmul(one, A.subarray(b * M! * K!), B.subarray(b * K! * N!), 1, M!, K!, N!, ta, tb); // batch 1: the GEMM
          expect(Buffer.from(all.buffer, b * M! * N! * 4, M! * N! * 4).equals(Buffer.from(one.buffer))).toBe(true);
        }
      }
  });

  it('matches matmulRef across cache-block boundaries (single thread)', () => {
    setWasmThreads(1);
    for (const c of blockCases) check(c);
  });

  it('K = 0 gives zeros; empty outputs are fine', () => {
    setWasmThreads(1);
    for (const [ta, tb] of combos) {
      const out = new Float32Array(2 * 3 * 4).fill(7);
      wasmMatmul(out, new Float32Array(0), new Float32Array(0), 2, 3, 0, 4, ta, tb);
      expect([...out].every((x) => x === 0)).toBe(true);
    }
    wasmMatmul(new Float32Array(0), new Float32Array(0), new Float32Array(15), 1, 0, 3, 5, false, false);
    wasmMatmul(new Float32Array(0), new Float32Array(6), new Float32Array(0), 2, 3, 1, 0, false, false);
  });

  it('reads subarray views at their offsets and leaves the rest of out alone', () => {
    setWasmThreads(1);
    const M = 9, K = 13, N = 11;
    const Abig = random(M * K + 5);
    const Bbig = random(K * N + 3);
    const A = Abig.subarray(5);
    const B = Bbig.subarray(3);
    const outBig = new Float32Array(M * N + 2).fill(42);
    wasmMatmul(outBig.subarray(1, 1 + M * N), A, B, 1, M, K, N, false, false);
    const ref = new Float32Array(M * N);
    matmulRef(ref, A, B, 1, M, K, N, false, false);
    expect(outBig[0]).toBe(42);
    expect(outBig[M * N + 1]).toBe(42);
    for (let i = 0; i < M * N; i++) expect(Math.abs(outBig[1 + i]! - ref[i]!)).toBeLessThan(1e-5 * K);
  });

  it('says what it expected when arrays are too short', () => {
    expect(() => wasmMatmul(new Float32Array(3), new Float32Array(6), new Float32Array(6), 1, 2, 3, 2, false, false)).toThrow(
      /expected A of 6, B of 6 and out of 4 elements .* got 6, 6 and 3/,
    );
  });

  it('matches matmulRef and the single-thread result bit for bit when split across two threads', async () => {
    setWasmThreads(2, 0); // split everything that can be split
    expect(await helperReady()).toBe(true);
    // the tiny products (attention heads) split over the batch too, on the unpacked kernel, in each layout
    const tiny: Case[] = [[4, 32, 4], [4, 4, 32], [5, 12, 8]].flatMap(([M, K, N]) =>
      combos.flatMap(([ta, tb]) => [8, 7].map((batch) => ({ batch, M: M!, K: K!, N: N!, ta, tb }))),
    );
    const shapes: Case[] = [...oddCases([1, 2, 3]), ...blockCases, ...tiny];
    const helped = wasmThreadStats().helperChunks;
    for (const c of shapes) {
      state = 777;
      const two = check(c);
      setWasmThreads(1);
      state = 777;
      const one = check(c);
      setWasmThreads(2, 0);
      expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    }
    // the helper took chunks of those splits (on a loaded machine it may sleep through all of them: a few
    // more packed products until it has taken one)
    const [P, Q, R] = [random(128 * 128), random(128 * 128), new Float32Array(128 * 128)];
    for (let i = 0; i < 200 && wasmThreadStats().helperChunks === helped; i++) wasmMatmul(R, P, Q, 1, 128, 128, 128, false, false);
    expect(wasmThreadStats().helperChunks).toBeGreaterThan(helped);
    // the helper runs chunks of the unpacked kernel (CMD_SMALL): a larger batch of heads, until it has taken one
    const [A, B, out] = [random(2048 * 128), random(2048 * 128), new Float32Array(2048 * 16)];
    const before = wasmThreadStats().helperChunks;
    for (let i = 0; i < 200 && wasmThreadStats().helperChunks === before; i++) wasmMatmul(out, A, B, 2048, 4, 32, 4, false, true);
    expect(wasmThreadStats().helperChunks).toBeGreaterThan(before);
    const ref = new Float32Array(2048 * 16);
    matmulRef(ref, A, B, 2048, 4, 32, 4, false, true);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(out[i]! - ref[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref[i]!)));
  });

  it('handles sizes on both sides of the threading threshold', async () => {
    setWasmThreads(2, DEFAULT_THREAD_MIN_FLOPS);
    expect(await helperReady()).toBe(true);
    // 2·M·K·N around the threshold, per transpose combo
    const n = Math.round(Math.cbrt(DEFAULT_THREAD_MIN_FLOPS / 2));
    for (const [ta, tb] of combos) {
      for (const d of [-3, -1, 0, 1, 5]) check({ batch: 1, M: n + d, K: n, N: n + 1, ta, tb });
      check({ batch: 4, M: n, K: n, N: n, ta, tb });
      check({ batch: 3, M: n - 1, K: n + 2, N: n, ta, tb });
    }
  });

  it("'auto' times large calls on one and on two threads and keeps using the faster", async () => {
    setWasmThreads('auto', 0);
    expect(await helperReady()).toBe(true);
    for (let i = 0; i < 20; i++) check({ batch: 1, M: 256, K: 256, N: 130, ta: i % 2 === 1, tb: i % 3 === 0 });
    const st = wasmThreadStats();
    expect(Number.isFinite(st.oneThreadMsPerGflop)).toBe(true);
    expect(Number.isFinite(st.twoThreadMsPerGflop)).toBe(true);
    expect(st.largeCalls).toBeGreaterThan(0);
    expect(wasmThreads()).toBe(st.twoThreadMsPerGflop <= st.oneThreadMsPerGflop ? 2 : 1);
  });

  it("'auto' compares each size class with itself and tries the other setting less often while the choice holds", () => {
    setWasmThreads('auto', 0);
    const big = 2 ** 27;
    const small = 2 ** 25;
    /** run `calls` calls of `flops` whose ms per Gflop is `one` on one thread and `two` on two; the threads used */
    const drive = (flops: number, calls: number, one: number, two: number): number[] =>
      Array.from({ length: calls }, () => {
        const { threads, timed } = chooseThreads(flops);
        expect(timed).toBe(true);
        recordThreads(threads, ((threads === 1 ? one : two) * flops) / 1e9, flops);
        return threads;
      });
    // a class measures two threads, then one, then keeps the faster; a class of other products keeps its own
    expect(drive(big, 3, 10, 6)).toEqual([2, 1, 2]);
    expect(drive(small, 3, 10, 12)).toEqual([2, 1, 1]);
    // tries of the other setting at calls 16, 48, 112 of the class (gaps 16, 32, 64) while the choice holds
    const used = drive(big, 200, 10, 6);
    const tries = used.flatMap((t, i) => (t === 1 ? [i + 4] : []));
    expect(tries).toEqual([16, 48, 112]);
    // a try that finds the other setting faster switches to it, and the next try comes AUTO_EXPLORE calls later
    const after = drive(big, 100, 2, 6); // one thread is now faster
    expect(after.slice(-10).every((t) => t === 1)).toBe(true);
    // calls too small to time follow the smallest measured class
    expect(chooseThreads(2 ** 20)).toEqual({ threads: 1, timed: false });
    setWasmThreads('auto', 0);
    drive(big, 20, 10, 5); // settled on two threads, tries due at calls 16, 48
    // one slow call (the helper descheduled mid-chunk) does not flip the choice ...
    const once = Array.from({ length: 12 }, (_, i) => {
      const { threads } = chooseThreads(big);
      recordThreads(threads, ((i === 0 ? 200 : threads === 1 ? 10 : 5) * big) / 1e9, big);
      return threads;
    });
    expect(once).toEqual(Array(12).fill(2));
    // ... a lasting slowdown does, within a few calls ...
    const slow = drive(big, 6, 10, 30);
    expect(slow.slice(0, 2)).toEqual([2, 2]);
    expect(slow.slice(-2)).toEqual([1, 1]);
    // ... and two threads are tried again AUTO_EXPLORE calls after that flip, not at the old schedule
    const back = drive(big, 20, 10, 5);
    const flipped = slow.indexOf(1) - 1; // the call whose time flipped the choice
    expect(slow.length + back.indexOf(2) - flipped).toBe(16);
    expect(back.slice(-3)).toEqual([2, 2, 2]);
    // a class whose products never split (recorded on one thread) keeps asking for two, and is no model for small calls
    setWasmThreads('auto', 0);
    for (let i = 0; i < 5; i++) {
      expect(chooseThreads(small).threads).toBe(2);
      recordThreads(1, (10 * small) / 1e9, small);
    }
    expect(chooseThreads(2 ** 20)).toEqual({ threads: 2, timed: false });
    setWasmThreads('auto', DEFAULT_THREAD_MIN_FLOPS);
  });

  it('with relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd) accumulates with FMA and still matches matmulRef', () => {
    const src = (file: string) => JSON.stringify(new URL(`../src/cpu/${file}`, import.meta.url).href);
    const script = `
      const rt = await import(${src('wasm/runtime.ts')});
      const { wasmMatmul } = await import(${src('wasm/gemm.ts')});
      const { matmulRef } = await import(${src('matmul.ts')});
      let s = 7, worst = 0, n = 0;
      const rand = (k) => Float32Array.from({ length: k }, () => ((s = (Math.imul(s, 1664525) + 1013904223) | 0) >>> 8) / (1 << 23) - 1);
      for (const threads of [1, 2]) {
        rt.setWasmThreads(threads, 0);
        const t = Date.now();
        while (threads === 2 && rt.wasmThreads() < 2 && Date.now() - t < 5000) {}
        for (const [batch, M, K, N] of [[1, 7, 33, 17], [2, 70, 300, 600], [1, 131, 513, 67], [16, 4, 32, 4]])
          for (const [ta, tb] of [[false, false], [true, true]]) {
            const A = rand(batch * M * K), B = rand(batch * K * N);
            const o = new Float32Array(batch * M * N), r = new Float32Array(batch * M * N);
            wasmMatmul(o, A, B, batch, M, K, N, ta, tb);
            matmulRef(r, A, B, batch, M, K, N, ta, tb);
            for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(o[i] - r[i]) / K);
            n++;
          }
      }
      console.log(rt.wasmFma(), n, worst <= 1e-5 ? 'ok' : 'error ' + worst);`;
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('true 16 ok');
  });

  it('the helper thread does not keep the process alive', () => {
    const src = (file: string) => JSON.stringify(new URL(`../src/cpu/wasm/${file}`, import.meta.url).href);
    const script = `
      const rt = await import(${src('runtime.ts')});
      const { wasmMatmul } = await import(${src('gemm.ts')});
      rt.setWasmThreads(2, 0);
      const t = Date.now();
      while (rt.wasmThreads() < 2 && Date.now() - t < 5000) {}
      const a = new Float32Array(64 * 64).fill(1), o = new Float32Array(64 * 64);
      wasmMatmul(o, a, a, 1, 64, 64, 64, false, false);
      console.log(rt.wasmThreads(), o[0], Date.now());`;
    // a process the helper kept alive would run into the timeout (status null); on a loaded machine
    // starting tsx alone can take tens of seconds, so what is timed is only the exit after the last line
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120000 });
    const exited = Date.now();
    expect(r.status).toBe(0);
    const [threads, value, lastLine] = r.stdout.trim().split(' ');
    expect(`${threads} ${value}`).toBe('2 64');
    expect(exited - Number(lastLine)).toBeLessThan(10000);
  });
});
