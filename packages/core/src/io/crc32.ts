/**
 * CRC-32 (the IEEE 802.3 polynomial, reflected, as in zlib, gzip and PNG), so a checksum written
 * here can be checked with any standard tool (`zlib.crc32`, Python's `binascii.crc32`). It detects
 * every burst of up to 32 bits, and every single-bit and double-bit error in files up to 512 MiB.
 */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The CRC-32 of `bytes`; pass the previous result as `crc` to continue over a following chunk. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
