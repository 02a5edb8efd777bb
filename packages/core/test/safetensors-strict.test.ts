import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { crc32 } from '../src/io/crc32.js';
import { joinFile, splitFile } from './safetensors-files.js';

/** Two float32 tensors a [2] at [0, 8) and b [3] at [8, 20), plus a bool c [2] at [20, 22). */
function parts() {
  const header: Record<string, any> = {
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    b: { dtype: 'F32', shape: [3], data_offsets: [8, 20] },
    c: { dtype: 'BOOL', shape: [2], data_offsets: [20, 22] },
  };
  const data = new Uint8Array(22);
  new Float32Array(data.buffer, 0, 5).set([1, 2, 3, 4, 5]);
  data.set([1, 0], 20);
  return { header, data };
}

/** A copy of `bytes` with the first occurrence of ASCII `from` replaced by `to` (same length). */
function replaceAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const text = Array.from(bytes, (c) => String.fromCharCode(c)).join('');
  const at = text.indexOf(from);
  expect(at).toBeGreaterThan(0);
  const out = bytes.slice();
  for (let i = 0; i < to.length; i++) out[at + i] = to.charCodeAt(i);
  return out;
}

function rejects(file: Uint8Array, why: RegExp): void {
  const before = g.liveTensors();
  expect(() => g.loadSafetensors(file)).toThrow(why);
  expect(g.liveTensors()).toBe(before);
}

describe('safetensors loading is strict about the layout', () => {
  it('a well-formed hand-made file loads', () => {
    const { header, data } = parts();
    const { tensors } = g.loadSafetensors(joinFile(header, data));
    expect(tensors.a!.toArray()).toEqual([1, 2]);
    expect(tensors.b!.toArray()).toEqual([3, 4, 5]);
    expect(tensors.c!.toArray()).toEqual([true, false]);
  });

  it('overlapping byte ranges are refused', () => {
    const { header, data } = parts();
    header.b.data_offsets = [4, 16];
    header.c.data_offsets = [16, 18];
    rejects(joinFile(header, data.subarray(0, 18)), /tensor 'b' at \[4, 16\) overlaps 'a', which ends at 8/);
  });

  it('holes between tensors are refused', () => {
    const { header, data } = parts();
    header.b.data_offsets = [12, 24];
    header.c.data_offsets = [24, 26];
    rejects(joinFile(header, new Uint8Array(26)), /data bytes \[8, 12\) belong to no tensor \(a hole before 'b'\)/);
  });

  it('bytes after the last tensor are refused, and so are tensors past the end', () => {
    const { header, data } = parts();
    const longer = new Uint8Array(30);
    longer.set(data);
    rejects(joinFile(header, longer), /the tensors cover 22 data bytes, but 30 follow the header \(trailing bytes\)/);
    rejects(joinFile(header, data.subarray(0, 21)), /the tensors need 22 data bytes, only 21 follow the header/);
  });

  it('shifted data (an insertion) no longer loads as shifted tensors', () => {
    const { header, data } = parts();
    const shifted = new Uint8Array(23);
    shifted.set(data, 1);
    rejects(joinFile(header, shifted), /trailing bytes/);
  });

  it('the byte length must be the element count times the dtype size', () => {
    const { header, data } = parts();
    header.b.shape = [2];
    rejects(joinFile(header, data), /tensor 'b' of shape \[2\] float32 needs 8 bytes, its data_offsets \[8,20\] give 12/);
  });

  it('unknown dtypes, bad shapes, bad offsets and unknown entry keys are refused', () => {
    const cases: [(h: Record<string, any>) => void, RegExp][] = [
      [(h) => (h.a.dtype = 'F16'), /tensor 'a' has unsupported dtype "F16" \(supported: F32, F64, I32, BOOL\)/],
      [(h) => (h.a.dtype = 4), /unsupported dtype 4/],
      [(h) => (h.a.dtype = 'constructor'), /unsupported dtype "constructor"/],
      [(h) => (h.a.shape = [-2]), /tensor 'a' has shape \[-2\], expected a list of non-negative integers/],
      [(h) => (h.a.shape = [1.5]), /has shape \[1.5\]/],
      [(h) => (h.a.shape = '2'), /has shape "2"/],
      [(h) => (h.a.shape = [1e6, 1e6]), /has 1000000000000 elements, over the limit of 2147483647/],
      [(h) => (h.a.data_offsets = [8, 0]), /tensor 'a' has data_offsets \[8,0\], expected \[begin, end\] with 0 ≤ begin ≤ end/],
      [(h) => (h.a.data_offsets = [0, 8, 9]), /has data_offsets \[0,8,9\]/],
      [(h) => (h.a.data_offsets = [-8, 0]), /has data_offsets \[-8,0\]/],
      [(h) => (h.a.extra = 1), /tensor 'a' has keys \["data_offsets","dtype","extra","shape"\]/],
      [(h) => delete h.a.shape, /tensor 'a' has keys \["data_offsets","dtype"\]/],
      [(h) => (h.a = [1, 2]), /tensor 'a' has an entry that is not an object/],
      [(h) => (h.__metadata__ = { note: 3 }), /metadata 'note' is not a string/],
      [(h) => (h.__metadata__ = ['x']), /__metadata__ is not an object/],
    ];
    for (const [edit, why] of cases) {
      const { header, data } = parts();
      edit(header);
      rejects(joinFile(header, data), why);
    }
  });

  it('the header must be a JSON object starting with { and padded only with spaces', () => {
    const { header, data } = parts();
    rejects(joinFile(header, data, ` ${JSON.stringify(header)}`), /not a JSON object starting with \{/);
    rejects(joinFile(header, data, `${JSON.stringify(header)}\n`), /padded only with spaces/);
    rejects(joinFile([1], data), /not a JSON object/);
  });

  it('BOOL bytes must be 0 or 1', () => {
    const { header, data } = parts();
    data[21] = 2;
    rejects(joinFile(header, data), /tensor 'c' \(BOOL\) holds byte 2 at element 1, expected 0 or 1/);
  });

  it("tensor names '__proto__' and 'constructor' round-trip", async () => {
    // names typed as plain strings, so TypeScript does not read them as Object members
    const [PROTO, CTOR, TOSTRING]: string[] = ['__proto__', 'constructor', 'toString'];
    const tensors: Record<string, g.Tensor> = Object.create(null);
    tensors[PROTO!] = g.tensor([1, 2]);
    tensors[CTOR!] = g.tensor([3], { dtype: 'int32' });
    tensors[TOSTRING!] = g.tensor([true]);
    const bytes = await g.saveSafetensors(tensors);
    expect(Object.keys(splitFile(bytes).header).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    const back = g.loadSafetensors(bytes).tensors;
    expect(Object.keys(back).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(back[PROTO!]!.toArray()).toEqual([1, 2]);
    expect(back[CTOR!]!.toArray()).toEqual([3]);
    expect(back[TOSTRING!]!.toArray()).toEqual([true]);
    expect('hasOwnProperty' in back).toBe(false);
  });
});

describe('the optional checksum', () => {
  it('is the CRC-32 of the file with its digits read as 0, so standard tools can check it', async () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the CRC-32 check value
    const bytes = await g.saveSafetensors({ w: g.tensor([1, 2, 3]) }, { note: 'x' }, { checksum: true });
    const { header } = splitFile(bytes);
    const value = header.__metadata__[g.CHECKSUM_KEY] as string;
    expect(value).toMatch(/^crc32:[0-9a-f]{8}$/);
    const text = Array.from(bytes, (c) => String.fromCharCode(c)).join('');
    const at = text.indexOf(value) + 'crc32:'.length;
    const zeroed = bytes.slice();
    zeroed.set(new TextEncoder().encode('00000000'), at);
    expect(crc32(zeroed).toString(16).padStart(8, '0')).toBe(value.slice(6));
    expect(g.loadSafetensors(bytes).metadata).toEqual({ note: 'x', checksum: value });
  });

  it('catches a flipped data byte and a header edit that keeps the layout valid', async () => {
    const bytes = await g.saveSafetensors({ w: g.tensor([[1, 2, 3], [4, 5, 6]]) }, {}, { checksum: true });
    const flipped = bytes.slice();
    flipped[flipped.length - 3]! ^= 0x10;
    rejects(flipped, /checksum mismatch: the file records crc32 [0-9a-f]{8}, its bytes give [0-9a-f]{8} \(the file is corrupt\)/);
    rejects(replaceAscii(bytes, '"shape":[2,3]', '"shape":[3,2]'), /checksum mismatch/);
    // without the checksum the same edit is a valid file: only the checksum can tell
    const plain = await g.saveSafetensors({ w: g.tensor([[1, 2, 3], [4, 5, 6]]) });
    expect(g.loadSafetensors(replaceAscii(plain, '"shape":[2,3]', '"shape":[3,2]')).tensors.w!.shape).toEqual([3, 2]);
  });

  it('a malformed or duplicated checksum field is refused', async () => {
    const bytes = await g.saveSafetensors({ w: g.tensor([1]) }, {}, { checksum: true });
    const { header, data } = splitFile(bytes);
    header.__metadata__.checksum = 'sha1:abc';
    rejects(joinFile(header, data), /checksum "sha1:abc" is not of the form crc32:<8 lowercase hex digits>/);
    const value = splitFile(bytes).header.__metadata__.checksum;
    const twice = `{"__metadata__":{"checksum":"${value}","checksum":"${value}"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`;
    rejects(joinFile(null, data, twice), /does not occur exactly once in the header/);
    await expect(g.saveSafetensors({ w: g.tensor([1]) }, { checksum: 'mine' }, { checksum: true })).rejects.toThrow(/metadata key 'checksum' is reserved/);
  });
});
