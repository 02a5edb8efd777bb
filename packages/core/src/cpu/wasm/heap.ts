/**
 * The cpu backend's float32 tensors in the runtime's wasm memory, so that the WebAssembly kernels
 * read their operands and write their results where they are, without copying them in and out.
 *
 * Only where that memory is shared (a SharedArrayBuffer: Node, cross-origin-isolated pages): a
 * shared memory never moves when it grows, so a Float32Array made on it stays valid, and its
 * `buffer` is one of the SharedArrayBuffers the memory has handed out (`addressOf` knows them).
 * Elsewhere, and for arrays under HEAP_MIN_ELEMENTS, tensors keep plain typed arrays and the
 * kernels copy as before.
 *
 * Blocks come from `BlockAllocator` above the runtime's control block and scratch areas. A block
 * goes back when the cpu backend frees the tensor's storage (pool.ts `release`), or, for an array
 * nobody released, when the garbage collector takes the array (a FinalizationRegistry). The kernels'
 * per-call staging area (for operands that live elsewhere, and the small metadata some kernels read)
 * is a block too, kept between calls and replaced by a larger one when a call needs more.
 */
import { grow, getRuntime, MAX_PAGES, PAGE, type Runtime } from './runtime.js';

/** Arrays below this many values stay plain typed arrays (the kernels decline them anyway: vector.ts VECTOR_MIN_ELEMENTS). */
export const HEAP_MIN_ELEMENTS = 1024;
/** Bytes of tensor blocks (live and free) beyond which new tensors get plain arrays; staging may use the rest of the memory. */
export const HEAP_TENSOR_BYTES = 1 << 30;

const ALIGN = 64;
/** x rounded up to a multiple of 64 (the blocks' and staged operands' alignment). */
export const align = (x: number): number => Math.ceil(x / ALIGN) * ALIGN;

/**
 * Allocation of 64-byte-aligned blocks above `base`: a freed block goes on the free list of its
 * size and is handed out again for that size; a request no list answers first merges adjacent
 * free blocks (a free run that reaches the top lowers the top), then takes the smallest free block
 * that holds it (splitting off the rest), else comes from the top. A training step asks for the
 * same sizes every step, so after the first it is served from the lists. Addresses only: the
 * caller owns the memory behind them.
 */
export class BlockAllocator {
  /** free blocks by size (bytes) */
  private readonly free = new Map<number, number[]>();
  private freeTotal = 0;
  /** frees since the free blocks were last merged */
  private dirty = 0;
  /** first byte above every block handed out */
  top: number;

  constructor(
    readonly base: number,
    readonly limit: number,
  ) {
    this.top = align(base);
  }

  /** The address of a block of at least `bytes` (rounded up to 64), or −1 when it would end above `limit`. */
  take(bytes: number): number {
    const size = align(Math.max(bytes, 1));
    const list = this.free.get(size);
    if (list && list.length > 0) {
      this.freeTotal -= size;
      return list.pop()!;
    }
    if (this.dirty > 0) this.merge();
    if (this.freeTotal >= size) {
      let best = -1;
      for (const [s, l] of this.free) if (s >= size && l.length > 0 && (best < 0 || s < best)) best = s;
      if (best > 0) {
        const addr = this.free.get(best)!.pop()!;
        this.freeTotal -= best;
        if (best > size) this.put(addr + size, best - size, false);
        return addr;
      }
    }
    if (this.top + size > this.limit) return -1;
    const addr = this.top;
    this.top += size;
    return addr;
  }

  /** Give back the block at `addr` that `take(bytes)` returned. */
  put(addr: number, bytes: number, fromUser = true): void {
    const size = align(Math.max(bytes, 1));
    const list = this.free.get(size);
    if (list) list.push(addr);
    else this.free.set(size, [addr]);
    this.freeTotal += size;
    if (fromUser) this.dirty++;
  }

  /** Bytes in free blocks. */
  freeBytes(): number {
    return this.freeTotal;
  }

  /** Merge adjacent free blocks; a free run that reaches the top lowers the top. */
  private merge(): void {
    const blocks: [number, number][] = [];
    for (const [s, l] of this.free) for (const a of l) blocks.push([a, s]);
    blocks.sort((x, y) => x[0] - y[0]);
    this.free.clear();
    this.freeTotal = 0;
    this.dirty = 0;
    const runs: [number, number][] = [];
    for (const [a, s] of blocks) {
      const last = runs[runs.length - 1];
      if (last && last[0] + last[1] === a) last[1] += s;
      else runs.push([a, s]);
    }
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === this.top) {
      this.top = last[0];
      runs.pop();
    }
    for (const [a, s] of runs) this.put(a, s, false);
  }
}

interface Heap {
  rt: Runtime;
  blocks: BlockAllocator;
  /** the SharedArrayBuffers this memory has handed out (a new one after each growth) */
  buffers: WeakSet<ArrayBufferLike>;
  /** arrays handed out by heapAlloc and not yet released: their block's byte size */
  live: WeakMap<Float32Array, number>;
  /** gives back the block of an array the garbage collector took without a release */
  registry: FinalizationRegistry<number[]> | null;
  tensorBytes: number;
  staging: { addr: number; bytes: number };
}

let heap: Heap | null | undefined;

function getHeap(): Heap | null {
  if (heap !== undefined) return heap;
  const rt = getRuntime();
  heap = null;
  if (!rt || !rt.shared) return null;
  const h: Heap = {
    rt,
    blocks: new BlockAllocator(rt.dataBase, MAX_PAGES * PAGE),
    buffers: new WeakSet(),
    live: new WeakMap(),
    registry: null,
    tensorBytes: 0,
    staging: { addr: -1, bytes: 0 },
  };
  h.buffers.add(rt.memory.buffer);
  if (typeof FinalizationRegistry !== 'undefined') {
    h.registry = new FinalizationRegistry<number[]>(([addr, bytes]) => {
      h.blocks.put(addr!, bytes!);
      h.tensorBytes -= bytes!;
    });
  }
  heap = h;
  return h;
}

/** Make the memory reach `top` and remember its (possibly new) buffer; false past the maximum. */
function reach(h: Heap, top: number): boolean {
  if (!grow(h.rt, top)) return false;
  h.buffers.add(h.rt.memory.buffer);
  return true;
}

/** A float32 array of n values in the runtime's memory (contents unspecified), or null where tensors do not live there. */
export function heapAlloc(n: number): Float32Array | null {
  if (n < HEAP_MIN_ELEMENTS) return null;
  const h = getHeap();
  if (!h) return null;
  const bytes = align(4 * n);
  if (h.tensorBytes + bytes > HEAP_TENSOR_BYTES) return null;
  const addr = h.blocks.take(bytes);
  if (addr < 0) return null;
  if (!reach(h, addr + bytes)) {
    h.blocks.put(addr, bytes);
    return null;
  }
  const a = new Float32Array(h.rt.memory.buffer, addr, n);
  h.live.set(a, bytes);
  h.tensorBytes += bytes;
  h.registry?.register(a, [addr, bytes], a);
  return a;
}

/** Give back the block of an array heapAlloc returned; false (doing nothing) for any other array. */
export function heapRelease(a: Float32Array): boolean {
  const h = heap;
  if (!h) return false;
  const bytes = h.live.get(a);
  if (bytes === undefined) return false;
  h.live.delete(a);
  h.registry?.unregister(a);
  h.blocks.put(a.byteOffset, bytes);
  h.tensorBytes -= bytes;
  return true;
}

/** The byte address of a's first value in the runtime's memory, or −1 when a lives elsewhere. */
export function addressOf(rt: Runtime, a: ArrayBufferView): number {
  return heap && heap.rt === rt && heap.buffers.has(a.buffer) ? a.byteOffset : -1;
}

/**
 * The address of a per-call area of at least `bytes` in the runtime's memory, valid until the next
 * call asks for one (the kernels are synchronous and never nested); −1 past the memory's maximum.
 * Where tensors do not live in the memory, the area starts at the runtime's data base as before.
 */
export function staging(rt: Runtime, bytes: number): number {
  const h = getHeap();
  if (!h || h.rt !== rt) return grow(rt, rt.dataBase + bytes) ? rt.dataBase : -1;
  const s = h.staging;
  if (s.bytes < bytes) {
    if (s.addr >= 0) h.blocks.put(s.addr, s.bytes);
    const want = align(Math.max(bytes, Math.floor(1.25 * s.bytes), 1 << 20));
    s.addr = h.blocks.take(want);
    s.bytes = s.addr < 0 ? 0 : want;
    if (s.addr < 0 || !reach(h, s.addr + want)) {
      if (s.addr >= 0) h.blocks.put(s.addr, want);
      s.addr = -1;
      s.bytes = 0;
      return -1;
    }
  }
  return s.addr;
}

/**
 * The byte addresses of `inputs` and then of the result in the runtime's memory: arrays that live
 * there (subarrays too) where they are, the others copied into the staging area one after another
 * (64-byte aligned), followed by room for `outElements` values when `out` lives elsewhere (or is
 * null), and then, with `scratchBytes`, the address of that many bytes of scratch. Null when there
 * is no room. `unstage` then copies the result out where it was staged.
 */
export function stage(rt: Runtime, inputs: Float32Array[], out: Float32Array | null, outElements = out ? out.length : 0, scratchBytes = 0): number[] | null {
  const at = inputs.map((a) => addressOf(rt, a));
  const po = out ? addressOf(rt, out) : -1;
  let bytes = (po < 0 ? align(4 * outElements) : 0) + scratchBytes;
  for (let i = 0; i < inputs.length; i++) if (at[i]! < 0) bytes += align(4 * inputs[i]!.length);
  let p = bytes > 0 ? staging(rt, bytes) : 0;
  if (p < 0) return null;
  const f32 = rt.f32;
  for (let i = 0; i < inputs.length; i++) {
    if (at[i]! >= 0) continue;
    at[i] = p;
    f32.set(inputs[i]!, p >> 2);
    p += align(4 * inputs[i]!.length);
  }
  at.push(po >= 0 ? po : p);
  if (scratchBytes > 0) at.push(po >= 0 ? p : p + align(4 * outElements));
  return at;
}

/** Copy the result of a staged call (written at `po`) into `out`, unless it was written there in place. */
export function unstage(rt: Runtime, out: Float32Array, po: number): void {
  if (addressOf(rt, out) !== po) out.set(rt.f32.subarray(po >> 2, (po >> 2) + out.length));
}

/** What the heap holds: bytes of live tensor blocks, bytes in free blocks, and the memory's size. */
export function heapStats(): { tensorBytes: number; freeBytes: number; memoryBytes: number } | null {
  const h = getHeap();
  return h ? { tensorBytes: h.tensorBytes, freeBytes: h.blocks.freeBytes(), memoryBytes: h.rt.memory.buffer.byteLength } : null;
}
