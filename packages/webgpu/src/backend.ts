/**
 * The WebGPU backend: every primitive as a WGSL kernel, plus every fused op core defines.
 * Storage is a pooled GPU buffer of 32-bit words (f32, i32, or u32 0/1 for bool).
 */
import { elementwiseKernels, expressionsFromRunner, registerBackend, type Backend, type DType, type KernelTable, type TypedArray } from '@grokkit/core/backend';
import { acquireDevice, type AdapterDescription, type DeviceOptions } from './device.js';
import { Engine, type EngineOptions, type EngineStats, type GpuHandle } from './engine.js';
import { movementKernels } from './kernels/copy.js';
import { runExpression } from './kernels/elementwise.js';
import { fusedKernels } from './kernels/fused.js';
import { gatherKernel, scatterAddKernel } from './kernels/indexing.js';
import { matmulKernel, type MatmulTile } from './kernels/matmul.js';
import { reduceKernel } from './kernels/reduce.js';
import { storageType } from './kernels/wgsl.js';

export interface WebGPUBackendOptions extends DeviceOptions, EngineOptions {
  /** Use this device instead of requesting one. */
  device?: GPUDevice;
  /** Registry name (default 'webgpu'). */
  name?: string;
  /**
   * Output tile edge of the matmul kernel: 'auto' (default) takes the largest of 128, 64 and 32
   * that still gives a product enough workgroups to fill a GPU.
   */
  matmulTile?: MatmulTile | 'auto';
}

export interface WebGPUBackend extends Backend<GpuHandle> {
  readonly device: GPUDevice;
  /** Vendor / architecture / device / description of the adapter ('' where not reported). */
  readonly adapter: AdapterDescription;
  /** Buffer, pipeline and submission counters (`inUse` counts buffers held by live tensors). */
  stats(): EngineStats;
  /** Submit recorded commands now. */
  flush(): void;
  /** Wait until the GPU has finished all work so far; throws recorded device errors. */
  sync(): Promise<void>;
  /** Destroy pooled buffers (live tensors keep theirs). */
  trim(): void;
  /** Destroy the device; the backend is unusable afterwards. */
  destroy(): void;
}

/** Host array → the 32-bit words stored on the GPU (bool widens to u32). */
function toWords(data: TypedArray, dtype: DType): Float32Array | Int32Array | Uint32Array {
  storageType(dtype, 'upload');
  if (dtype === 'bool') return Uint32Array.from(data as Uint8Array);
  if (dtype === 'float32') return data instanceof Float32Array ? data : Float32Array.from(data);
  return data instanceof Int32Array ? data : Int32Array.from(data);
}

function fromWords(words: ArrayBuffer, dtype: DType): TypedArray {
  if (dtype === 'float32') return new Float32Array(words);
  if (dtype === 'int32') return new Int32Array(words);
  const u = new Uint32Array(words);
  const out = new Uint8Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = u[i] ? 1 : 0;
  return out;
}

/** Make a backend over an existing device (does not register it). */
export function webgpuBackendFor(device: GPUDevice, opts: Omit<WebGPUBackendOptions, 'device'> & { adapter?: AdapterDescription } = {}): WebGPUBackend {
  const engine = new Engine(device, opts);
  const name = opts.name ?? 'webgpu';
  const tile = opts.matmulTile ?? 'auto';
  const expressions = expressionsFromRunner<GpuHandle>((e, ins, out, params) => runExpression(engine, e, ins, out, params));
  const kernels: KernelTable<GpuHandle> = {
    ...elementwiseKernels((e, ins, out, params) => runExpression(engine, e, ins, out, params)),
    sum: ([x], _p, out) => reduceKernel(engine, 'sum', x!, out),
    max: ([x], _p, out) => reduceKernel(engine, 'max', x!, out),
    matmul: (ins, { ta, tb }, out) => matmulKernel(engine, ins, ta, tb, out, tile),
    ...movementKernels(engine),
    gather: (ins, { dim }, out) => gatherKernel(engine, ins, dim, out),
    scatterAdd: (ins, { dim, shape }, out) => scatterAddKernel(engine, ins, dim, shape, out),
  };
  const backend: WebGPUBackend = {
    name,
    device,
    adapter: opts.adapter ?? { vendor: '', architecture: '', device: '', description: '', software: false },
    upload: (data, dtype) => engine.upload(toWords(data, dtype)),
    read: async (h, dtype, size) => {
      if (h.freed) throw new Error(`${name}: read of a freed buffer`);
      return fromWords(await engine.read(h.buffer, size * 4), dtype);
    },
    free: (h) => engine.release(h),
    write: (h, data) => engine.write(h, toWords(data, dtypeOf(data))),
    stats: () => engine.stats(),
    flush: () => engine.flush(),
    sync: () => engine.sync(),
    trim: () => engine.trim(),
    destroy: () => engine.destroy(),
    kernels,
    fused: fusedKernels(engine, tile),
    // each expression one kernel over the same inputs: the elementwise fusion (fusion.ts) groups
    // them, so an optimizer update is a few dispatches for all its parameters
    expressions: (es, ins, params) =>
      // one kernel binds the inputs, its output and the metadata
      ins.length + 2 <= engine.device.limits.maxStorageBuffersPerShaderStage ? expressions(es, ins, params) : undefined,
  };
  return backend;
}

function dtypeOf(data: TypedArray): DType {
  return data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : data instanceof Uint8Array ? 'bool' : 'float64';
}

/**
 * Create the WebGPU backend and register it (as 'webgpu' unless `name` is given): uses
 * `opts.device`, else `navigator.gpu`, else the `webgpu` package in Node. Throws a clear error
 * naming the fix when no adapter is found.
 */
export async function createWebGPUBackend(opts: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  let device = opts.device;
  let adapter: AdapterDescription | undefined;
  if (!device) ({ device, adapter } = await acquireDevice(opts));
  const backend = webgpuBackendFor(device, { ...opts, ...(adapter ? { adapter } : {}) });
  registerBackend(backend);
  return backend;
}
