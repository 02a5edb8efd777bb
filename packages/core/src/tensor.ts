/// <reference lib="esnext.disposable" preserve="true" />
import { logOnce, type Backend } from './backend.js';
import { getBackend, currentBackend } from './registry.js';
import { isFloat, type DType, type TypedArray } from './dtype.js';
import type { FusedOp } from './fused-params.js';
import { PRIMITIVE_KINDS, type Primitive, type PrimitiveParams } from './primitives.js';
import { checkSize, fmt, sizeOf, type Shape } from './shape.js';
import * as ops from './ops.js';
import { backward } from './autograd.js';

/** Reference-counted backend storage, shared by tensors that alias it (reshape, detach, assign). */
class Storage {
  refs = 1;
  constructor(
    readonly backend: Backend,
    readonly handle: unknown,
    readonly dtype: DType,
  ) {}
}

/** How a tensor was made: the primitive, its inputs and parameters. Backward walks these. */
export interface Node {
  /** A primitive, or a fused op (which then carries its own `vjp`), or 'expressions' (checked, never recorded). */
  readonly prim: Primitive | FusedOp | 'expressions';
  readonly inputs: readonly Tensor[];
  readonly params: unknown;
  /** A fused op's VJP; primitives use the table in vjp.ts. */
  readonly vjp?: (g: Tensor, inputs: readonly Tensor[], out: Tensor, needs: boolean[]) => (Tensor | null)[];
}

// ---- engine state -------------------------------------------------------------------------

let gradEnabled = true;
let live = 0;
let nextId = 0;
let checkFiniteOn = false;
const scopes: Tensor[][] = [];

/** Number of tensors whose storage has not been disposed (for leak tests). */
export function liveTensors(): number {
  return live;
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run `fn` without recording operations for backward. */
export function noGrad<T>(fn: () => T): T {
  return withGrad(false, fn);
}

/** Run `fn` with recording on or off; restores the previous mode afterwards. */
export function withGrad<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** When on, every float op checks its output for NaN/Inf and throws naming the op (cpu; slow). */
export function setCheckFinite(on: boolean): void {
  checkFiniteOn = on;
}

function collect(x: unknown, out: Set<Tensor>, seen = new Set<unknown>()): void {
  if (x instanceof Tensor) out.add(x);
  else if (x && typeof x === 'object' && !seen.has(x)) {
    seen.add(x);
    for (const v of x instanceof Map ? x.values() : Object.values(x)) collect(v, out, seen);
  }
}

/** All tensors reachable from a value (arrays, plain objects, maps). */
export function tensorsIn(x: unknown): Set<Tensor> {
  const s = new Set<Tensor>();
  collect(x, s);
  return s;
}

/**
 * Run `fn`; dispose every tensor it created except those reachable from its result and those
 * marked with `keep`. Returned tensors belong to the enclosing scope. On error, everything
 * created inside is disposed and the error rethrown.
 */
export function tidy<T>(fn: () => T): T {
  scopes.push([]);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    for (const t of scopes.pop()!) if (!t.kept) t.dispose();
    throw e;
  }
  const scope = scopes.pop()!;
  if (result instanceof Promise) throw new Error('tidy: the function must be synchronous (it returned a Promise)');
  const keepSet = tensorsIn(result);
  for (const t of scope) if (!t.kept && !keepSet.has(t)) t.dispose();
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of keepSet) if (!t.kept) parent.push(t);
  return result;
}

/** Exempt a tensor from disposal by enclosing `tidy` scopes (parameters, optimizer state, leaf gradients). */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  return t;
}

// ---- Tensor ------------------------------------------------------------------------------

export type NestedArray = number | boolean | NestedArray[];

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Gradient accumulated by `backward()` (leaves only). */
  grad: Tensor | null = null;
  /** Whether backward should compute a gradient for this tensor. */
  requiresGrad = false;
  /** The operation that made this tensor, when it was recorded for backward. */
  node: Node | null = null;
  /** Never disposed by `tidy` (see `keep`). */
  kept = false;
  private storage: Storage | null;

  /** @internal use the creation functions (`tensor`, `zeros`, …) instead. */
  constructor(shape: Shape, dtype: DType, storage: Storage) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.storage = storage;
    live++;
    const scope = scopes[scopes.length - 1];
    if (scope) scope.push(this);
  }

  /** @internal wrap host data (of the right dtype and length) as a tensor on `device`. */
  static fromHost(data: TypedArray, shape: Shape, dtype: DType, device: string = currentBackend()): Tensor {
    if (data.length !== sizeOf(shape)) throw new Error(`tensor: ${data.length} values do not fill shape ${fmt(shape)}`);
    const b = getBackend(device);
    return new Tensor(shape, dtype, new Storage(b, b.upload(data, dtype), dtype));
  }

  get device(): string {
    return this._live().backend.name;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  get ndim(): number {
    return this.shape.length;
  }
  get isDisposed(): boolean {
    return this.storage === null;
  }
  /** True when this tensor was not made by a recorded operation. */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** @internal */
  _live(): Storage {
    if (!this.storage) throw new Error(`tensor #${this.id} ${fmt(this.shape)} ${this.dtype} was used after dispose()`);
    return this.storage;
  }

  /** @internal the backend handle (for backends and io). */
  get handle(): unknown {
    return this._live().handle;
  }

  /** Release the storage now (for GPU backends) and stop counting this tensor as live. Idempotent. */
  dispose(): void {
    const s = this.storage;
    if (!s) return;
    this.storage = null;
    live--;
    if (--s.refs === 0) s.backend.free(s.handle, s.dtype);
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A new tensor sharing this one's storage with a different shape (no copy). */
  shareAs(shape: Shape): Tensor {
    const s = this._live();
    s.refs++;
    return new Tensor(shape, this.dtype, s);
  }

  /** Replace this tensor's contents with `src`'s (same shape and dtype); used for in-place parameter updates. */
  assign(src: Tensor): this {
    if (src === this) return this;
    if (src.dtype !== this.dtype || src.shape.length !== this.shape.length || src.shape.some((d, i) => d !== this.shape[i])) {
      throw new Error(`assign: expected ${fmt(this.shape)} ${this.dtype}, got ${fmt(src.shape)} ${src.dtype}`);
    }
    if (src.device !== this.device) throw new Error(`assign: expected a tensor on '${this.device}', got one on '${src.device}'`);
    const s = src._live();
    s.refs++;
    const old = this._live();
    this.storage = s;
    if (--old.refs === 0) old.backend.free(old.handle, old.dtype);
    return this;
  }

  /** A copy of the contents as a typed array (works on every backend). */
  async data(): Promise<TypedArray> {
    const s = this._live();
    return (await s.backend.read(s.handle, this.dtype, this.size)).slice();
  }

  /** A copy of the contents as a typed array, synchronously (cpu and backends that can read synchronously). */
  dataSync(): TypedArray {
    return this.view().slice();
  }

  /** @internal the backend's own array, without a copy, where readable synchronously. Do not mutate. */
  view(): TypedArray {
    const s = this._live();
    if (!s.backend.readSync) throw new Error(`dataSync: backend '${s.backend.name}' reads asynchronously; use await t.data()`);
    return s.backend.readSync(s.handle, this.dtype, this.size);
  }

  /** Nested JS arrays (booleans for bool tensors), synchronously. */
  toArray(): NestedArray {
    const d = this.view();
    const asJs = (v: number) => (this.dtype === 'bool' ? v !== 0 : v);
    const build = (dim: number, off: number): NestedArray => {
      if (dim === this.shape.length) return asJs(d[off]!);
      const n = this.shape[dim]!;
      const step = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, off + i * step));
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: expected a tensor with one element, got shape ${fmt(this.shape)}`);
    return this.view()[0]!;
  }

  toString(): string {
    return `Tensor(${fmt(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  /** Mark this (leaf) tensor as needing a gradient; returns this. */
  requiresGrad_(on = true): this {
    if (on && !isFloat(this.dtype)) throw new Error(`requiresGrad: only float tensors can require grad, got ${this.dtype}`);
    this.requiresGrad = on;
    return this;
  }

  /** Backpropagate from this tensor; gradients accumulate into `.grad` of leaves that require grad. */
  backward(grad?: Tensor | number, opts: { createGraph?: boolean } = {}): void {
    backward(this, grad, opts.createGraph ?? false);
  }

  // ---- methods (thin wrappers over ops.ts) ----
  add(o: Tensor | number) { return ops.add(this, o); }
  sub(o: Tensor | number) { return ops.sub(this, o); }
  mul(o: Tensor | number) { return ops.mul(this, o); }
  div(o: Tensor | number) { return ops.div(this, o); }
  pow(o: Tensor | number) { return ops.pow(this, o); }
  maximum(o: Tensor | number) { return ops.maximum(this, o); }
  minimum(o: Tensor | number) { return ops.minimum(this, o); }
  eq(o: Tensor | number) { return ops.eq(this, o); }
  ne(o: Tensor | number) { return ops.ne(this, o); }
  lt(o: Tensor | number) { return ops.lt(this, o); }
  gt(o: Tensor | number) { return ops.gt(this, o); }
  le(o: Tensor | number) { return ops.le(this, o); }
  ge(o: Tensor | number) { return ops.ge(this, o); }
  neg() { return ops.neg(this); }
  exp() { return ops.exp(this); }
  log() { return ops.log(this); }
  sqrt() { return ops.sqrt(this); }
  rsqrt() { return ops.rsqrt(this); }
  square() { return ops.square(this); }
  abs() { return ops.abs(this); }
  sign() { return ops.sign(this); }
  sin() { return ops.sin(this); }
  cos() { return ops.cos(this); }
  tanh() { return ops.tanh(this); }
  erf() { return ops.erf(this); }
  sigmoid() { return ops.sigmoid(this); }
  relu() { return ops.relu(this); }
  gelu(approximate: 'none' | 'tanh' = 'none') { return ops.gelu(this, approximate); }
  silu() { return ops.silu(this); }
  reciprocal() { return ops.reciprocal(this); }
  clamp(min?: number, max?: number) { return ops.clamp(this, min, max); }
  where(cond: Tensor, other: Tensor | number) { return ops.where(cond, this, other); }
  cast(dtype: DType) { return ops.cast(this, dtype); }
  float() { return ops.cast(this, 'float32'); }
  double() { return ops.cast(this, 'float64'); }
  int() { return ops.cast(this, 'int32'); }
  bool() { return ops.cast(this, 'bool'); }
  sum(dim?: number | number[], keepdim = false) { return ops.sum(this, dim, keepdim); }
  mean(dim?: number | number[], keepdim = false) { return ops.mean(this, dim, keepdim); }
  max(dim?: number | number[], keepdim = false) { return ops.max(this, dim, keepdim); }
  min(dim?: number | number[], keepdim = false) { return ops.min(this, dim, keepdim); }
  var(dim?: number | number[], opts: { correction?: number; keepdim?: boolean } = {}) { return ops.variance(this, dim, opts); }
  std(dim?: number | number[], opts: { correction?: number; keepdim?: boolean } = {}) { return ops.std(this, dim, opts); }
  argmax(dim?: number, keepdim = false) { return ops.argmax(this, dim, keepdim); }
  argmin(dim?: number, keepdim = false) { return ops.argmin(this, dim, keepdim); }
  matmul(o: Tensor) { return ops.matmul(this, o); }
  reshape(...shape: number[] | [number[]]) { return ops.reshape(this, shape.flat()); }
  flatten(start = 0, end = -1) { return ops.flatten(this, start, end); }
  permute(...dims: number[] | [number[]]) { return ops.permute(this, dims.flat()); }
  transpose(d0 = -2, d1 = -1) { return ops.transpose(this, d0, d1); }
  get T() { return ops.transpose(this, -2, -1); }
  unsqueeze(dim: number) { return ops.unsqueeze(this, dim); }
  squeeze(dim?: number | number[]) { return ops.squeeze(this, dim); }
  expand(...shape: number[] | [number[]]) { return ops.expand(this, shape.flat()); }
  slice(dim: number, start: number, end?: number) { return ops.slice(this, dim, start, end); }
  narrow(dim: number, start: number, length: number) { return ops.slice(this, dim, start, start + length); }
  pad(pads: number[]) { return ops.pad(this, pads); }
  gather(dim: number, index: Tensor) { return ops.gather(this, dim, index); }
  scatterAdd(dim: number, index: Tensor, src: Tensor) { return ops.scatterAdd(this, dim, index, src); }
  indexSelect(dim: number, index: Tensor) { return ops.indexSelect(this, dim, index); }
  softmax(dim = -1) { return ops.softmax(this, dim); }
  logSoftmax(dim = -1) { return ops.logSoftmax(this, dim); }
  detach() { return ops.detach(this); }
  clone() { return ops.clone(this); }
}

// ---- applying primitives ---------------------------------------------------------------

/**
 * Run primitive `prim` on `inputs` (all on one device) producing a tensor of `shape`/`dtype`,
 * and record it for backward when grad mode is on, the output is float and an input requires grad.
 * Shapes and dtypes are validated by the caller (ops.ts); kernels trust them.
 */
export function apply<P extends Primitive>(prim: P, inputs: Tensor[], params: PrimitiveParams[P], shape: Shape, dtype: DType): Tensor {
  const device = inputs[0]!.device;
  for (const t of inputs) {
    if (t.device !== device) throw new Error(`${prim}: all inputs must be on one device, got '${device}' and '${t.device}'`);
  }
  checkSize(prim, shape);
  const backend = getBackend(device);
  const out = { shape, dtype };
  let storage: Storage;
  if (prim === 'reshape') {
    // a reshape of contiguous storage is a view: share it
    storage = inputs[0]!._live();
    storage.refs++;
  } else {
    const kernel = backend.kernels[prim];
    const handle = typeof kernel === 'function' ? kernel(inputs.map(info), params, out) : runOnCpu(backend, prim, inputs, params, out);
    storage = new Storage(backend, handle, dtype);
  }
  return record(new Tensor(shape, dtype, storage), { prim, inputs, params });
}

/** @internal wrap a handle a backend just produced as a tensor on `device`. */
export function wrapOutput(device: string, handle: unknown, shape: Shape, dtype: DType): Tensor {
  return new Tensor(shape, dtype, new Storage(getBackend(device), handle, dtype));
}

/** @internal attach `node` to `t` when it should be recorded, and run the finiteness check. */
export function record(t: Tensor, node: Node): Tensor {
  const { prim, inputs } = node;
  const dtype = t.dtype;
  if (gradEnabled && isFloat(dtype) && inputs.some((x) => x.requiresGrad)) {
    t.requiresGrad = true;
    t.node = node;
  }
  // movement and indexing primitives only copy values, so a NaN there came from their input:
  // it is reported by the first op that computes with it
  if (checkFiniteOn && isFloat(dtype) && !MOVES_VALUES.has((PRIMITIVE_KINDS as Record<string, string>)[prim])) {
    const bad = firstNonFinite(t);
    if (bad) {
      const where = inputs.map((x) => `${fmt(x.shape)} ${x.dtype}`).join(', ');
      const fromInput = inputs.findIndex((x) => isFloat(x.dtype) && firstNonFinite(x) !== undefined);
      const got = fromInput < 0 ? '' : ` got ${firstNonFinite(inputs[fromInput]!)!.value} in input ${fromInput} (made outside the checked ops, e.g. by tensor() or before setCheckFinite(true)) and`;
      t.dispose();
      throw new Error(`checkFinite: ${prim}(${where})${got} produced ${bad.value} at flat index ${bad.index}`);
    }
  }
  return t;
}

const MOVES_VALUES = new Set<string | undefined>(['movement', 'indexing']);

function firstNonFinite(t: Tensor): { value: number; index: number } | undefined {
  const d = t.view();
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return { value: d[i]!, index: i };
  return undefined;
}

function info(t: Tensor) {
  return { handle: t.handle, shape: t.shape, dtype: t.dtype };
}

/** A primitive whose kernel-table entry is `onCpu`: the inputs read to the host, the cpu kernel, the result uploaded. */
function runOnCpu<P extends Primitive>(backend: Backend, prim: P, inputs: Tensor[], params: PrimitiveParams[P], out: { shape: Shape; dtype: DType }): unknown {
  logOnce(`${backend.name}:${prim}`, `backend '${backend.name}' runs '${prim}' on cpu (its kernel table says onCpu): inputs are copied to the host and back`);
  if (!backend.readSync) throw new Error(`${prim}: backend '${backend.name}' leaves this primitive to cpu but cannot read synchronously`);
  const cpu = getBackend('cpu');
  const kernel = cpu.kernels[prim];
  if (typeof kernel !== 'function') throw new Error(`${prim}: the 'cpu' backend has no kernel for it (its entry is onCpu)`);
  const ins = inputs.map((t) => ({ handle: backend.readSync!(t.handle, t.dtype, t.size), shape: t.shape, dtype: t.dtype }));
  return backend.upload(kernel(ins, params, out) as TypedArray, out.dtype);
}
