/**
 * GPU buffers pooled by size class. A freed buffer first goes to `recycled`: commands recorded
 * but not yet submitted may still read it, so only kernels recorded later in the same batch may
 * reuse it. After the batch is submitted it moves to `free`, where uploads (queue.writeBuffer,
 * which runs before any unsubmitted command) may take it too.
 *
 * Training repeats one step's allocations every step. So that its kernels bind the same buffers
 * each time (and their bind groups come from the engine's cache), the pool remembers which buffer
 * the k-th acquisition of each of the last two rounds got (a round ends at each readback, see
 * `nextRound`) and gives the k-th acquisition of this round the same one when it is in the pool:
 * the one from the last round for temporaries, the one from two rounds ago for a tensor replaced
 * every step (a parameter and its next value take turns in two buffers).
 */

// GPUBufferUsage values, spelled out so Node needs no WebGPU globals
export const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, STORAGE: 128 } as const;
const STORAGE_USAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** Round a byte size up to its class: at most 1/8 wasted above 2 KiB, 256-byte steps below. */
export function sizeClass(bytes: number): number {
  const b = Math.max(bytes, 16);
  if (b <= 2048) return Math.ceil(b / 256) * 256;
  const step = 2 ** (Math.floor(Math.log2(b)) - 3);
  return Math.ceil(b / step) * step;
}

export interface PoolStats {
  /** GPU storage buffers that exist (in use + pooled). */
  allocated: number;
  /** Buffers held by live tensors. */
  inUse: number;
  /** Buffers waiting in the pool for reuse. */
  pooled: number;
  allocatedBytes: number;
  pooledBytes: number;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly recycled = new Map<number, GPUBuffer[]>();
  private allocated = 0;
  private allocatedBytes = 0;
  private pooled = 0;
  private pooledBytes = 0;
  /** Buffers that failed to allocate: destroyed when released, never reused. */
  private readonly discarded = new WeakSet<GPUBuffer>();
  /** What the k-th acquisition of this round, the last one and the one before got. */
  private round: GPUBuffer[] = [];
  private last: GPUBuffer[] = [];
  private beforeLast: GPUBuffer[] = [];

  constructor(
    private readonly create: (size: number, usage: number) => GPUBuffer,
    /** Destroys a buffer the pool gives up (the engine also drops bind groups naming it). */
    private readonly destroy: (buf: GPUBuffer) => void,
    /** Pooled bytes above this are destroyed instead of kept. */
    private readonly maxPooledBytes: number,
  ) {}

  /** A buffer of at least `bytes`; `forUpload` takes only buffers no pending command can touch. */
  acquire(bytes: number, forUpload: boolean): GPUBuffer {
    const size = sizeClass(bytes);
    const k = this.round.length;
    const buf = this.take(this.last[k], size, forUpload) ?? this.take(this.beforeLast[k], size, forUpload) ?? this.takeAny(size, forUpload) ?? this.make(size);
    this.round.push(buf);
    return buf;
  }

  /** A round ended (the engine read a buffer back): its acquisitions are the ones to repeat. */
  nextRound(): void {
    this.beforeLast = this.last;
    this.last = this.round;
    this.round = [];
  }

  /** Take `buf` out of the pool if it is there, of class `size`, and allowed for this use. */
  private take(buf: GPUBuffer | undefined, size: number, forUpload: boolean): GPUBuffer | undefined {
    if (!buf || buf.size !== size) return undefined;
    for (const m of forUpload ? [this.free] : [this.recycled, this.free]) {
      const l = m.get(size);
      const i = l ? l.lastIndexOf(buf) : -1;
      if (i < 0) continue;
      l!.splice(i, 1);
      this.pooled--;
      this.pooledBytes -= size;
      return buf;
    }
    return undefined;
  }

  private takeAny(size: number, forUpload: boolean): GPUBuffer | undefined {
    for (const m of forUpload ? [this.free] : [this.recycled, this.free]) {
      const l = m.get(size);
      if (l && l.length > 0) {
        this.pooled--;
        this.pooledBytes -= size;
        return l.pop()!;
      }
    }
    return undefined;
  }

  private make(size: number): GPUBuffer {
    const buf = this.create(size, STORAGE_USAGE);
    this.allocated++;
    this.allocatedBytes += size;
    return buf;
  }

  release(buf: GPUBuffer): void {
    const size = buf.size;
    if (this.discarded.has(buf) || this.pooledBytes + size > this.maxPooledBytes) {
      this.destroy(buf);
      this.allocated--;
      this.allocatedBytes -= size;
      return;
    }
    let l = this.recycled.get(size);
    if (!l) this.recycled.set(size, (l = []));
    l.push(buf);
    this.pooled++;
    this.pooledBytes += size;
  }

  /** Never hand `buf` out again (it failed to allocate): destroyed now if pooled, else when released. */
  discard(buf: GPUBuffer): void {
    this.discarded.add(buf);
    for (const m of [this.free, this.recycled]) {
      const l = m.get(buf.size);
      const k = l ? l.indexOf(buf) : -1;
      if (k < 0) continue;
      l!.splice(k, 1);
      this.pooled--;
      this.pooledBytes -= buf.size;
      this.allocated--;
      this.allocatedBytes -= buf.size;
      this.destroy(buf);
    }
  }

  /** The batch was submitted: recycled buffers are now safe for uploads too. */
  submitted(): void {
    for (const [size, l] of this.recycled) {
      if (l.length === 0) continue;
      let f = this.free.get(size);
      if (!f) this.free.set(size, (f = []));
      f.push(...l);
      l.length = 0;
    }
  }

  /** Destroy every pooled buffer (live tensors keep theirs). */
  trim(): void {
    for (const m of [this.free, this.recycled]) {
      for (const l of m.values()) for (const b of l) {
        this.allocated--;
        this.allocatedBytes -= b.size;
        this.destroy(b);
      }
      m.clear();
    }
    this.pooled = 0;
    this.pooledBytes = 0;
  }

  stats(): PoolStats {
    return {
      allocated: this.allocated,
      inUse: this.allocated - this.pooled,
      pooled: this.pooled,
      allocatedBytes: this.allocatedBytes,
      pooledBytes: this.pooledBytes,
    };
  }
}
