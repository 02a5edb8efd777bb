import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareWithReference, conformanceCases } from '@grokkit/core/testing';
import { createGpujsBackend, unavailableReason, type GpujsMode } from '../src/index.js';

// Without a GPU, Dawn finds an adapter through SwiftShader's Vulkan driver (Debian: chromium-common).
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;

// The suite every backend runs: gpu.js's cpu and wasm modes (always available in Node) and its
// webgpu mode where an adapter answers; skipped with the reason otherwise.
for (const mode of ['cpu', 'wasm', 'webgpu'] as GpujsMode[]) {
  const missing = await unavailableReason(mode);
  if (missing) console.warn(`skipping gpujs ${mode} conformance: ${missing}`);
  describe.skipIf(missing !== null)(`gpujs ${mode} mode conforms to cpu-reference`, async () => {
    if (missing) return;
    const backend = await createGpujsBackend({ mode, name: `gpujs-${mode}` });
    for (const c of conformanceCases) it(c.name, async () => expect(await compareWithReference(c, backend.name)).toEqual([]));
    it('ran gpu.js kernels, not a fallback', () => {
      expect(backend.mode).toBe(mode);
      expect(backend.kernelCount).toBeGreaterThan(40);
    });
  });
}
