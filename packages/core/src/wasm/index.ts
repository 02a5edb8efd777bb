/** WebAssembly SIMD kernels for the cpu backend. */
export {
  wasmMatmul, wasmAvailable, wasmThreads, setWasmThreads, wasmThreadStats, shutdownWasmThreads, DEFAULT_THREAD_MIN_FLOPS,
} from './matmul.js';
export { buildGemmModule, defaultGemmConfig, type GemmConfig, type GemmModule } from './gemm-module.js';
