/** Shape helpers for building kernel metadata (contiguous row-major storage). */

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let a = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    st[d] = a;
    a *= shape[d]!;
  }
  return st;
}

/** Strides that read `shape` (right-aligned) as if broadcast to `to`: 0 along broadcast dims. */
export function broadcastStrides(shape: readonly number[], to: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = to.length - shape.length;
  return to.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : st[d - off]!));
}

/**
 * Drop size-1 dims and merge neighbours that every stride list reads contiguously, so kernels
 * index fewer dims. Returns the iteration shape and the matching stride lists.
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
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
