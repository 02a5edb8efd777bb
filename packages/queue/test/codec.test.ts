import { describe, expect, it } from 'vitest';
import { decode, encode } from '../src/codec.js';

describe('codec', () => {
  it('round-trips what JSON loses: NaN, ±Infinity and -0, at any depth', () => {
    const value = { a: NaN, b: [Infinity, -Infinity, -0, 0, 1.5], c: { d: null, e: 'NaN', f: true } };
    const back = decode(encode(value)) as typeof value;
    expect(back).toEqual(value);
    expect(Object.is(back.b[2], -0)).toBe(true);
    expect(Object.is(back.b[3], 0)).toBe(true);
    expect(back.c.e).toBe('NaN');
  });

  it('refuses a bigint with a one-line error', () => {
    expect(() => encode({ n: 3n })).toThrow(/^expected JSON-safe values .*got the bigint 3n$/);
  });
});
