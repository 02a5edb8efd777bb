/**
 * The conformance suite as a plain script (no vitest), for machines that carry only a node
 * binary and a bundle (bench/device-check.sh). Prints one JSON line per case and a summary;
 * exits 1 when any case fails.
 */
import { compareWithReference, conformanceCases } from '@grokkit/core/testing';
import { createWebGPUBackend } from '../../src/index.js';

const backend = await createWebGPUBackend();
const t0 = performance.now();
let failed = 0;
for (const c of conformanceCases) {
  let problems: string[];
  try {
    problems = await compareWithReference(c, 'webgpu');
  } catch (e) {
    problems = [`threw: ${(e as Error).message}`];
  }
  if (problems.length) failed++;
  console.log(JSON.stringify({ case: c.name, ok: problems.length === 0, problems }));
}
const a = backend.adapter;
console.log(JSON.stringify({ adapter: `${a.vendor}/${a.architecture}/${a.description}`, cases: conformanceCases.length, failed, seconds: +((performance.now() - t0) / 1000).toFixed(2) }));
backend.destroy();
process.exitCode = failed ? 1 : 0;
