import { currentBackend } from './registry.js';
import { arrayFor, checkDType, checkInt32, dtypeOfArray, isFloat, toTyped, type DType, type TypedArray } from './dtype.js';
import { defaultGenerator, type Generator } from './random.js';
import { checkShape, checkSize, fmt, sizeOf, type Shape } from './shape.js';
import { Tensor, type NestedArray } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  device?: string;
}

function make(data: TypedArray, shape: Shape, dtype: DType, opts: TensorOptions): Tensor {
  const t = Tensor.fromHost(data, shape, dtype, opts.device ?? currentBackend());
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let x: NestedArray = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0] as NestedArray;
    if (x === undefined) break;
  }
  return shape;
}

function flattenNested(data: NestedArray, shape: number[], dim: number, out: (number | boolean)[]): void {
  if (dim === shape.length) {
    if (Array.isArray(data) || (typeof data !== 'number' && typeof data !== 'boolean')) {
      throw new Error(`tensor: ragged nested array (expected a number at depth ${dim} for shape ${fmt(shape)})`);
    }
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new Error(`tensor: ragged nested array (expected length ${shape[dim]} at depth ${dim} for shape ${fmt(shape)})`);
  }
  for (const v of data) flattenNested(v, shape, dim + 1, out);
}

/**
 * Make a tensor from a number, nested arrays, or a typed/plain flat array with `shape`.
 * Numbers default to float32 (a typed array keeps its own dtype; booleans give bool).
 */
export function tensor(data: NestedArray | TypedArray | readonly number[], opts: TensorOptions & { shape?: Shape } = {}): Tensor {
  let flat: ArrayLike<number | boolean>;
  let shape: number[];
  let dtype = opts.dtype === undefined ? undefined : checkDType('tensor', opts.dtype);
  if (ArrayBuffer.isView(data)) {
    flat = data as TypedArray;
    dtype ??= dtypeOfArray(data as TypedArray);
    shape = checkShape('tensor', opts.shape ?? [flat.length]);
  } else if (opts.shape) {
    shape = checkShape('tensor', opts.shape);
    const vals: (number | boolean)[] = [];
    flattenNested(data as NestedArray, inferShape(data as NestedArray), 0, vals);
    flat = vals;
  } else {
    shape = inferShape(data as NestedArray);
    const vals: (number | boolean)[] = [];
    flattenNested(data as NestedArray, shape, 0, vals);
    flat = vals;
  }
  if (!dtype) dtype = flat.length > 0 && typeof flat[0] === 'boolean' ? 'bool' : 'float32';
  if (flat.length !== sizeOf(shape)) throw new Error(`tensor: ${flat.length} values do not fill shape ${fmt(shape)}`);
  return make(toTyped(dtype, flat), shape, dtype, opts);
}

/** A tensor of `shape` filled with `value`; `op` names the caller in errors. Validates before allocating. */
function filled(op: string, shape: Shape, value: number | boolean, opts: TensorOptions): Tensor {
  const dtype = checkDType(op, opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32'));
  const s = checkShape(op, shape);
  const [v] = toTyped(dtype, [value], op);
  const data = arrayFor(dtype, sizeOf(s));
  data.fill(v!);
  return make(data, s, dtype, opts);
}

export function full(shape: Shape, value: number | boolean, opts: TensorOptions = {}): Tensor {
  return filled('full', shape, value, opts);
}

export function zeros(shape: Shape, opts: TensorOptions = {}): Tensor {
  return filled('zeros', shape, 0, opts);
}

export function ones(shape: Shape, opts: TensorOptions = {}): Tensor {
  return filled('ones', shape, 1, opts);
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return filled('zerosLike', t.shape, 0, { dtype: t.dtype, device: t.device, ...opts });
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return filled('onesLike', t.shape, 1, { dtype: t.dtype, device: t.device, ...opts });
}

/** Values start, start+step, … below end (like torch.arange); int32 when all arguments are integers. */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (![start, end, step].every(Number.isFinite)) throw new Error(`arange: expected finite start, end and step, got ${start}, ${end}, ${step}`);
  if (step === 0) throw new Error('arange: step must be non-zero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  checkSize('arange', [n]);
  const dtype = checkDType('arange', opts.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32'));
  if (dtype === 'int32' && n > 0) {
    checkInt32('arange', start, ' (start)');
    checkInt32('arange', start + (n - 1) * step, ` (the last value, at index ${n - 1})`);
  }
  const data = arrayFor(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return make(data, [n], dtype, opts);
}

export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  const dtype = checkDType('eye', opts.dtype ?? 'float32');
  const s = checkShape('eye', [n, m]);
  const data = arrayFor(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return make(data, s, dtype, opts);
}

export interface RandomOptions extends TensorOptions {
  /** The generator to draw from (default: the global one, see `manualSeed`). */
  rng?: Generator;
}

function floatDType(op: string, opts: TensorOptions): DType {
  const dtype = checkDType(op, opts.dtype ?? 'float32');
  if (!isFloat(dtype)) throw new Error(`${op}: expected a float dtype, got ${dtype}`);
  return dtype;
}

/** Uniform samples in [low, high). */
export function rand(shape: Shape, opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const dtype = floatDType('rand', opts);
  const g = opts.rng ?? defaultGenerator();
  const { low = 0, high = 1 } = opts;
  const s = checkShape('rand', shape);
  const data = arrayFor(dtype, sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * g.uniform();
  return make(data, s, dtype, opts);
}

/** Normal samples with the given mean and std (default standard normal). */
export function randn(shape: Shape, opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const dtype = floatDType('randn', opts);
  const g = opts.rng ?? defaultGenerator();
  const { mean = 0, std = 1 } = opts;
  const s = checkShape('randn', shape);
  const data = arrayFor(dtype, sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * g.normal();
  return make(data, s, dtype, opts);
}

/** Integers uniform in [low, high), int32. */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new Error(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  const dtype = checkDType('randint', opts.dtype ?? 'int32');
  checkInt32('randint', low);
  checkInt32('randint', high - 1);
  const g = opts.rng ?? defaultGenerator();
  const s = checkShape('randint', shape);
  const data = new Int32Array(sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = g.int(low, high);
  return make(dtype === 'int32' ? data : toTyped(dtype, data), s, dtype, opts);
}
