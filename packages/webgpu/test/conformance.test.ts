import { afterAll, describe, expect, it } from 'vitest';
import { compareWithReference, conformanceCases } from '@grokkit/core/testing';
import { backend, probe } from './setup.js';

// The suite every backend runs: each case on 'webgpu' against the plain-TypeScript 'cpu-reference'.
describe.skipIf(!probe.ok)(`webgpu conforms to cpu-reference (${probe.ok ? probe.adapter.vendor + '/' + probe.adapter.architecture : 'no adapter'})`, () => {
  afterAll(() => backend?.destroy());
  for (const c of conformanceCases) it(c.name, async () => expect(await compareWithReference(c, 'webgpu')).toEqual([]));
});
