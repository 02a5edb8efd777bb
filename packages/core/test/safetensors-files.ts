/** Helpers that take safetensors files apart and put (possibly edited) ones back together. */

export interface FileParts {
  /** The parsed header (tensor entries and __metadata__). */
  header: Record<string, any>;
  /** The data region. */
  data: Uint8Array;
}

export function splitFile(bytes: Uint8Array): FileParts {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  return { header, data: bytes.slice(8 + n) };
}

/** A file from a header object (serialised as given, padded with spaces to 8 bytes) and a data region. */
export function joinFile(header: unknown, data: Uint8Array, headerText = JSON.stringify(header)): Uint8Array {
  let json = new TextEncoder().encode(headerText);
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** The same file without its checksum (as an older writer, or `saveSafetensors` without the option, would make it). */
export function withoutChecksum(bytes: Uint8Array): Uint8Array {
  const { header, data } = splitFile(bytes);
  delete header.__metadata__.checksum;
  return joinFile(header, data);
}
