import { describe, expect, it } from 'vitest';
import { ArrayPool } from '../src/cpu/pool.js';

describe('ArrayPool', () => {
  it('hands a released array back for the same dtype and length, and a new one otherwise', () => {
    const pool = new ArrayPool(1024);
    const a = pool.alloc('float32', 16);
    pool.release(a, 'float32');
    expect(pool.pooled()).toBe(64);
    expect(pool.alloc('int32', 16)).not.toBe(a);
    expect(pool.alloc('float32', 8)).not.toBe(a);
    expect(pool.alloc('float32', 16)).toBe(a);
    expect(pool.pooled()).toBe(0);
  });

  it('keeps at most its limit, dropping the least recently used size classes first', () => {
    const pool = new ArrayPool(4 * 100);
    const step = [pool.alloc('float32', 40), pool.alloc('float32', 40)]; // 320 bytes, reused every step
    for (const a of step) pool.release(a, 'float32');
    expect(pool.alloc('float32', 40)).toBe(step[1]);
    pool.release(step[1]!, 'float32'); // the class is now the most recently used
    // a one-off big computation releases two arrays of another size: 320 + 2·160 > 400
    const once = [new Float32Array(20), new Float32Array(20)];
    for (const a of once) pool.release(a, 'float32');
    expect(pool.pooled()).toBe(320);
    // the older class lost one array to make room; both new ones are kept
    expect(pool.alloc('float32', 20)).toBe(once[1]);
    expect(pool.alloc('float32', 20)).toBe(once[0]);
    expect(pool.alloc('float32', 40)).toBe(step[0]);
    expect(pool.alloc('float32', 40)).not.toBe(step[1]);
  });

  it('keeps no view of a larger buffer and no array above the limit', () => {
    const pool = new ArrayPool(64);
    pool.release(new Float32Array(new ArrayBuffer(64), 16, 4), 'float32');
    pool.release(new Float32Array(32), 'float32');
    expect(pool.pooled()).toBe(0);
  });
});
