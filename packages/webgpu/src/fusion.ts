/**
 * Elementwise fusion: elementwise kernels over the same number of elements are not dispatched one
 * by one but collected into a pending group and run as one kernel that computes every op of the
 * group per element, in recording order, and stores every op's output. An op reading an earlier
 * op's output in the group takes the value it computed instead of loading it. An optimizer update
 * (a handful of axpby / mul / Adam-direction ops per parameter) becomes a few dispatches instead of
 * hundreds.
 *
 * An op joins a group when its output is contiguous and each input either has the output's element
 * count (read at the same index) or one element (read at index 0). One group is pending per element
 * count. A group is recorded (dispatched) before anything could observe it out of order:
 * - a kernel outside the group, or an op joining another group, reads one of its outputs;
 * - the engine records a copy or clear, writes a buffer, reads one back, or submits its batch;
 * - it would need more storage bindings than the device allows, or holds `MAX_OPS` ops.
 * A buffer the group reads that is released meanwhile is held back from the pool until the group
 * is recorded (so no later kernel can be handed it and overwrite it first), and an output released
 * meanwhile is not stored at all (later ops of the group still use its value): a chain whose
 * intermediates are freed as it goes stays one kernel. So a group is recorded late only relative
 * to kernels that touch none of its buffers.
 */
import { compileExpr, type DType, type Expr } from '@grokkit/core/backend';
import { wgslDialect } from './kernels/wgsl-dialect.js';
import { entry1d, grid, MATH, storageType, WG } from './kernels/wgsl.js';
import type { DispatchSpec } from './engine.js';

/** An input of a fusable op: a buffer read per element (`full`) or its element 0 broadcast. */
export interface FusableInput {
  buffer: GPUBuffer;
  dtype: DType;
  full: boolean;
}

export interface FusableOp {
  expr: Expr;
  inputs: FusableInput[];
  output: GPUBuffer;
  dtype: DType;
  /** Parameter values, in `paramsOf(expr)` order, as f32 bits. */
  params: number[];
}

/** Ops per fused kernel at most (keeps generated shaders small). */
const MAX_OPS = 48;

/** Where an op's input comes from: an earlier op's value (`op`), or external binding `k`. */
type Source = { op: number } | { binding: number; full: boolean };

class Group {
  readonly ops: FusableOp[] = [];
  readonly sources: Source[][] = [];
  /** External inputs by binding order; the buffer → binding index. */
  readonly reads: GPUBuffer[] = [];
  readonly readTypes: DType[] = [];
  readonly readIndex = new Map<GPUBuffer, number>();
  /** Buffers it reads that were released: back to the pool once it is recorded. */
  readonly held: GPUBuffer[] = [];
  /** Output buffer → the op that writes it (released outputs are dropped: their ops store nothing). */
  readonly writer = new Map<GPUBuffer, number>();
  readonly stored: boolean[] = [];
  private storedCount = 0;
  constructor(readonly n: number) {}

  /** Storage bindings the group's kernel would need with `op` added (the metadata included). */
  bindingsWith(op: FusableOp): number {
    let extra = 1;
    for (const x of op.inputs) if (!this.writer.has(x.buffer) && !this.readIndex.has(x.buffer)) extra++;
    return 1 + this.reads.length + this.storedCount + extra;
  }

  /** The output in `buf` was released: its op keeps computing for later ops but stores nothing. */
  drop(buf: GPUBuffer): void {
    const j = this.writer.get(buf)!;
    this.writer.delete(buf);
    this.stored[j] = false;
    this.storedCount--;
  }

  get outputs(): GPUBuffer[] {
    return this.ops.filter((_, j) => this.stored[j]).map((op) => op.output);
  }

  add(op: FusableOp): void {
    const src: Source[] = op.inputs.map((x) => {
      const w = this.writer.get(x.buffer);
      if (w !== undefined && x.full) return { op: w };
      let b = this.readIndex.get(x.buffer);
      if (b === undefined) {
        b = this.reads.length;
        this.reads.push(x.buffer);
        this.readTypes.push(x.dtype);
        this.readIndex.set(x.buffer, b);
      }
      return { binding: b, full: x.full };
    });
    this.sources.push(src);
    this.writer.set(op.output, this.ops.length);
    this.stored.push(true);
    this.storedCount++;
    this.ops.push(op);
  }

  touches(buf: GPUBuffer): boolean {
    return this.writer.has(buf) || this.readIndex.has(buf);
  }
}

const exprIds = new WeakMap<Expr, number>();
let nextExprId = 0;
const exprId = (e: Expr) => {
  let id = exprIds.get(e);
  if (id === undefined) exprIds.set(e, (id = nextExprId++));
  return id;
};

/** WGSL value type of a dtype: bool and int32 compute in i32. */
const valueType = (d: DType) => (d === 'float32' ? 'f32' : 'i32');

/** The WGSL source of a group's kernel. Metadata: [n, params of op 0, params of op 1, …]. */
function groupSource(g: Group): string {
  const lines = ['@group(0) @binding(0) var<storage, read> md: array<u32>;'];
  g.reads.forEach((_, k) => lines.push(`@group(0) @binding(${k + 1}) var<storage, read> x${k}: array<${storageType(g.readTypes[k]!, 'elementwise')}>;`));
  let binding = g.reads.length + 1;
  g.ops.forEach((op, j) => {
    if (g.stored[j]) lines.push(`@group(0) @binding(${binding++}) var<storage, read_write> y${j}: array<${storageType(op.dtype, 'elementwise')}>;`);
  });
  const body: string[] = ['if (i >= md[0]) { return; }'];
  let paramAt = 1;
  g.ops.forEach((op, j) => {
    const names = g.sources[j]!.map((s, k) => {
      if ('op' in s) return `r${s.op}`;
      const name = `a${j}_${k}`;
      const load = `x${s.binding}[${s.full ? 'i' : '0u'}]`;
      body.push(`let ${name} = ${g.readTypes[s.binding] === 'bool' ? `i32(${load})` : load};`);
      return name;
    });
    const at = paramAt;
    const c = compileExpr(op.expr, wgslDialect, {
      inputs: names,
      dtypes: op.inputs.map((x) => x.dtype),
      param: (_, k) => `bitcast<f32>(md[${at + k}])`,
      prefix: `t${j}_`,
    });
    paramAt += op.params.length;
    body.push(...c.statements, `let r${j}: ${valueType(op.dtype)} = ${c.value};`);
    if (g.stored[j]) body.push(`y${j}[i] = ${op.dtype === 'bool' ? `select(0u, 1u, r${j} != 0i)` : `r${j}`};`);
  });
  return `${lines.join('\n')}
${MATH}
${entry1d()}
  ${body.join('\n  ')}
}`;
}

export class ElementwiseFuser {
  /** Pending groups by element count (a handful at a time). */
  private readonly groups = new Map<number, Group>();
  private readonly sources = new Map<string, string>();
  /** Released buffers held back from the pool: how many pending groups still read each. */
  private readonly holds = new Map<GPUBuffer, number>();

  constructor(
    /** Records a dispatch (the engine's, bypassing the fuser's checks). */
    private readonly record: (d: DispatchSpec) => void,
    /** Returns a buffer to the pool. */
    private readonly free: (buf: GPUBuffer) => void,
    /** Storage buffers one kernel may bind. */
    private readonly maxBindings: number,
  ) {}

  /** Add an op (the caller checked it is fusable: contiguous output, inputs full or one element). */
  add(op: FusableOp, n: number): void {
    // inputs that another pending group writes: that group is recorded first
    for (const x of op.inputs) for (const o of this.groups.values()) if (o.n !== n && o.writer.has(x.buffer)) this.flushGroup(o);
    let g = this.groups.get(n);
    if (g && (g.ops.length >= MAX_OPS || g.bindingsWith(op) > this.maxBindings)) {
      this.flushGroup(g);
      g = undefined;
    }
    if (!g) this.groups.set(n, (g = new Group(n)));
    g.add(op);
  }

  /** Record every pending group that reads or writes `buf` (before it is overwritten). */
  flushTouching(buf: GPUBuffer): void {
    for (const g of this.groups.values()) if (g.touches(buf)) this.flushGroup(g);
  }

  /**
   * `buf`'s tensor is gone. When pending groups read it, the fuser keeps it until they are
   * recorded and returns true (the caller must not pool it); a group that would write it stores
   * nothing there instead.
   */
  released(buf: GPUBuffer): boolean {
    let readers = 0;
    for (const g of this.groups.values()) {
      if (g.readIndex.has(buf)) {
        g.held.push(buf);
        readers++;
      } else if (g.writer.has(buf)) g.drop(buf);
    }
    if (readers > 0) this.holds.set(buf, readers);
    return readers > 0;
  }

  /** Record the pending group that writes `buf`, if any (before a kernel outside it reads `buf`). */
  flushWriter(buf: GPUBuffer): void {
    for (const g of this.groups.values()) if (g.writer.has(buf)) this.flushGroup(g);
  }

  flushAll(): void {
    for (const g of this.groups.values()) this.flushGroup(g);
  }

  private flushGroup(g: Group): void {
    if (this.groups.get(g.n) !== g) return;
    this.groups.delete(g.n);
    try {
      this.recordGroup(g);
    } finally {
      for (const b of g.held) {
        const left = this.holds.get(b)! - 1;
        if (left > 0) this.holds.set(b, left);
        else {
          this.holds.delete(b);
          this.free(b);
        }
      }
    }
  }

  private recordGroup(g: Group): void {
    const outputs = g.outputs;
    if (outputs.length === 0) return; // every output was released: nothing to compute
    const meta = [g.n];
    for (const op of g.ops) meta.push(...op.params);
    let signature = '';
    g.ops.forEach((op, j) => {
      signature += `${exprId(op.expr)}:${op.dtype}${g.stored[j] ? '' : '-'}(`;
      for (const s of g.sources[j]!) signature += 'op' in s ? `r${s.op},` : `x${s.binding}${s.full ? '' : 's'}:${g.readTypes[s.binding]},`;
      signature += ')';
    });
    let source = this.sources.get(signature);
    if (!source) this.sources.set(signature, (source = groupSource(g)));
    this.record({
      source,
      inputs: g.reads,
      output: outputs,
      meta,
      groups: [...grid(Math.ceil(g.n / WG)), 1],
    });
  }
}
