/**
 * The gpu.js backend: every primitive as a gpu.js kernel over flat float32 storage.
 *
 * Storage: a `GpujsHandle` holds a host Float32Array (uploads, cpu/wasm results, constant
 * fills) or a device result (a GL texture or a WebGPU buffer from a `pipeline: true` kernel),
 * so outputs stay on the device between ops in GPU modes. int32 and bool are stored as float32
 * values (exact for |v| < 2^24) and converted on read; float64 is refused with an error.
 *
 * Execution: cpu, wasm and the GL modes run kernels synchronously (and can `readSync`). In
 * webgpu mode gpu.js kernel calls return Promises, so ops are queued in program order on one
 * promise chain; `run` returns at once and `read` waits for the queue. Errors raised inside
 * the queue surface when a dependent tensor is read.
 */
import type { Backend, DType, Primitive, PrimitiveParams, Shape, TensorInfo, TypedArray } from '@grokkit/core';
import { registerBackend, registerFusedKernel, sizeOf } from '@grokkit/core';
import { planFor, elementwiseOver, type Plan, type ShapeInfo } from './kernels.js';
import { ELEMENTWISE, type KernelSource } from './source.js';
import { gpujsModeName, loadGpuJs, unavailableReason, type GpujsMode, type GpuJsInstance, type GpuJsKernel } from './modes.js';

/** A device-resident kernel result (GL Texture or WebGPUBufferResult). */
interface DeviceResult {
  toArray(): Float32Array | Promise<Float32Array> | unknown;
  delete(): void;
}
type Value = Float32Array | DeviceResult;

/** Storage of one tensor on the gpujs backend. */
export class GpujsHandle {
  /** The data once computed: host floats or a device result. */
  value: Value | undefined;
  /** Set when the op that makes this handle failed (webgpu mode, where ops run queued). */
  error: unknown;
  freed = false;
  constructor(readonly size: number) {}
}

export interface GpujsBackendOptions {
  /** gpu.js mode (default 'cpu'). */
  mode?: GpujsMode;
  /** Registry name (default 'gpujs'). */
  name?: string;
  /** When the mode cannot run here: 'cpu' runs gpu.js's cpu mode instead (with a warning); default: throw. */
  fallback?: 'cpu';
  /** Primitives to leave to core's cpu fallback (e.g. to compare). Needs a mode with synchronous reads. */
  exclude?: Primitive[];
  /** Compute sin/cos by range reduction + polynomial instead of the built-ins (default: in GPU modes). */
  preciseTrig?: boolean;
  /** Register with core (default true). */
  register?: boolean;
}

export interface GpujsBackend extends Backend<GpujsHandle> {
  /** The gpu.js mode that actually runs (differs from the requested one after a cpu fallback). */
  readonly mode: GpujsMode;
  readonly requestedMode: GpujsMode;
  /** Number of distinct kernels built so far (one per primitive signature). */
  readonly kernelCount: number;
  /** Wait for every queued op (webgpu mode; resolves at once elsewhere). */
  flush(): Promise<void>;
  /** Destroy all kernels and the gpu.js instance. */
  destroy(): Promise<void>;
}

const ALL_PRIMITIVES: readonly Primitive[] = [
  'neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'erf', 'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'eq', 'lt', 'gt',
  'where', 'cast', 'sum', 'max', 'matmul', 'reshape', 'permute', 'expand', 'slice', 'pad', 'cat', 'gather', 'scatterAdd',
];

function refuseFloat64(what: string, dtype: DType): void {
  if (dtype === 'float64') {
    throw new Error(`gpujs: ${what} is float64, but gpu.js computes in float32; cast to float32 or use the 'cpu' backend for float64 (e.g. gradient checks)`);
  }
}

function toFloat32(data: TypedArray): Float32Array {
  return data instanceof Float32Array ? data.slice() : Float32Array.from(data);
}

function fromFloat32(f: Float32Array, dtype: DType, size: number): TypedArray {
  const src = f.length === size ? f : f.subarray(0, size);
  if (dtype === 'float32') return src.slice();
  if (dtype === 'int32') return Int32Array.from(src, (v) => Math.trunc(v));
  return Uint8Array.from(src, (v) => (v !== 0 ? 1 : 0));
}

const isHost = (v: Value | undefined): v is Float32Array => v instanceof Float32Array;

/** Create the gpu.js backend in `mode` (checking that it can run here) and register it with core. */
export async function createGpujsBackend(options: GpujsBackendOptions = {}): Promise<GpujsBackend> {
  const requestedMode = options.mode ?? 'cpu';
  const name = options.name ?? 'gpujs';
  let mode = requestedMode;
  const reason = await unavailableReason(requestedMode);
  if (reason) {
    if (options.fallback !== 'cpu') throw new Error(reason);
    console.warn(`[grokkit] ${reason.split('. ')[0]}; falling back to gpu.js cpu mode as asked ({ fallback: 'cpu' })`);
    mode = 'cpu';
  }
  const { GPU } = await loadGpuJs();
  const gpu: GpuJsInstance = new GPU({ mode: gpujsModeName(mode) });
  const queued = mode === 'webgpu';
  const excluded = new Set(options.exclude ?? []);
  // JavaScript (cpu) and WebAssembly (wasm, which calls Math) have accurate sin/cos; GPU drivers may not
  const preciseTrig = options.preciseTrig ?? !(mode === 'cpu' || mode === 'wasm');
  if (excluded.size && queued) throw new Error(`gpujs: 'exclude' needs synchronous reads for core's cpu fallback, which mode 'webgpu' cannot do`);

  const kernels = new Map<string, GpuJsKernel>();
  function kernelFor(src: KernelSource, size: number): GpuJsKernel {
    const key = `${size}:${src.source}`;
    let k = kernels.get(key);
    if (!k) {
      const settings: Record<string, unknown> = { output: [size], pipeline: true, immutable: true, returnType: 'Number', tactic: 'precision' };
      // webgpu fixes each argument's kind at its first call: declare arrays so host arrays and device buffers both bind
      if (queued) settings.argumentTypes = Object.fromEntries(Array.from({ length: src.arity }, (_, a) => [`x${a}`, 'Array']));
      k = gpu.createKernel(src.source, settings);
      kernels.set(key, k);
    }
    return k;
  }

  // webgpu: one promise chain runs ops (and frees) in program order
  let tail: Promise<void> = Promise.resolve();
  function schedule(task: () => void | Promise<void>): void {
    if (!queued) return void task();
    tail = tail.then(task);
  }

  function valueOf(h: GpujsHandle): Value {
    if (h.error !== undefined) throw h.error;
    if (h.freed) throw new Error('gpujs: a tensor was read after its storage was freed');
    return h.value!;
  }

  /** Run `plan` on `inputs` into a new handle of `size` elements. */
  function execute(plan: Plan, inputs: GpujsHandle[], size: number): GpujsHandle {
    const out = new GpujsHandle(size);
    if (size === 0) {
      out.value = new Float32Array(0);
      return out;
    }
    if (plan.kind === 'fill') {
      out.value = new Float32Array(size).fill(plan.value);
      return out;
    }
    const k = kernelFor(plan.kernel, size);
    const args = plan.inputs.map((i) => inputs[i]!);
    schedule(async () => {
      try {
        const r = k(...args.map(valueOf));
        out.value = (queued ? await r : r) as Value;
      } catch (e) {
        if (!queued) throw e;
        out.error = e;
      }
    });
    return out;
  }

  async function readValue(h: GpujsHandle): Promise<Float32Array> {
    if (queued) await tail;
    const v = valueOf(h);
    if (isHost(v)) return v;
    return (await v.toArray()) as Float32Array;
  }

  const backend: GpujsBackend = {
    name,
    mode,
    requestedMode,
    get kernelCount() {
      return kernels.size;
    },
    upload(data, dtype) {
      refuseFloat64('uploaded data', dtype);
      const h = new GpujsHandle(data.length);
      h.value = toFloat32(data);
      return h;
    },
    async read(h, dtype, size) {
      return fromFloat32(await readValue(h), dtype, size);
    },
    free(h) {
      if (h.freed) return;
      schedule(() => {
        h.freed = true;
        const v = h.value;
        h.value = undefined;
        if (v && !isHost(v)) v.delete();
      });
    },
    supports: (prim) => !excluded.has(prim),
    run<P extends Primitive>(prim: P, inputs: TensorInfo<GpujsHandle>[], params: PrimitiveParams[P], out: { shape: Shape; dtype: DType }) {
      for (const t of inputs) refuseFloat64(`an input of '${prim}'`, t.dtype);
      refuseFloat64(`the output of '${prim}'`, out.dtype);
      const size = sizeOf(out.shape);
      if (prim === 'gather' || prim === 'scatterAdd') checkIndices(prim as 'gather' | 'scatterAdd', inputs, params as PrimitiveParams['gather' | 'scatterAdd']);
      if (size === 0 || inputs.some((t) => sizeOf(t.shape) === 0 && !EMPTY_OK.has(prim))) return execute({ kind: 'fill', value: 0 }, [], size);
      return execute(planFor(prim, inputs, params, out, preciseTrig), inputs.map((t) => t.handle), size);
    },
    async flush() {
      await tail;
    },
    async destroy() {
      await tail;
      for (const k of kernels.values()) k.destroy?.();
      kernels.clear();
      await gpu.destroy();
    },
  };
  if (!queued) {
    backend.readSync = (h, dtype, size) => {
      const v = valueOf(h);
      const f = isHost(v) ? v : (v.toArray() as Float32Array);
      if (!(f instanceof Float32Array)) throw new Error(`gpujs: mode '${mode}' cannot read synchronously`);
      return fromFloat32(f, dtype, size);
    };
  }

  /** gather/scatterAdd: where the index is on the host (cpu, wasm), range-check it as the cpu backend does. */
  function checkIndices(prim: 'gather' | 'scatterAdd', inputs: TensorInfo<GpujsHandle>[], params: PrimitiveParams['gather' | 'scatterAdd']): void {
    const v = inputs[1]!.handle.value;
    if (!isHost(v)) return;
    const limit = prim === 'gather' ? inputs[0]!.shape[params.dim]! : (params as PrimitiveParams['scatterAdd']).shape[params.dim]!;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (x < 0 || x >= limit || !Number.isInteger(x)) throw new RangeError(`${prim}: index ${x} is out of range for a dim of size ${limit}`);
    }
  }

  registerFused(backend, execute);
  if (options.register !== false) registerBackend(backend as Backend);
  return backend;
}

/** Primitives that still produce values when an input is empty (the others give an empty or all-zero output). */
const EMPTY_OK = new Set<Primitive>(['sum', 'max', 'matmul', 'pad', 'cat', 'scatterAdd', 'gather']);

/** The fused composites gpu.js can express, as one elementwise kernel each (float32 only; others decline). */
function registerFused(backend: GpujsBackend, execute: (plan: Plan, inputs: GpujsHandle[], size: number) => GpujsHandle): void {
  const unary = (op: 'gelu' | 'geluDerivative') =>
    registerFusedKernel<null>(op, backend.name, ([x], _p, out) => {
      if (out.dtype !== 'float32' || x!.dtype !== 'float32') return undefined;
      const ins: ShapeInfo[] = [{ shape: x!.shape, dtype: x!.dtype }];
      const plan: Plan = { kind: 'kernel', kernel: elementwiseOver(ELEMENTWISE[op]!, ins, out), inputs: [0] };
      return execute(plan, [x!.handle as GpujsHandle], sizeOf(out.shape));
    });
  unary('gelu');
  unary('geluDerivative');
  registerFusedKernel<{ a: number; b: number }>('axpby', backend.name, ([x, y], { a, b }, out) => {
    if (out.dtype !== 'float32') return undefined;
    const kernel = elementwiseOver({ expr: 'pa * v0 + pb * v1' }, [x!, y!], out, { pa: a, pb: b });
    return execute({ kind: 'kernel', kernel, inputs: [0, 1] }, [x!.handle as GpujsHandle, y!.handle as GpujsHandle], sizeOf(out.shape));
  });
  registerFusedKernel<{ c1: number; c2: number; eps: number }>('adamDirection', backend.name, ([m, v], { c1, c2, eps }, out) => {
    if (out.dtype !== 'float32' || m!.shape.length !== v!.shape.length || m!.shape.some((s, i) => s !== v!.shape[i])) return undefined;
    const kernel = elementwiseOver({ expr: 'v0 / pc1 / (Math.sqrt(v1 / pc2) + peps)' }, [m!, v!], out, { pc1: c1, pc2: c2, peps: eps });
    return execute({ kind: 'kernel', kernel, inputs: [0, 1] }, [m!.handle as GpujsHandle, v!.handle as GpujsHandle], sizeOf(out.shape));
  });
}

export { ALL_PRIMITIVES };
