/**
 * @grokkit/gpujs: a grokkit backend whose primitives are gpu.js kernels — WebGL in browsers;
 * gpu.js's cpu, wasm (webasm) and webgpu (dawn.node) modes in Node; headless-gl where the
 * optional native `gl` package is built.
 */
export { createGpujsBackend, GpujsHandle, type GpujsBackend, type GpujsBackendOptions } from './backend.js';
export { GPUJS_MODES, unavailableReason, type GpujsMode } from './modes.js';
