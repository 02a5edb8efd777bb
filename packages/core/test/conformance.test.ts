import { describe, expect, it } from 'vitest';
import { cpuKernels, createCpuBackend, registerBackend } from '../src/backend-api.js';
import { compareWithReference, conformanceCases } from '../src/testing.js';

// The same suite every backend runs; here the default 'cpu' backend (fast kernels) against the
// plain-TypeScript 'cpu-reference'.
describe('cpu conforms to cpu-reference', () => {
  for (const c of conformanceCases) it(c.name, async () => expect(await compareWithReference(c, 'cpu')).toEqual([]));
});

describe('the comparison can fail', () => {
  it('reports a backend whose add kernel is wrong', async () => {
    registerBackend(createCpuBackend('cpu-broken', { kernels: { ...cpuKernels, add: (ins, p, out) => cpuKernels.mul(ins, p, out) } }));
    const add = conformanceCases.find((c) => c.name === 'add same shape')!;
    const problems = await compareWithReference(add, 'cpu-broken');
    expect(problems[0]).toMatch(/^add same shape forward\[0\]: .* vs reference/);
  });
});
