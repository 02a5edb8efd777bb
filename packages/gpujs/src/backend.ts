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
import {
  broadcastStrides, composed, elementwiseFusedKernels, elementwiseKernels, onCpu, registerBackend, sizeOf, stridesOf,
  type Backend, type DType, type Expr, type FusedTable, type Kernel, type KernelTable, type OutputInfo, type Primitive,
  type PrimitiveParams, type TensorInfo, type TypedArray,
} from '@grokkit/core/backend';
import { gpujsDialect } from './dialect.js';
import { cat, gather, linear, matmul, pad, reduction, scatterAdd, strided, kernel, type Plan, type ShapeInfo } from './kernels.js';
import { elementwise, kernelSource, type KernelSource } from './source.js';
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
  /** Primitives to leave to the cpu backend (their kernel-table entries become `onCpu`). Needs a mode with synchronous reads. */
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

function refuseFloat64(what: string, dtype: DType): void {
  if (dtype === 'float64') {
    throw new Error(`gpujs: ${what} is float64, but gpu.js computes in float32; cast to float32 or use the 'cpu' backend for float64 (e.g. gradient checks)`);
  }
}

function refuseFloat64s(op: string, inputs: TensorInfo[], out: OutputInfo): void {
  for (const t of inputs) refuseFloat64(`an input of '${op}'`, t.dtype);
  refuseFloat64(`the output of '${op}'`, out.dtype);
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
  const exclude = options.exclude ?? [];
  // JavaScript (cpu) and WebAssembly (wasm, which calls Math) have accurate sin/cos; GPU drivers may not
  const dialect = gpujsDialect(options.preciseTrig ?? !(mode === 'cpu' || mode === 'wasm'));
  if (exclude.length && queued) throw new Error(`gpujs: 'exclude' needs synchronous reads to run primitives on cpu, which mode 'webgpu' cannot do`);

  const kernels = new Map<string, GpuJsKernel>();
  function kernelFor(src: KernelSource, size: number): GpuJsKernel {
    const key = `${size}:${src.source}`;
    let k = kernels.get(key);
    if (!k) {
      const settings: Record<string, unknown> = { output: [size], pipeline: true, immutable: true, returnType: 'Number', tactic: 'precision' };
      // webgpu fixes each argument's kind at its first call: declare arrays so host arrays and device buffers both bind
      if (queued) {
        const names = Array.from({ length: src.arity }, (_, a) => `x${a}`);
        if (src.params > 0) names.push('xp');
        settings.argumentTypes = Object.fromEntries(names.map((n) => [n, 'Array']));
      }
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

  /** Run `plan` on `inputs` (and the kernel's numeric `params`) into a new handle of `size` elements. */
  function execute(plan: Plan, inputs: GpujsHandle[], size: number, params: readonly number[] = []): GpujsHandle {
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
        const r = k(...args.map(valueOf), ...(params.length ? [Float32Array.from(params)] : []));
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
    kernels: withExcluded(kernelTable(), exclude),
    fused: fusedTable(),
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
  function checkIndices(prim: 'gather' | 'scatterAdd', index: TensorInfo<GpujsHandle>, limit: number): void {
    const v = index.handle.value;
    if (!isHost(v)) return;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (x < 0 || x >= limit || !Number.isInteger(x)) throw new RangeError(`${prim}: index ${x} is out of range for a dim of size ${limit}`);
    }
  }

  /** A kernel that runs the plan `plan` makes for each call (float32 storage only; empty outputs need no kernel). */
  function planned<P extends Primitive>(prim: P, plan: (ins: TensorInfo<GpujsHandle>[], params: PrimitiveParams[P], out: OutputInfo) => Plan): Kernel<P, GpujsHandle> {
    return (ins, params, out) => {
      refuseFloat64s(prim, ins, out);
      const size = sizeOf(out.shape);
      if (size === 0) return execute({ kind: 'fill', value: 0 }, [], 0);
      return execute(plan(ins, params, out), ins.map((t) => t.handle), size);
    };
  }

  /** An elementwise expression over broadcast inputs, compiled with the gpu.js dialect (core's ExprRunner). */
  function runExpression(e: Expr, ins: TensorInfo<GpujsHandle>[], out: OutputInfo, params: readonly number[]): GpujsHandle {
    refuseFloat64s('an elementwise op', ins, out);
    const size = sizeOf(out.shape);
    if (size === 0) return execute({ kind: 'fill', value: 0 }, [], 0);
    const inputs = ins.map((t) => ({ shape: t.shape, strides: broadcastStrides(t.shape, out.shape), dtype: t.dtype }));
    const source = elementwise(e, dialect, inputs, out.shape, out.dtype);
    return execute(kernel(source, ins.map((_, k) => k)), ins.map((t) => t.handle), size, params);
  }

  function kernelTable(): KernelTable<GpujsHandle> {
    const stridesOfInput = (x: ShapeInfo) => stridesOf(x.shape);
    return {
      ...elementwiseKernels(runExpression),
      sum: planned('sum', ([x], _p, out) => reduction('sum', x!, out)),
      max: planned('max', ([x], _p, out) => reduction('max', x!, out)),
      matmul: planned('matmul', ([a], params, out) => matmul(a!, params, out)),
      reshape: planned('reshape', () => kernel(kernelSource(1, ['return x0[i];']), [0])),
      permute: planned('permute', ([x], { perm }, out) => strided(out, perm.map((d) => stridesOfInput(x!)[d]!))),
      expand: planned('expand', ([x], _p, out) => strided(out, broadcastStrides(x!.shape, out.shape))),
      slice: planned('slice', ([x], { starts }, out) => {
        const st = stridesOfInput(x!);
        return strided(out, st, starts.reduce((o, s, d) => o + s * st[d]!, 0));
      }),
      pad: planned('pad', ([x], params, out) => pad(x!, params, out)),
      cat: planned('cat', (ins, params, out) => cat(ins, params, out)),
      gather: planned('gather', ([x, index], params, out) => {
        checkIndices('gather', index!, x!.shape[params.dim]!);
        return gather(x!, index!, params, out);
      }),
      scatterAdd: planned('scatterAdd', ([src, index], params, out) => {
        checkIndices('scatterAdd', index!, params.shape[params.dim]!);
        return scatterAdd(src!, index!, params, out);
      }),
    };
  }

  /**
   * The fused kernels: the elementwise ops from their expressions, linear as the matmul loop plus
   * the bias. The row ops stay compositions: gpu.js has no workgroup memory or barriers, so a
   * fused kernel would recompute its row's statistics for every element (O(n) each).
   */
  function fusedTable(): FusedTable<GpujsHandle> {
    return {
      ...elementwiseFusedKernels(runExpression),
      softmax: composed,
      logSoftmax: composed,
      argmax: composed,
      standardize: composed,
      standardizeGrad: composed,
      linear: (ins, _p, out) => {
        refuseFloat64s('linear', ins, out);
        const [x, w, b] = ins;
        const size = sizeOf(out.shape);
        if (size === 0) return execute({ kind: 'fill', value: 0 }, [], 0);
        return execute(linear(x!, w!, b !== undefined), ins.map((t) => t.handle), size);
      },
    };
  }

  if (options.register !== false) registerBackend(backend);
  return backend;
}

/** The table with the primitives in `exclude` left to the cpu backend. */
function withExcluded<H>(table: KernelTable<H>, exclude: readonly Primitive[]): KernelTable<H> {
  return exclude.length ? { ...table, ...Object.fromEntries(exclude.map((p) => [p, onCpu])) } : table;
}
