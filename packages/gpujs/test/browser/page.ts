/**
 * Bundled into the browser test's page: creates the gpujs backend in a WebGL mode (webgl2, or
 * webgl where WebGL2 is missing), trains a small MLP for a few steps on it and on cpu, and
 * returns the losses and what ran, so the test can compare them with cpu in Node. Also runs
 * core's conformance suite on the backend in a given GL mode.
 */
import * as g from '@grokkit/core';
import { compareWithReference, conformanceCases } from '@grokkit/core/testing';
import { createGpujsBackend, unavailableReason, type GpujsMode } from '../../src/index.js';
import { train, type TrainConfig } from './mlp.js';

export interface PageResult {
  requestedMode: GpujsMode;
  /** backend.mode: the gpu.js mode that actually ran. */
  mode: GpujsMode;
  /** Why the page cannot run mode 'webgl2' (empty when it can). */
  webgl2Reason: string;
  renderer: string;
  kernelCount: number;
  /** Where an op's result lives on this backend: the handle's value type (a gpu.js texture class in GL modes). */
  storage: string;
  gpujs: number[];
  /** The same run on core's cpu backend inside the page. */
  cpu: number[];
  ms: number;
}

export interface ConformanceResult {
  mode: GpujsMode;
  cases: number;
  /** 'case: problem' for every case that differs from cpu-reference (empty when all conform). */
  problems: string[];
  kernelCount: number;
  ms: number;
}

/** What the page exposes on globalThis for the test to call. */
export interface PageApi {
  /** Run core's conformance suite on the backend in `mode`. */
  runConformance(mode: 'webgl2' | 'webgl'): Promise<ConformanceResult>;
  /** Train in `mode` (default: 'webgl2' where the page has WebGL2, else 'webgl'). */
  runTraining(cfg: TrainConfig & { mode?: 'webgl2' | 'webgl' }): Promise<PageResult>;
}

/** The few DOM/WebGL members used here (the package compiles without the DOM lib). */
interface GLContext {
  readonly RENDERER: number;
  getExtension(name: 'WEBGL_debug_renderer_info'): { readonly UNMASKED_RENDERER_WEBGL: number } | null;
  getParameter(pname: number): unknown;
}
interface PageDocument {
  createElement(tag: 'canvas'): { getContext(kind: 'webgl2' | 'webgl'): GLContext | null };
}

/** The GL renderer string of `mode`'s context (unmasked where the browser exposes it), for the report. */
function rendererString(mode: GpujsMode): string {
  const { document } = globalThis as unknown as { document: PageDocument };
  const gl = document.createElement('canvas').getContext(mode === 'webgl2' ? 'webgl2' : 'webgl');
  if (!gl) return 'none';
  const dbg = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

(globalThis as unknown as PageApi).runTraining = async (cfg) => {
  const webgl2Reason = (await unavailableReason('webgl2')) ?? '';
  const requestedMode: GpujsMode = cfg.mode ?? (webgl2Reason ? 'webgl' : 'webgl2');
  // no fallback: if the mode cannot run, creating the backend throws and the test fails
  const backend = await createGpujsBackend({ mode: requestedMode });
  const t0 = performance.now();
  const gpujs = await train('gpujs', cfg);
  const ms = performance.now() - t0;
  const kernelCount = backend.kernelCount; // kernels the training steps built
  g.setBackend('gpujs');
  const probe = g.add(g.Tensor.fromHost(new Float32Array([1, 2]), [2], 'float32', 'gpujs'), 1);
  const v = (probe.handle as { value?: object }).value;
  const storage = v ? v.constructor.name : 'none';
  probe.dispose();
  g.setBackend('cpu');
  const cpu = await train('cpu', cfg);
  const result: PageResult = {
    requestedMode, mode: backend.mode, webgl2Reason, renderer: rendererString(backend.mode), kernelCount, storage, gpujs, cpu, ms,
  };
  await backend.destroy();
  return result;
};

(globalThis as unknown as PageApi).runConformance = async (mode) => {
  const backend = await createGpujsBackend({ mode, name: `gpujs-${mode}-conformance` });
  const t0 = performance.now();
  const problems: string[] = [];
  for (const c of conformanceCases) {
    try {
      for (const p of await compareWithReference(c, backend.name)) problems.push(`${c.name}: ${p}`);
    } catch (e) {
      problems.push(`${c.name}: threw ${(e as Error).message}`);
    }
  }
  const result: ConformanceResult = {
    mode: backend.mode, cases: conformanceCases.length, problems, kernelCount: backend.kernelCount, ms: performance.now() - t0,
  };
  await backend.destroy();
  return result;
};
