import { afterEach, describe, expect, it, vi } from 'vitest';
import * as g from '../src/index.js';
import { cpuKernels, createCpuBackend, getBackend, onCpu, referenceFused, registerBackend, type Backend, type TypedArray } from '../src/backend-api.js';

afterEach(() => vi.restoreAllMocks());

describe("a backend's explicit entries", () => {
  it('a composed fused entry runs the composition, logged once per backend and op', () => {
    registerBackend(createCpuBackend('cpu-all-composed', { fused: referenceFused }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const x = g.tensor([-1, 0.5, 2], { device: 'cpu-all-composed', requiresGrad: true });
    const a = g.gelu(x);
    const b = g.gelu(x);
    expect(a.node?.prim).toBe('mul'); // the composition, recorded primitive by primitive
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toBe("[grokkit] backend 'cpu-all-composed' runs fused op 'gelu' as its composition of primitives");
    // the default cpu backend has a kernel for it
    expect(g.gelu(g.tensor([-1, 0.5, 2], { requiresGrad: true })).node?.prim).toBe('gelu');
  });

  it('an onCpu kernel entry runs the cpu kernel on the host copies, logged once per backend and primitive', () => {
    const base = getBackend('cpu-reference') as Backend<TypedArray>;
    const uploads: number[] = [];
    registerBackend<TypedArray>({
      ...base,
      name: 'cpu-sum-on-cpu',
      upload: (data) => (uploads.push(data.length), data.slice()),
      kernels: { ...cpuKernels, sum: onCpu },
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const x = g.tensor([[1, 2, 3], [4, 5, 6]], { device: 'cpu-sum-on-cpu' });
    uploads.length = 0;
    expect(Array.from(g.sum(x, 1).dataSync())).toEqual([6, 15]);
    expect(Array.from(g.sum(x, 0).dataSync())).toEqual([5, 7, 9]);
    expect(uploads).toEqual([2, 3]); // each result uploaded back to the backend
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/backend 'cpu-sum-on-cpu' runs 'sum' on cpu \(its kernel table says onCpu\)/);
  });

  it('an onCpu entry needs readSync, and says so', () => {
    const base = getBackend('cpu-reference') as Backend<TypedArray>;
    registerBackend<TypedArray>({ ...base, name: 'cpu-no-read-sync', readSync: undefined, kernels: { ...cpuKernels, sum: onCpu } });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const x = g.tensor([1, 2], { device: 'cpu-no-read-sync' });
    expect(() => g.sum(x)).toThrow("sum: backend 'cpu-no-read-sync' leaves this primitive to cpu but cannot read synchronously");
  });
});
