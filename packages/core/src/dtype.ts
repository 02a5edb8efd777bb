/** Element types a tensor can hold. `float64` exists on cpu for gradient checks. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The dtypes a parameter can have. */
export type FloatDType = 'float32' | 'float64';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

function unknownDType(op: string, dtype: unknown): Error {
  return new Error(`${op}: unknown dtype ${JSON.stringify(dtype) ?? String(dtype)} (expected one of ${DTYPES.join(', ')})`);
}

/** Throw, naming `op`, unless `dtype` is one of `DTYPES`. */
export function checkDType(op: string, dtype: unknown): DType {
  if (!(DTYPES as readonly unknown[]).includes(dtype)) throw unknownDType(op, dtype);
  return dtype as DType;
}

export function arrayFor(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
    default:
      throw unknownDType('arrayFor', dtype);
  }
}

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/**
 * Throw, naming `op`, unless `v` is an integer that int32 holds. PyTorch raises for out-of-range
 * values ("value cannot be converted to type int32 without overflow") but truncates fractions;
 * here fractions and NaN are refused too, since a JS number carries no integer type to show intent.
 */
export function checkInt32(op: string, v: number, where = ''): number {
  if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
    throw new RangeError(`${op}: value ${v}${where} cannot be int32 (expected an integer in [${INT32_MIN}, ${INT32_MAX}]; use float32, or round first)`);
  }
  return v;
}

/**
 * Copy (and convert) any array-like of numbers into a fresh typed array of `dtype`. Values that
 * int32 cannot hold exactly throw (see `checkInt32`); bool takes truthiness, with NaN true as in PyTorch.
 */
export function toTyped(dtype: DType, values: ArrayLike<number | boolean>, op = 'tensor'): TypedArray {
  const out = arrayFor(dtype, values.length);
  if (dtype === 'bool') {
    for (let i = 0; i < values.length; i++) out[i] = values[i] === 0 || values[i] === false ? 0 : 1;
  } else if (dtype === 'int32') {
    for (let i = 0; i < values.length; i++) out[i] = checkInt32(op, Number(values[i]), values.length > 1 ? ` at index ${i}` : '');
  } else {
    for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
  }
  return out;
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Type promotion between two tensors, as in PyTorch: bool < int32 < float32 < float64. */
export function promote(a: DType, b: DType): DType {
  return DTYPES.indexOf(a) >= DTYPES.indexOf(b) ? a : b;
}

/** The dtype a JS number takes when combined with a tensor of `dtype`. */
export function scalarDType(dtype: DType, value: number | boolean): DType {
  if (typeof value === 'boolean') return dtype;
  if (isFloat(dtype)) return dtype;
  return Number.isInteger(value) ? (dtype === 'bool' ? 'int32' : dtype) : 'float32';
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}
