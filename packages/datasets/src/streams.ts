import { Generator, philox } from '@grokkit/core';

/**
 * Independent random streams derived from one seed: stream (seed, a, b) is a generator whose key
 * is one Philox block of the counter (a, b, tag) under the seed as key. Different (a, b) give
 * unrelated streams, and a stream does not depend on how many numbers other streams drew, so
 * asking for more examples of one subclass never changes the examples of another.
 */
export function stream(seed: number | bigint, a: number, b = 0, tag = 0x6461_7461): Generator {
  const s = BigInt.asUintN(64, BigInt(seed));
  const out = new Uint32Array(4);
  philox(a >>> 0, b >>> 0, tag >>> 0, 0x5eed, Number(s & 0xffffffffn), Number(s >> 32n), out);
  return new Generator((BigInt(out[1]!) << 32n) | BigInt(out[0]!));
}
