/**
 * Core's three surfaces as a user's project resolves them (package exports, built files): the root
 * is what a user trains with, `/backend` what a kernel author needs, `/testing` the gradient
 * check and the conformance suite. And core has no import side effects: a bundle that tree-shakes
 * by `"sideEffects": false` still has both cpu backends and the fused kernels.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('core surfaces', () => {
  it('@grokkit/core/testing has the gradient check and the conformance suite', async () => {
    const testing = await import('@grokkit/core/testing');
    expect(typeof testing.gradcheck).toBe('function');
    expect(typeof testing.compareWithReference).toBe('function');
    expect(testing.conformanceCases.length).toBeGreaterThan(50);
    expect(typeof testing.setFusion).toBe('function');
  });

  it('@grokkit/core/backend has the tables, their markers, the expression language and the registry', async () => {
    const backend = await import('@grokkit/core/backend');
    for (const name of ['registerBackend', 'elementwiseKernels', 'elementwiseFusedKernels', 'compileExpr', 'createCpuBackend', 'wasmThreadStats', 'setWasmThreads']) {
      expect(typeof (backend as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(backend.onCpu.entry).toBe('onCpu');
    expect(backend.composed.entry).toBe('composed');
    expect(backend.ex.add(backend.ex.input(0), 1).kind).toBe('apply');
  });

  it('the root no longer exports the internals', async () => {
    const root: Record<string, unknown> = await import('@grokkit/core');
    const internals = [
      'apply', 'vjps', 'sumTo', 'gradcheck', 'conformanceCases', 'compareWithReference', 'setFusion', 'defineFused', 'registerFusedKernel',
      'registerBackend', 'createCpuBackend', 'cpuKernels', 'adamDirection', 'wasmThreadStats', 'wasmThreads', 'setWasmThreads',
      'wasmAvailable', 'shutdownWasmThreads', 'broadcastStrides', 'collapse', 'stridesOf',
    ];
    expect(internals.filter((name) => name in root)).toEqual([]);
    // what a user trains with is still there, and axpby, the documented one-pass update for filter and optimizer authors
    for (const name of ['tensor', 'Tensor', 'grad', 'tidy', 'Optimizer', 'adamw', 'setBackend', 'listBackends', 'axpby']) expect(name in root, name).toBe(true);
  });
});

describe('no import side effects', () => {
  const entry = `
import { gelu, linear, listBackends, softmax, tensor } from '@grokkit/core';
const x = tensor([[-1, 0, 2]], { requiresGrad: true });
const y = gelu(x);
const s = softmax(x);
const l = linear(x, tensor([[1, 1, 1]]), tensor([0.5]));
console.log(JSON.stringify({ backends: listBackends(), prims: [y.node.prim, s.node.prim, l.node.prim], y: Array.from(y.dataSync()), l: l.item() }));
`;

  it('a tree-shaken bundle of the root runs, with both cpu backends and the fused kernels', async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'grokkit-bundle-')), 'out.mjs');
    await build({ stdin: { contents: entry, resolveDir: examples, loader: 'js' }, bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'silent' });
    const result = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }).trim().split('\n').pop()!);
    expect(result.backends).toEqual(expect.arrayContaining(['cpu', 'cpu-reference']));
    expect(result.prims).toEqual(['gelu', 'softmax', 'linear']);
    expect(result.y[0]).toBeCloseTo(-0.15865525, 6);
    expect(result.y[2]).toBeCloseTo(1.95449974, 6);
    expect(result.l).toBeCloseTo(1.5, 6);
  });

  it('the root bundles for a browser (no Node built-ins imported)', async () => {
    const r = await build({ stdin: { contents: entry, resolveDir: examples, loader: 'js' }, bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
    expect(r.errors).toEqual([]);
    expect(r.outputFiles[0]!.text).not.toMatch(/from ["']node:/);
  });
});
