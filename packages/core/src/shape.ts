/** Shape helpers: sizes, strides, broadcasting and dimension normalisation. */
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Numpy broadcasting of any number of shapes; throws naming every shape when they do not broadcast. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = nd - s.length + i;
      const d = s[i]!;
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else throw new Error(`${op}: shapes ${shapes.map(fmt).join(' and ')} do not broadcast (dim ${o - nd}: ${out[o]} vs ${d})`);
    }
  }
  return out;
}

/** Strides to read a tensor of `shape` as if it had `target` shape (0 where broadcast). */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const st = stridesOf(shape);
  const out = new Array<number>(target.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const o = target.length - shape.length + i;
    out[o] = shape[i] === 1 && target[o] !== 1 ? 0 : st[i]!;
  }
  return out;
}

/** Map a possibly negative dim into [0, ndim). */
export function normDim(op: string, dim: number, ndim: number): number {
  if (!Number.isInteger(dim) || dim < -ndim || dim >= Math.max(ndim, 1)) {
    throw new Error(`${op}: dim ${dim} is out of range for a tensor with ${ndim} dims (expected ${-ndim}..${ndim - 1})`);
  }
  return dim < 0 ? dim + ndim : dim;
}

export function normDims(op: string, dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : [...dims];
  const out = list.map((d) => normDim(op, d, ndim));
  if (new Set(out).size !== out.length) throw new Error(`${op}: repeated dim in ${JSON.stringify(list)}`);
  return out.sort((a, b) => a - b);
}

export function checkShape(op: string, shape: Shape): number[] {
  if (!Array.isArray(shape)) throw new Error(`${op}: expected a shape (an array of dims), got ${JSON.stringify(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: invalid shape ${fmt(shape)} (dims must be non-negative integers)`);
  }
  checkSize(op, shape);
  return [...shape];
}

/**
 * The most elements one tensor may hold: 2³¹ − 1, so every flat index fits a signed 32-bit integer
 * (the index arithmetic of the kernels, WebGPU and wasm). A float32 tensor that size is 8 GiB.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Throw, naming `op` and the shape, when a tensor of `shape` would exceed `MAX_ELEMENTS`; call before allocating. */
export function checkSize(op: string, shape: Shape): void {
  const n = sizeOf(shape);
  if (n > MAX_ELEMENTS) {
    throw new RangeError(`${op}: shape ${fmt(shape)} has ${n} elements, over the limit of ${MAX_ELEMENTS} (2^31 - 1) per tensor`);
  }
}

/**
 * Drop size-1 dims and merge neighbours that every stride list reads contiguously, so kernels
 * loop over fewer, longer dims. Returns the iteration shape and the matching stride lists.
 */
export function collapse(shape: Shape, strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, i) => s[d]! * size === outStrides[i]![last])) {
      outShape[last] = outShape[last]! * size;
      strides.forEach((s, i) => (outStrides[i]![last] = s[d]!));
    } else {
      outShape.push(size);
      strides.forEach((s, i) => outStrides[i]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}
