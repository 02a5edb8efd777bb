import { arrayFor, type DType, type TypedArray } from '../dtype.js';
import { fmt, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

const TO_ST: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const FROM_ST: Record<string, DType> = { F32: 'float32', F64: 'float64', I32: 'int32', BOOL: 'bool' };
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/**
 * Serialise named tensors in the safetensors format: an 8-byte little-endian header length, a
 * JSON header (padded with spaces to 8 bytes) with dtype, shape and byte offsets per tensor, then
 * the little-endian data in header order. Works on any backend (reads asynchronously).
 */
export async function saveSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  const datas: [string, Tensor, TypedArray][] = [];
  for (const [k, t] of Object.entries(tensors)) datas.push([k, t, await t.data()]);
  return encode(datas, metadata);
}

/** Synchronous `saveSafetensors` for backends that read synchronously (cpu). */
export function saveSafetensorsSync(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  return encode(
    Object.entries(tensors).map(([k, t]) => [k, t, t.view()]),
    metadata,
  );
}

function encode(datas: [string, Tensor, TypedArray][], metadata: Record<string, string>): Uint8Array {
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new Error(`safetensors: metadata values must be strings, '${k}' is ${typeof v}`);
  }
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [k, t] of datas) {
    if (k === '__metadata__') throw new Error("safetensors: '__metadata__' cannot be a tensor name");
    const n = t.size * BYTES[t.dtype];
    header[k] = { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  for (const [, t, d] of datas) {
    const bytes = new Uint8Array(d.buffer, d.byteOffset, t.size * BYTES[t.dtype]);
    out.set(bytes, pos);
    if (!littleEndian) swapInPlace(out.subarray(pos, pos + bytes.length), BYTES[t.dtype]);
    pos += bytes.length;
  }
  return out;
}

function swapInPlace(b: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < b.length; i += width) b.subarray(i, i + width).reverse();
}

/** Parse a safetensors buffer into tensors (on `device`, default the current backend); validates everything first. */
export function loadSafetensors(bytes: Uint8Array, device?: string): SafetensorsContents {
  const bad = (why: string) => new Error(`safetensors: malformed file (${why})`);
  if (bytes.length < 8) throw bad(`${bytes.length} bytes, need at least 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = view.getBigUint64(0, true);
  if (hlen > BigInt(bytes.length - 8)) throw bad(`header length ${hlen} exceeds the ${bytes.length - 8} bytes that follow`);
  const n = Number(hlen);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw bad(`header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw bad('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const specs: [string, DType, number[], number, number][] = [];
  for (const [k, v] of Object.entries(header)) {
    if (k === '__metadata__') {
      if (!v || typeof v !== 'object') throw bad('__metadata__ is not an object');
      for (const [mk, mv] of Object.entries(v)) {
        if (typeof mv !== 'string') throw bad(`metadata '${mk}' is not a string`);
        metadata[mk] = mv;
      }
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = FROM_ST[String(e?.dtype)];
    if (!dtype) throw bad(`tensor '${k}' has unsupported dtype ${JSON.stringify(e?.dtype)} (supported: F32, F64, I32, BOOL)`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`tensor '${k}' has an invalid shape`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0) || off[0] > off[1] || off[1] > dataLen) {
      throw bad(`tensor '${k}' has invalid data_offsets ${JSON.stringify(off)} for ${dataLen} data bytes`);
    }
    const shape = e.shape as number[];
    if (off[1] - off[0] !== sizeOf(shape) * BYTES[dtype]) {
      throw bad(`tensor '${k}' of shape ${fmt(shape)} ${dtype} needs ${sizeOf(shape) * BYTES[dtype]} bytes, offsets give ${off[1] - off[0]}`);
    }
    specs.push([k, dtype, shape, off[0], off[1]]);
  }
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const tensors: Record<string, Tensor> = {};
  for (const [k, dtype, shape, a, b] of specs) {
    const data = arrayFor(dtype, sizeOf(shape));
    const dst = new Uint8Array(data.buffer);
    dst.set(bytes.subarray(dataStart + a, dataStart + b));
    if (!littleEndian) swapInPlace(dst, BYTES[dtype]);
    tensors[k] = Tensor.fromHost(data, shape, dtype, device);
  }
  return { tensors, metadata };
}
