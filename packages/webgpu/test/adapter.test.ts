/** Telling a software adapter from a hardware one (no GPU needed: the adapters are plain objects). */
import { describe, expect, it } from 'vitest';
import { describeAdapter } from '../src/index.js';

const info = (o: Partial<GPUAdapterInfo>) => ({ vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false, ...o }) as GPUAdapterInfo;

describe('describeAdapter', () => {
  it('a hardware adapter is not software', () => {
    expect(describeAdapter({ info: info({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' }) })).toEqual({
      vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3', software: false,
    });
  });

  it('an adapter that says it is a fallback is software, on its info or (older browsers) on itself', () => {
    expect(describeAdapter({ info: info({ vendor: 'acme', isFallbackAdapter: true }) }).software).toBe(true);
    expect(describeAdapter({ info: info({ vendor: 'acme' }), isFallbackAdapter: true }).software).toBe(true);
  });

  it('SwiftShader, llvmpipe, lavapipe and the Basic Render Driver are software, whatever field names them', () => {
    expect(describeAdapter({ info: info({ vendor: 'google', architecture: 'swiftshader' }) }).software).toBe(true);
    expect(describeAdapter({ info: info({ description: 'llvmpipe (LLVM 15.0.7, 256 bits)' }) }).software).toBe(true);
    expect(describeAdapter({ info: info({ device: 'Lavapipe' }) }).software).toBe(true);
    expect(describeAdapter({ info: info({ description: 'Microsoft Basic Render Driver' }) }).software).toBe(true);
  });

  it('an adapter without info is described with empty strings', () => {
    expect(describeAdapter({ info: undefined as unknown as GPUAdapterInfo })).toEqual({ vendor: '', architecture: '', device: '', description: '', software: false });
  });
});
