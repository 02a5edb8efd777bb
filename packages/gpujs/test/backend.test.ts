import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tensor, getBackend, grad, ops, tidy } from './helpers.js';
import { onCpu } from '@grokkit/core/backend';
import { createGpujsBackend, unavailableReason, GpujsHandle } from '../src/index.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;

const cpu = await createGpujsBackend({ mode: 'cpu' }); // registered as 'gpujs'

afterEach(() => vi.restoreAllMocks());

describe('storage and dtypes', () => {
  it('stores int32 and bool as float32 values and converts them back on read', async () => {
    const i = Tensor.fromHost(Int32Array.from([-3, 0, 7, 16777215]), [4], 'int32', 'gpujs');
    expect(i.handle).toBeInstanceOf(GpujsHandle);
    expect(await i.data()).toEqual(Int32Array.from([-3, 0, 7, 16777215]));
    const b = ops.lt(i, 1);
    expect(b.dtype).toBe('bool');
    expect(b.dataSync()).toEqual(Uint8Array.from([1, 1, 0, 0]));
    // float → int32 truncates toward zero inside the kernel, as the cpu backend stores it
    const f = Tensor.fromHost(Float32Array.from([-2.7, 2.7, 0.5]), [3], 'float32', 'gpujs');
    expect(ops.cast(f, 'int32').dataSync()).toEqual(Int32Array.from([-2, 2, 0]));
  });

  it('refuses float64 with an error that names the dtype and the way out', () => {
    expect(() => Tensor.fromHost(new Float64Array(3), [3], 'float64', 'gpujs')).toThrow(/float64.*gpu\.js computes in float32.*'cpu' backend/);
  });

  it('handles empty tensors and reductions over empty dims', () => {
    const e = Tensor.fromHost(new Float32Array(0), [0, 3], 'float32', 'gpujs');
    expect(Array.from(ops.sum(e, 0).dataSync())).toEqual([0, 0, 0]);
    expect(ops.add(e, 1).dataSync().length).toBe(0);
  });

  it('range-checks gather indices held on the host, like the cpu backend', () => {
    const x = Tensor.fromHost(new Float32Array(6), [2, 3], 'float32', 'gpujs');
    const idx = Tensor.fromHost(Int32Array.from([0, 3]), [2, 1], 'int32', 'gpujs');
    expect(() => ops.gather(x, 1, idx)).toThrow(/gather: index 3 is out of range for a dim of size 3/);
  });
});

describe('kernels', () => {
  it('builds one kernel per signature and reuses it', () => {
    const b = getBackend('gpujs') as typeof cpu;
    const a = Tensor.fromHost(Float32Array.from([1, 2, 3]), [3], 'float32', 'gpujs');
    ops.mul(a, a).dispose();
    const n = b.kernelCount;
    const y = ops.mul(a, ops.add(a, 1));
    expect(Array.from(y.dataSync())).toEqual([2, 6, 12]);
    expect(b.kernelCount).toBe(n + 1); // the add is new; the mul is cached
    ops.mul(Tensor.fromHost(Float32Array.from([5, 6, 7]), [3], 'float32', 'gpujs'), a);
    expect(b.kernelCount).toBe(n + 1);
  });

  it('computes scatterAdd by looping over the index in-kernel (repeated targets add up)', () => {
    const src = Tensor.fromHost(Float32Array.from([1, 2, 3, 4]), [4], 'float32', 'gpujs');
    const idx = Tensor.fromHost(Int32Array.from([2, 0, 2, 2]), [4], 'int32', 'gpujs');
    const zeros = Tensor.fromHost(new Float32Array(3), [3], 'float32', 'gpujs');
    expect(Array.from(ops.scatterAdd(zeros, 0, idx, src).dataSync())).toEqual([2, 0, 8]);
  });

  it('computes sin and cos to float32 accuracy with the polynomial used on GPUs', async () => {
    await createGpujsBackend({ mode: 'cpu', name: 'gpujs-poly', preciseTrig: true });
    const xs = Float32Array.from({ length: 401 }, (_, i) => (i - 200) * 0.37);
    const x = Tensor.fromHost(xs, [401], 'float32', 'gpujs-poly');
    const s = ops.sin(x).dataSync();
    const c = ops.cos(x).dataSync();
    for (let i = 0; i < xs.length; i++) {
      expect(Math.abs(s[i]! - Math.sin(xs[i]!))).toBeLessThan(2e-6);
      expect(Math.abs(c[i]! - Math.cos(xs[i]!))).toBeLessThan(2e-6);
    }
  });

  it('runs gelu and its derivative as fused kernels, matching the exact formulas', () => {
    const xs = Float32Array.from({ length: 50 }, (_, i) => (i - 25) / 5);
    const x = Tensor.fromHost(xs, [50], 'float32', 'gpujs').requiresGrad_();
    const y = ops.gelu(x);
    expect(y.node?.prim).toBe('gelu'); // one fused kernel, not the composition of erf, mul and add
    const [g] = grad(ops.sum(y), [x]);
    const want = xs.map((v) => 0.5 * v * (1 + erfRef(v / Math.SQRT2)));
    const dwant = xs.map((v) => 0.5 * (1 + erfRef(v / Math.SQRT2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI));
    y.dataSync().forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-5));
    g!.dataSync().forEach((v, i) => expect(Math.abs(v - dwant[i]!)).toBeLessThan(1e-5));
  });
});

describe('excluded primitives run on cpu', () => {
  it('runs an excluded primitive on cpu through readSync, and logs it once', async () => {
    const b = await createGpujsBackend({ mode: 'cpu', name: 'gpujs-nogather', exclude: ['gather'] });
    expect(b.kernels.gather).toBe(onCpu);
    expect(typeof b.kernels.matmul).toBe('function');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const x = Tensor.fromHost(Float32Array.from([10, 20, 30]), [3], 'float32', 'gpujs-nogather');
    const i = Tensor.fromHost(Int32Array.from([2, 2, 0]), [3], 'int32', 'gpujs-nogather');
    expect(Array.from(ops.gather(x, 0, i).dataSync())).toEqual([30, 30, 10]);
    expect(Array.from(ops.gather(x, 0, i).dataSync())).toEqual([30, 30, 10]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/'gpujs-nogather' runs 'gather' on cpu/);
  });
});

const glMissing = await unavailableReason('gpu');
describe('mode selection', () => {
  it.skipIf(glMissing === null)('names what to install when a GL mode is unavailable', async () => {
    await expect(createGpujsBackend({ mode: 'gpu', name: 'gpujs-gl' })).rejects.toThrow(/mode 'gpu' needs WebGL.*'gl' package.*libxi-dev.*fallback: 'cpu'/);
    await expect(createGpujsBackend({ mode: 'headlessgl', name: 'gpujs-gl' })).rejects.toThrow(/npm rebuild gl/);
  });

  it.skipIf(glMissing === null)("falls back to gpu.js's cpu mode when asked, with a warning", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const b = await createGpujsBackend({ mode: 'webgl2', name: 'gpujs-fb', fallback: 'cpu' });
    expect(b.requestedMode).toBe('webgl2');
    expect(b.mode).toBe('cpu');
    expect(String(warn.mock.calls[0]![0])).toMatch(/mode 'webgl2' needs WebGL2.*falling back to gpu\.js cpu mode/);
    const x = Tensor.fromHost(Float32Array.from([1, 2]), [2], 'float32', 'gpujs-fb');
    expect(Array.from(ops.mul(x, x).dataSync())).toEqual([1, 4]);
  });

  it('rejects an unknown mode', async () => {
    await expect(createGpujsBackend({ mode: 'metal' as never })).rejects.toThrow(/unknown mode 'metal'/);
  });
});

const webgpuMissing = await unavailableReason('webgpu');
describe.skipIf(webgpuMissing !== null)('webgpu mode', () => {
  it('keeps results on the device between ops, reads asynchronously and frees buffers', async () => {
    const b = await createGpujsBackend({ mode: 'webgpu', name: 'gpujs-wgpu' });
    expect(b.readSync).toBeUndefined();
    const x = Tensor.fromHost(Float32Array.from([1, 2, 3, 4]), [2, 2], 'float32', 'gpujs-wgpu');
    const { y, mid } = tidy(() => {
      const mid = ops.exp(x);
      return { mid, y: ops.matmul(mid, x) };
    });
    await b.flush();
    const h = mid.handle as GpujsHandle;
    expect(h.value).not.toBeInstanceOf(Float32Array); // a GPU buffer, not host memory
    const e = [1, 2, 3, 4].map(Math.exp);
    const want = [e[0]! * 1 + e[1]! * 3, e[0]! * 2 + e[1]! * 4, e[2]! * 1 + e[3]! * 3, e[2]! * 2 + e[3]! * 4];
    Array.from(await y.data()).forEach((v, i) => expect(Math.abs(v - want[i]!) / want[i]!).toBeLessThan(1e-5));
    expect(() => y.dataSync()).toThrow(/reads asynchronously/);
    mid.dispose();
    await b.flush();
    expect(h.freed).toBe(true);
    expect(h.value).toBeUndefined();
  });
});

/** erf to double precision for the test's expected values (Abramowitz–Stegun would be too loose a yardstick). */
function erfRef(x: number): number {
  let sum = x;
  let term = x;
  for (let n = 1; n < 100; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
