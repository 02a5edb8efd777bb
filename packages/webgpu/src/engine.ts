/**
 * The command machinery under the backend: buffer allocation through the pool, a pipeline cache
 * keyed by shader source, kernel metadata in one shared buffer (bound at a dynamic offset, so a
 * kernel's bind group does not depend on where its metadata sits), a bind-group cache keyed by
 * layout and buffers (entries dropped when a buffer is destroyed), commands batched into one
 * encoder per `batchSize` kernels (flushed before reads), async readback, and device-lost /
 * out-of-memory / validation errors turned into thrown errors.
 */
import { ElementwiseFuser } from './fusion.js';
import { BufferPool, USAGE, type PoolStats } from './pool.js';

/** Backend storage: a pooled GPU buffer holding `bytes` bytes (4 per element for every dtype). */
export interface GpuHandle {
  readonly buffer: GPUBuffer;
  readonly bytes: number;
  freed: boolean;
}

export interface DispatchSpec {
  /** WGSL source; bindings: 0 = meta, 1.. = inputs, then the output(s). */
  source: string;
  inputs: GPUBuffer[];
  output: GPUBuffer | GPUBuffer[];
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
  /** Kernels recorded per command encoder before it is submitted (default 128). */
  batchSize?: number;
  /**
   * Run elementwise kernels over the same number of elements as one kernel where it is safe
   * (fusion.ts; default true). Off: one dispatch per elementwise op, as recorded.
   */
  fuseElementwise?: boolean;
  /** Bytes of freed buffers kept for reuse (default 512 MiB). */
  maxPooledBytes?: number;
}

/** Counters since the engine was made (`pipelines` and `bindGroupsCached` are current sizes). */
export interface EngineStats extends PoolStats {
  pipelines: number;
  /** queue.submit calls (kernel batches and readbacks). */
  submits: number;
  /** Compute dispatches recorded. */
  dispatches: number;
  /** Bind groups created (a dispatch whose layout and buffers were seen before reuses one). */
  bindGroups: number;
  /** Bind groups held by the cache now. */
  bindGroupsCached: number;
  /** GPU buffers created: pooled storage, staging buffers for reads, the engine's own. */
  buffersCreated: number;
  /** queue.writeBuffer calls: uploads, in-place writes, and one metadata write per batch. */
  writes: number;
  /** Readbacks (mapAsync). */
  reads: number;
}

const META_BYTES = 256 * 1024;
/** Bind groups kept at most (least recently used dropped first). */
const MAX_BIND_GROUPS = 8192;

export class Engine {
  readonly pool: BufferPool;
  /** Collects elementwise kernels into fused ones (null when `fuseElementwise` is off). */
  readonly fuser: ElementwiseFuser | null;
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
  private bindGroupsMade = 0;
  private buffersCreated = 0;
  private writes = 0;
  private reads = 0;
  /** Bind group layouts by `reads:writes` (storage buffers after the metadata), and their pipeline layouts. */
  private readonly layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  private readonly layoutOf = new WeakMap<GPUComputePipeline, string>();
  /** Bind groups by layout, metadata size and buffer ids; `groupKeys` lists each buffer's keys for eviction. */
  private readonly bindGroups = new Map<string, { group: GPUBindGroup; buffers: GPUBuffer[] }>();
  private readonly groupKeys = new Map<GPUBuffer, Set<string>>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 0;

  constructor(
    readonly device: GPUDevice,
    opts: EngineOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 128;
    this.fuser =
      opts.fuseElementwise === false
        ? null
        : new ElementwiseFuser(
            (d) => this.record(d),
            (buf) => this.pool.release(buf),
            device.limits.maxStorageBuffersPerShaderStage,
          );
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
    this.pool = new BufferPool(
      (size, usage) => this.createBuffer(size, usage),
      (buf) => this.destroyBuffer(buf),
      opts.maxPooledBytes ?? 512 * 1024 * 1024,
    );
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
  usable(...buffers: GPUBuffer[]): void {
    if (this.failedAllocations > 0 && buffers.some((b) => this.failed.has(b))) {
      throw new Error('WebGPU: a tensor used here has no storage (its buffer failed to allocate: out of memory); dispose it');
    }
  }

  private createBuffer(size: number, usage: number): GPUBuffer {
    const limit = Math.min(this.device.limits.maxBufferSize, this.device.limits.maxStorageBufferBindingSize);
    if (size > limit) throw new Error(`WebGPU: a buffer of ${size} bytes exceeds this device's limit of ${limit} bytes`);
    this.device.pushErrorScope('out-of-memory');
    const buf = this.device.createBuffer({ size, usage });
    this.buffersCreated++;
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

  /** Destroy a buffer and forget the bind groups that name it. */
  private destroyBuffer(buf: GPUBuffer): void {
    const keys = this.groupKeys.get(buf);
    if (keys) for (const k of [...keys]) this.forgetBindGroup(k);
    buf.destroy();
  }

  private forgetBindGroup(key: string): void {
    const e = this.bindGroups.get(key);
    if (!e) return;
    this.bindGroups.delete(key);
    for (const b of e.buffers) {
      const keys = this.groupKeys.get(b);
      keys?.delete(key);
      if (keys?.size === 0) this.groupKeys.delete(b);
    }
  }

  private bufferId(buf: GPUBuffer): number {
    let id = this.bufferIds.get(buf);
    if (id === undefined) this.bufferIds.set(buf, (id = this.nextBufferId++));
    return id;
  }

  /**
   * The layout every kernel has: binding 0 the metadata (read-only storage at a dynamic offset),
   * then `reads` read-only storage buffers, then `writes` read-write ones (the outputs, then the
   * fault record if the kernel reports faults).
   */
  private layout(reads: number, writes: number): { key: string; group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    const key = `${reads}:${writes}`;
    let l = this.layouts.get(key);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: 4 /* COMPUTE */, buffer: { type: 'read-only-storage', hasDynamicOffset: true } }];
      for (let k = 1; k <= reads; k++) entries.push({ binding: k, visibility: 4, buffer: { type: 'read-only-storage' } });
      for (let k = 1; k <= writes; k++) entries.push({ binding: reads + k, visibility: 4, buffer: { type: 'storage' } });
      const group = this.device.createBindGroupLayout({ entries });
      l = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.layouts.set(key, l);
    }
    return { key, ...l };
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
    // a buffer pending fused kernels read goes to the pool once they are recorded
    if (this.fuser?.released(h.buffer)) return;
    this.pool.release(h.buffer);
  }

  /** Copy host bytes into a new buffer (ordered before every command not yet submitted). */
  upload(data: ArrayBufferView): GpuHandle {
    const h = this.alloc(data.byteLength, true);
    if (data.byteLength > 0) {
      this.device.queue.writeBuffer(h.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      this.writes++;
    }
    return h;
  }

  /** Overwrite a buffer in place: pending commands are submitted first so they see the old contents. */
  write(h: GpuHandle, data: ArrayBufferView): void {
    this.check();
    this.usable(h.buffer);
    this.flush();
    this.device.queue.writeBuffer(h.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    this.writes++;
  }

  private pipeline(source: string, reads: number, writes: number): GPUComputePipeline {
    let p = this.pipelines.get(source);
    if (!p) {
      const layout = this.layout(reads, writes);
      this.device.pushErrorScope('validation');
      const module = this.device.createShaderModule({ code: source });
      p = this.device.createComputePipeline({ layout: layout.pipeline, compute: { module, entryPoint: 'main' } });
      this.layoutOf.set(p, layout.key);
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

  /** Record one compute dispatch into the current batch (after any pending fused kernel writing its inputs). */
  dispatch(d: DispatchSpec): void {
    this.check();
    const outputs = Array.isArray(d.output) ? d.output : [d.output];
    if (this.failedAllocations > 0) this.usable(...d.inputs, ...outputs);
    if (this.fuser) for (const b of d.inputs) this.fuser.flushWriter(b);
    this.record(d, outputs);
  }

  /**
   * Record a dispatch now. Fused kernels come here directly: their buffers were checked when
   * their ops were added, and one that failed to allocate since then makes a validation error
   * that the failed allocation's own error explains (see `settle`).
   */
  private record(d: DispatchSpec, outputs = Array.isArray(d.output) ? d.output : [d.output]): void {
    const metaBytes = Math.max(d.meta.length, 1) * 4;
    if (metaBytes > META_BYTES) throw new Error(`WebGPU: kernel metadata of ${metaBytes} bytes is too large (at most ${META_BYTES})`);
    let offset = Math.ceil(this.metaUsed / this.metaAlign) * this.metaAlign;
    if (offset + metaBytes > META_BYTES) {
      this.submit();
      offset = 0;
    }
    for (let k = 0; k < d.meta.length; k++) this.metaHost[offset / 4 + k] = d.meta[k]!;
    this.metaUsed = offset + metaBytes;
    const writes = d.faults ? [...outputs, this.faultBuffer] : outputs;
    const pipeline = this.pipeline(d.source, d.inputs.length, writes.length);
    const bindGroup = this.bindGroup(pipeline, d.inputs, writes, metaBytes);
    if (d.faults) this.faultsPending = true;
    this.pass ??= this.enc().beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup, [offset]);
    this.pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
    this.dispatches++;
    if (++this.kernels >= this.batchSize) this.submit();
  }

  /** The bind group of a dispatch: cached by layout, metadata size and buffers. */
  private bindGroup(pipeline: GPUComputePipeline, inputs: GPUBuffer[], writes: GPUBuffer[], metaBytes: number): GPUBindGroup {
    const layoutKey = this.layoutOf.get(pipeline)!;
    let key = `${layoutKey}/${metaBytes}`;
    for (const b of inputs) key += `,${this.bufferId(b)}`;
    key += '>';
    for (const b of writes) key += `,${this.bufferId(b)}`;
    const hit = this.bindGroups.get(key);
    if (hit) {
      // most recently used last, so eviction takes the least recently used
      this.bindGroups.delete(key);
      this.bindGroups.set(key, hit);
      return hit.group;
    }
    if (this.bindGroups.size >= MAX_BIND_GROUPS) this.forgetBindGroup(this.bindGroups.keys().next().value!);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.metaBuffer, offset: 0, size: metaBytes } }];
    inputs.forEach((b, k) => entries.push({ binding: k + 1, resource: { buffer: b } }));
    writes.forEach((b, k) => entries.push({ binding: inputs.length + 1 + k, resource: { buffer: b } }));
    const group = this.device.createBindGroup({ layout: this.layouts.get(layoutKey)!.group, entries });
    this.bindGroupsMade++;
    const buffers = [...new Set([...inputs, ...writes])];
    this.bindGroups.set(key, { group, buffers });
    for (const b of buffers) {
      let keys = this.groupKeys.get(b);
      if (!keys) this.groupKeys.set(b, (keys = new Set()));
      keys.add(key);
    }
    return group;
  }

  /** Zero a buffer's first `bytes` bytes (recorded in order with the kernels). */
  clear(buf: GPUBuffer, bytes: number): void {
    this.check();
    this.fuser?.flushTouching(buf);
    this.endPass();
    this.enc().clearBuffer(buf, 0, Math.ceil(bytes / 4) * 4);
  }

  /** Copy `bytes` bytes between buffers (recorded in order with the kernels). */
  copy(src: GPUBuffer, dst: GPUBuffer, bytes: number, srcOffset = 0, dstOffset = 0): void {
    this.check();
    this.usable(src, dst);
    this.fuser?.flushWriter(src);
    this.fuser?.flushTouching(dst);
    this.endPass();
    this.enc().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Record the pending fused kernels and submit everything recorded so far. */
  flush(): void {
    this.fuser?.flushAll();
    this.submit();
  }

  private submit(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.metaUsed > 0) {
      this.device.queue.writeBuffer(this.metaBuffer, 0, this.metaHost.buffer, 0, Math.ceil(this.metaUsed / 4) * 4);
      this.writes++;
    }
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
    this.pool.nextRound();
    const faultsAt = Math.ceil(size / 8) * 8; // mapped ranges start at multiples of 8
    const staging = this.device.createBuffer({ size: withFaults ? faultsAt + 16 : size, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    this.buffersCreated++;
    this.reads++;
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
    return {
      ...this.pool.stats(),
      pipelines: this.pipelines.size,
      submits: this.submits,
      dispatches: this.dispatches,
      bindGroups: this.bindGroupsMade,
      bindGroupsCached: this.bindGroups.size,
      buffersCreated: this.buffersCreated,
      writes: this.writes,
      reads: this.reads,
    };
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
