// The declarations name WebGPU's types (GPUDevice, GPUBuffer, …), which TypeScript's own libs do not
// declare: this directive, kept in dist/index.d.ts, makes every consumer load them from @webgpu/types.
/// <reference types="@webgpu/types" preserve="true" />
/**
 * @grokkit/webgpu: a WebGPU backend for @grokkit/core. Every primitive runs as a WGSL kernel, in
 * browsers through navigator.gpu and in Node through the optional `webgpu` package (dawn.node).
 *
 *   await createWebGPUBackend();   // registers 'webgpu'
 *   setBackend('webgpu');          // or create tensors with { device: 'webgpu' }
 */
export { createWebGPUBackend, webgpuBackendFor, type WebGPUBackend, type WebGPUBackendOptions } from './backend.js';
export type { MatmulTile } from './kernels/matmul.js';
export { probeWebGPU, acquireDevice, describeAdapter, NO_ADAPTER_HELP, type AdapterDescription, type DeviceOptions } from './device.js';
export type { GpuHandle, EngineStats, EngineOptions } from './engine.js';
export type { PoolStats } from './pool.js';
