/**
 * The command machinery under the backend: buffer allocation through the pool, a pipeline cache
 * keyed by shader source, kernel metadata in one shared buffer, commands batched into one encoder
 * per `batchSize` kernels (flushed before reads), async readback, and device-lost / out-of-memory /
 * validation errors turned into thrown errors.
 */
import { BufferPool, USAGE, type PoolStats } from './pool.js';

/** Backend storage: a pooled GPU buffer holding `bytes` bytes (4 per element for every dtype). */
export interface GpuHandle {
  readonly buffer: GPUBuffer;
  readonly bytes: number;
  freed: boolean;
}

export interface DispatchSpec {
  /** WGSL source; bindings: 0 = meta, 1.. = inputs, last = output. */
  source: string;
  inputs: GPUBuffer[];
  output: GPUBuffer;
  /** u32 metadata the shader reads as `meta`. */
  meta: number[];
  groups: [number, number, number];
  /**
   * The kernel may report an index fault: its binding after the output is the engine's fault
   * record (`FAULTS_WGSL`), which the next read or sync checks and turns into a thrown error.
   */
  faults?: boolean;
}

/** Ops whose kernels report index faults, by fault code (1-based). */
export const FAULT_OPS = ['gather', 'scatterAdd'] as const;

/**
 * WGSL for a kernel that reports faults, bound at `binding`: `fault(code, value, size)` keeps the
 * first fault only ([code, value, size]; code 0 = none), as the cpu backend throws at the first.
 */
export function faultsWgsl(binding: number): string {
  return `@group(0) @binding(${binding}) var<storage, read_write> faults: array<atomic<u32>, 4>;
fn fault(code: u32, v: i32, size: u32) {
  loop {
    let r = atomicCompareExchangeWeak(&faults[0], 0u, code);
    if (r.exchanged) {
      atomicStore(&faults[1], bitcast<u32>(v));
      atomicStore(&faults[2], size);
      break;
    }
    if (r.old_value != 0u) { break; }
  }
}`;
}

export interface EngineOptions {
  /** Kernels recorded per command encoder before it is submitted (default 64). */
  batchSize?: number;
  /** Bytes of freed buffers kept for reuse (default 512 MiB). */
  maxPooledBytes?: number;
}

export interface EngineStats extends PoolStats {
  pipelines: number;
  submits: number;
  dispatches: number;
}

const META_BYTES = 64 * 1024;

export class Engine {
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private kernels = 0;
  private readonly batchSize: number;
  private readonly metaHost = new Uint32Array(META_BYTES / 4);
  private metaUsed = 0;
  private readonly metaBuffer: GPUBuffer;
  /** The fault record kernels write to (see `faultsWgsl`), and whether one may have since the last check. */
  private readonly faultBuffer: GPUBuffer;
  private faultsPending = false;
  private readonly metaAlign: number;
  private error: Error | null = null;
  /** An error reported once by the next check (a failed allocation): the device stays usable. */
  private pending: Error | null = null;
  private readonly failed = new WeakSet<GPUBuffer>();
  private failedAllocations = 0;
  private consequence: Error | null = null;
  private lostError: Error | null = null;
  private readonly lostPromise: Promise<never>;
  private scopes: Promise<void>[] = [];
  private submits = 0;
  private dispatches = 0;

  constructor(
    readonly device: GPUDevice,
    opts: EngineOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 64;
    this.metaAlign = device.limits.minStorageBufferOffsetAlignment;
    this.lostPromise = new Promise<never>((_, reject) => {
      void device.lost.then((info) => {
        this.lostError = new Error(`WebGPU: the device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}); create a new backend`);
        reject(this.lostError);
      });
    });
    this.lostPromise.catch(() => {});
    device.addEventListener('uncapturederror', (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      const err = new Error(`WebGPU: ${e.constructor?.name ?? 'error'}: ${e.message}`);
      // a use of a buffer that failed to allocate: the allocation's own error (known once its
      // error scope settles) says it better, so this is only kept when nothing explains it
      if (/invalid due to a previous error/.test(e.message)) this.consequence ??= err;
      else this.error ??= err;
    });
    this.pool = new BufferPool((size, usage) => this.createBuffer(size, usage), opts.maxPooledBytes ?? 512 * 1024 * 1024);
    this.metaBuffer = this.createBuffer(META_BYTES, USAGE.STORAGE | USAGE.COPY_DST);
    this.faultBuffer = this.createBuffer(16, USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC);
  }

  /**
   * Throw the first recorded device error, if any (kept: the device is not trusted after one), or
   * a failed allocation (reported once: the device stays usable).
   */
  check(): void {
    if (this.lostError) throw this.lostError;
    if (this.error) throw this.error;
    const p = this.pending;
    if (p) {
      this.pending = null;
      throw p;
    }
  }

  /** Throw when one of `buffers` is known to have failed to allocate (free until an allocation has failed). */
  private usable(...buffers: GPUBuffer[]): void {
    if (this.failedAllocations > 0 && buffers.some((b) => this.failed.has(b))) {
      throw new Error('WebGPU: a tensor used here has no storage (its buffer failed to allocate: out of memory); dispose it');
    }
  }

  private createBuffer(size: number, usage: number): GPUBuffer {
    const limit = Math.min(this.device.limits.maxBufferSize, this.device.limits.maxStorageBufferBindingSize);
    if (size > limit) throw new Error(`WebGPU: a buffer of ${size} bytes exceeds this device's limit of ${limit} bytes`);
    this.device.pushErrorScope('out-of-memory');
    const buf = this.device.createBuffer({ size, usage });
    this.scopes.push(
      this.device.popErrorScope().then((e) => {
        if (!e) return;
        this.failed.add(buf);
        this.failedAllocations++;
        this.pool.discard(buf);
        this.pending = new Error(`WebGPU: out of memory allocating a buffer of ${size} bytes (${e.message}); the tensor it was for has no storage, the backend stays usable`);
      }),
    );
    if (this.scopes.length > 256) this.settleScopes();
    return buf;
  }

  private settleScopes(): void {
    const s = this.scopes;
    this.scopes = [Promise.all(s).then(() => {})];
  }

  /** A fresh handle; `forUpload` when it will be written with queue.writeBuffer. */
  alloc(bytes: number, forUpload = false): GpuHandle {
    this.check();
    return { buffer: this.pool.acquire(bytes, forUpload), bytes, freed: false };
  }

  release(h: GpuHandle): void {
    if (h.freed) return;
    h.freed = true;
    this.pool.release(h.buffer);
  }

  /** Copy host bytes into a new buffer (ordered before every command not yet submitted). */
  upload(data: ArrayBufferView): GpuHandle {
    const h = this.alloc(data.byteLength, true);
    if (data.byteLength > 0) this.device.queue.writeBuffer(h.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return h;
  }

  /** Overwrite a buffer in place: pending commands are submitted first so they see the old contents. */
  write(h: GpuHandle, data: ArrayBufferView): void {
    this.check();
    this.usable(h.buffer);
    this.flush();
    this.device.queue.writeBuffer(h.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  private pipeline(source: string): GPUComputePipeline {
    let p = this.pipelines.get(source);
    if (!p) {
      this.device.pushErrorScope('validation');
      const module = this.device.createShaderModule({ code: source });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.scopes.push(
        this.device.popErrorScope().then((e) => {
          if (e) this.error ??= new Error(`WebGPU: a generated kernel failed to compile: ${e.message}\n${source}`);
        }),
      );
      this.pipelines.set(source, p);
    }
    return p;
  }

  private enc(): GPUCommandEncoder {
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Record one compute dispatch into the current batch. */
  dispatch(d: DispatchSpec): void {
    this.check();
    if (this.failedAllocations > 0) this.usable(...d.inputs, d.output);
    const metaBytes = Math.max(d.meta.length, 1) * 4;
    let offset = Math.ceil(this.metaUsed / this.metaAlign) * this.metaAlign;
    if (offset + metaBytes > META_BYTES) {
      this.flush();
      offset = 0;
    }
    if (metaBytes > META_BYTES) throw new Error(`WebGPU: kernel metadata of ${metaBytes} bytes is too large`);
    for (let k = 0; k < d.meta.length; k++) this.metaHost[offset / 4 + k] = d.meta[k]!;
    this.metaUsed = offset + metaBytes;
    const pipeline = this.pipeline(d.source);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.metaBuffer, offset, size: metaBytes } }];
    d.inputs.forEach((b, k) => entries.push({ binding: k + 1, resource: { buffer: b } }));
    entries.push({ binding: d.inputs.length + 1, resource: { buffer: d.output } });
    if (d.faults) {
      entries.push({ binding: d.inputs.length + 2, resource: { buffer: this.faultBuffer } });
      this.faultsPending = true;
    }
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    this.pass ??= this.enc().beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
    this.dispatches++;
    if (++this.kernels >= this.batchSize) this.flush();
  }

  /** Zero a buffer's first `bytes` bytes (recorded in order with the kernels). */
  clear(buf: GPUBuffer, bytes: number): void {
    this.check();
    this.endPass();
    this.enc().clearBuffer(buf, 0, Math.ceil(bytes / 4) * 4);
  }

  /** Copy `bytes` bytes between buffers (recorded in order with the kernels). */
  copy(src: GPUBuffer, dst: GPUBuffer, bytes: number, srcOffset = 0, dstOffset = 0): void {
    this.check();
    this.usable(src, dst);
    this.endPass();
    this.enc().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Submit everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.metaUsed > 0) this.device.queue.writeBuffer(this.metaBuffer, 0, this.metaHost.buffer, 0, Math.ceil(this.metaUsed / 4) * 4);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.metaUsed = 0;
    this.kernels = 0;
    this.submits++;
    this.pool.submitted();
  }

  /** Wait for device-side errors of the work so far (allocations, compilation); throw the first. */
  async settle(): Promise<void> {
    const s = this.scopes;
    this.scopes = [];
    await Promise.race([Promise.all(s), this.lostPromise]);
    const c = this.consequence;
    this.consequence = null;
    if (c && this.failedAllocations === 0) this.error ??= c;
    this.check();
  }

  /**
   * Read `bytes` bytes of a buffer back to the host. When a kernel since the last check may have
   * faulted, the fault record is read in the same copy and cleared; a fault is thrown (the data
   * read is discarded), worded as the cpu backend words it.
   */
  async read(buf: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    this.check();
    this.usable(buf);
    if (bytes === 0 && !this.faultsPending) return new ArrayBuffer(0);
    this.flush();
    const size = Math.ceil(bytes / 4) * 4;
    const withFaults = this.faultsPending;
    this.faultsPending = false;
    const faultsAt = Math.ceil(size / 8) * 8; // mapped ranges start at multiples of 8
    const staging = this.device.createBuffer({ size: withFaults ? faultsAt + 16 : size, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    const enc = this.device.createCommandEncoder();
    if (size > 0) enc.copyBufferToBuffer(buf, 0, staging, 0, size);
    if (withFaults) {
      enc.copyBufferToBuffer(this.faultBuffer, 0, staging, faultsAt, 16);
      enc.clearBuffer(this.faultBuffer, 0, 16);
    }
    this.device.queue.submit([enc.finish()]);
    this.submits++;
    try {
      await this.settle();
      await Promise.race([staging.mapAsync(1 /* GPUMapMode.READ */), this.lostPromise]);
      this.check();
      if (withFaults) {
        const [code, value, dimSize] = new Uint32Array(staging.getMappedRange(faultsAt, 16));
        if (code) {
          const op = FAULT_OPS[code - 1] ?? `kernel fault ${code}`;
          throw new RangeError(`${op}: index ${value! | 0} is out of range for a dim of size ${dimSize} (reported by a later read: WebGPU kernels run asynchronously)`);
        }
      }
      return staging.getMappedRange(0, size).slice(0, bytes);
    } finally {
      if (!this.lostError) staging.unmap();
      staging.destroy();
    }
  }

  /** Resolve when the device has finished all submitted work; throw an index fault a kernel reported. */
  async sync(): Promise<void> {
    this.flush();
    await Promise.race([this.device.queue.onSubmittedWorkDone(), this.lostPromise]);
    await this.settle();
    if (this.faultsPending) await this.read(this.faultBuffer, 0);
  }

  stats(): EngineStats {
    return { ...this.pool.stats(), pipelines: this.pipelines.size, submits: this.submits, dispatches: this.dispatches };
  }

  /** Destroy every pooled buffer (after submitting what may still use them). */
  trim(): void {
    this.flush();
    this.pool.trim();
  }

  destroy(): void {
    try {
      this.flush();
    } catch {
      // the device may already be gone
    }
    this.pool.trim();
    this.metaBuffer.destroy();
    this.faultBuffer.destroy();
    this.device.destroy();
  }
}
