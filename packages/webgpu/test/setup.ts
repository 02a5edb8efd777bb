/** Shared test setup: one WebGPU backend per test file, or a reason to skip. */
import { createWebGPUBackend, probeWebGPU, type WebGPUBackend } from '../src/index.js';

export const probe = await probeWebGPU();
export const skipReason = probe.ok ? '' : `WebGPU tests skipped: ${probe.reason}`;
if (!probe.ok) {
  // CI installs SwiftShader and sets this, so a missing adapter there is a failure, not a skip
  if (process.env.GROKKIT_REQUIRE_WEBGPU) throw new Error(`GROKKIT_REQUIRE_WEBGPU is set but ${skipReason}`);
  console.warn(skipReason);
}

/** The backend, registered as 'webgpu' (null when no adapter is available). */
export const backend: WebGPUBackend | null = probe.ok ? await createWebGPUBackend() : null;
