import { arrayFor, type DType, type TypedArray } from '../dtype.js';
import { MAX_ELEMENTS, fmt, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { crc32 } from './crc32.js';

const TO_ST: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const FROM_ST: Record<string, DType> = Object.assign(Object.create(null), { F32: 'float32', F64: 'float64', I32: 'int32', BOOL: 'bool' });
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const ENTRY_KEYS = ['data_offsets', 'dtype', 'shape'];

/**
 * The metadata key of the optional checksum: `crc32:` and eight lowercase hex digits, the CRC-32
 * of the whole file as written with those eight digits set to `0`. It covers the header too, so
 * an edited shape, dtype, offset or metadata value is caught as well as a flipped data byte.
 */
export const CHECKSUM_KEY = 'checksum';
const CHECKSUM_PLACEHOLDER = 'crc32:00000000';

export interface SafetensorsContents {
  /** Tensors by name (a map without a prototype, so any name is an ordinary key). */
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

export interface SaveSafetensorsOptions {
  /** Write a CRC-32 of the file into the metadata (see `CHECKSUM_KEY`); `loadSafetensors` verifies it. Default false. */
  checksum?: boolean;
}

/**
 * Serialise named tensors in the safetensors format: an 8-byte little-endian header length, a
 * JSON header (padded with spaces to 8 bytes) with dtype, shape and byte offsets per tensor, then
 * the little-endian data in header order. Works on any backend (reads asynchronously).
 */
export async function saveSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}, opts: SaveSafetensorsOptions = {}): Promise<Uint8Array> {
  const datas: [string, Tensor, TypedArray][] = [];
  for (const [k, t] of Object.entries(tensors)) datas.push([k, t, await t.data()]);
  return encode(datas, metadata, opts);
}

/** Synchronous `saveSafetensors` for backends that read synchronously (cpu). */
export function saveSafetensorsSync(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}, opts: SaveSafetensorsOptions = {}): Uint8Array {
  return encode(
    Object.entries(tensors).map(([k, t]) => [k, t, t.view()]),
    metadata,
    opts,
  );
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function encode(datas: [string, Tensor, TypedArray][], metadata: Record<string, string>, opts: SaveSafetensorsOptions): Uint8Array {
  const meta: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new Error(`safetensors: metadata values must be strings, '${k}' is ${typeof v}`);
    if (k === CHECKSUM_KEY && opts.checksum) throw new Error(`safetensors: metadata key '${CHECKSUM_KEY}' is reserved for the checksum`);
    meta[k] = v;
  }
  if (opts.checksum) meta[CHECKSUM_KEY] = CHECKSUM_PLACEHOLDER;
  // null-prototype objects: a tensor named '__proto__' is an ordinary key
  const header: Record<string, unknown> = Object.create(null);
  if (Object.keys(meta).length) header.__metadata__ = meta;
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
  for (const [, t, d] of datas) {
    const bytes = new Uint8Array(d.buffer, d.byteOffset, t.size * BYTES[t.dtype]);
    out.set(bytes, pos);
    if (!littleEndian) swapInPlace(out.subarray(pos, pos + bytes.length), BYTES[t.dtype]);
    pos += bytes.length;
  }
  if (opts.checksum) {
    const at = findChecksum(out.subarray(8, 8 + json.length), CHECKSUM_PLACEHOLDER);
    const hex = crc32(out).toString(16).padStart(8, '0');
    out.set(new TextEncoder().encode(hex), 8 + at);
  }
  return out;
}

function swapInPlace(b: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < b.length; i += width) b.subarray(i, i + width).reverse();
}

/** Where the eight hex digits of `"checksum":"<value>"` start in the raw header, or -1 unless it occurs exactly once. */
function findChecksum(header: Uint8Array, value: string): number {
  const needle = new TextEncoder().encode(`"${CHECKSUM_KEY}":"${value}"`);
  let found = -1;
  outer: for (let i = 0; i + needle.length <= header.length; i++) {
    for (let j = 0; j < needle.length; j++) if (header[i + j] !== needle[j]) continue outer;
    if (found >= 0) return -1;
    found = i;
  }
  return found < 0 ? -1 : found + needle.length - 9;
}

/** One tensor's entry in a validated header: byte range [begin, end) of the data region. */
export interface SafetensorsEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsLayout {
  metadata: Record<string, string>;
  /** In header order. */
  entries: SafetensorsEntry[];
  /** Offset of the data region in the file. */
  dataStart: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Read and validate a safetensors file's layout without creating any tensor. Strict, as the
 * format requires: the header is a JSON object that starts with `{` (trailing spaces allowed);
 * every entry has exactly dtype, shape and data_offsets; dtypes are known; shapes are
 * non-negative integers; each tensor's byte length is its element count times its dtype size; the
 * byte ranges, sorted, are contiguous from 0 and end exactly where the file ends (no holes, no
 * overlaps, no trailing bytes); BOOL bytes are 0 or 1; and a checksum, when present, matches.
 */
export function readSafetensorsLayout(bytes: Uint8Array): SafetensorsLayout {
  const bad = (why: string) => new Error(`safetensors: malformed file (${why})`);
  if (!(bytes instanceof Uint8Array)) throw new Error(`safetensors: expected a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  if (bytes.length < 8) throw bad(`${bytes.length} bytes, need at least 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = view.getBigUint64(0, true);
  if (hlen > BigInt(bytes.length - 8)) throw bad(`header length ${hlen} exceeds the ${bytes.length - 8} bytes that follow`);
  const n = Number(hlen);
  const raw = bytes.subarray(8, 8 + n);
  let text: string;
  let header: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    header = JSON.parse(text);
  } catch (e) {
    throw bad(`header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (!isObject(header) || text[0] !== '{' || !/\} *$/.test(text)) throw bad('header is not a JSON object starting with { and padded only with spaces');
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = Object.create(null);
  const entries: SafetensorsEntry[] = [];
  for (const [k, v] of Object.entries(header)) {
    if (k === '__metadata__') {
      if (!isObject(v)) throw bad('__metadata__ is not an object');
      for (const [mk, mv] of Object.entries(v)) {
        if (typeof mv !== 'string') throw bad(`metadata '${mk}' is not a string`);
        metadata[mk] = mv;
      }
      continue;
    }
    if (!isObject(v)) throw bad(`tensor '${k}' has an entry that is not an object`);
    const keys = Object.keys(v).sort();
    if (keys.join() !== ENTRY_KEYS.join()) throw bad(`tensor '${k}' has keys ${JSON.stringify(keys)}, expected ${JSON.stringify(ENTRY_KEYS)}`);
    const dtype = typeof v.dtype === 'string' ? FROM_ST[v.dtype] : undefined;
    if (!dtype) throw bad(`tensor '${k}' has unsupported dtype ${JSON.stringify(v.dtype)} (supported: ${Object.keys(FROM_ST).join(', ')})`);
    const shape = v.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw bad(`tensor '${k}' has shape ${JSON.stringify(shape)}, expected a list of non-negative integers`);
    }
    const size = sizeOf(shape);
    if (size > MAX_ELEMENTS) throw bad(`tensor '${k}' of shape ${fmt(shape)} has ${size} elements, over the limit of ${MAX_ELEMENTS}`);
    const off = v.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
      throw bad(`tensor '${k}' has data_offsets ${JSON.stringify(off)}, expected [begin, end] with 0 ≤ begin ≤ end`);
    }
    if (off[1] - off[0] !== size * BYTES[dtype]) {
      throw bad(`tensor '${k}' of shape ${fmt(shape)} ${dtype} needs ${size * BYTES[dtype]} bytes, its data_offsets ${JSON.stringify(off)} give ${off[1] - off[0]}`);
    }
    entries.push({ name: k, dtype, shape, begin: off[0], end: off[1] });
  }
  checkCoverage(entries, dataLen, bad);
  for (const e of entries) {
    if (e.dtype !== 'bool') continue;
    for (let i = dataStart + e.begin; i < dataStart + e.end; i++) {
      if (bytes[i]! > 1) throw bad(`tensor '${e.name}' (BOOL) holds byte ${bytes[i]} at element ${i - dataStart - e.begin}, expected 0 or 1`);
    }
  }
  if (CHECKSUM_KEY in metadata) verifyChecksum(bytes, raw, metadata[CHECKSUM_KEY]!, bad);
  return { metadata, entries, dataStart };
}

/** The byte ranges, sorted, must tile [0, dataLen) exactly. */
function checkCoverage(entries: SafetensorsEntry[], dataLen: number, bad: (why: string) => Error): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev = '';
  for (const e of sorted) {
    if (e.begin > at) throw bad(`data bytes [${at}, ${e.begin}) belong to no tensor (a hole before '${e.name}')`);
    if (e.begin < at) throw bad(`tensor '${e.name}' at [${e.begin}, ${e.end}) overlaps '${prev}', which ends at ${at}`);
    at = e.end;
    prev = e.name;
  }
  if (at !== dataLen) {
    throw bad(at < dataLen ? `the tensors cover ${at} data bytes, but ${dataLen} follow the header (trailing bytes)` : `the tensors need ${at} data bytes, only ${dataLen} follow the header`);
  }
}

function verifyChecksum(bytes: Uint8Array, rawHeader: Uint8Array, value: string, bad: (why: string) => Error): void {
  const m = /^crc32:([0-9a-f]{8})$/.exec(value);
  if (!m) throw bad(`checksum ${JSON.stringify(value)} is not of the form crc32:<8 lowercase hex digits>`);
  const at = findChecksum(rawHeader, value);
  if (at < 0) throw bad(`checksum field "${CHECKSUM_KEY}":"${value}" does not occur exactly once in the header`);
  const digits = 8 + at;
  let crc = crc32(bytes.subarray(0, digits));
  crc = crc32(new TextEncoder().encode('00000000'), crc);
  crc = crc32(bytes.subarray(digits + 8), crc);
  const got = crc.toString(16).padStart(8, '0');
  if (got !== m[1]) throw bad(`checksum mismatch: the file records crc32 ${m[1]}, its bytes give ${got} (the file is corrupt)`);
}

/** Create the tensors of a validated layout on `device`; if any creation fails, those made so far are released. */
export function tensorsFromLayout(bytes: Uint8Array, layout: SafetensorsLayout, device?: string): Record<string, Tensor> {
  const tensors: Record<string, Tensor> = Object.create(null);
  try {
    for (const { name, dtype, shape, begin, end } of layout.entries) {
      const data = arrayFor(dtype, sizeOf(shape));
      const dst = new Uint8Array(data.buffer);
      dst.set(bytes.subarray(layout.dataStart + begin, layout.dataStart + end));
      if (!littleEndian) swapInPlace(dst, BYTES[dtype]);
      tensors[name] = Tensor.fromHost(data, shape, dtype, device);
    }
  } catch (e) {
    for (const t of Object.values(tensors)) t.dispose();
    throw e;
  }
  return tensors;
}

/**
 * Parse a safetensors buffer into tensors (on `device`, default the current backend). The whole
 * file is validated (see `readSafetensorsLayout`) before any tensor is created.
 */
export function loadSafetensors(bytes: Uint8Array, device?: string): SafetensorsContents {
  const layout = readSafetensorsLayout(bytes);
  return { tensors: tensorsFromLayout(bytes, layout, device), metadata: layout.metadata };
}
