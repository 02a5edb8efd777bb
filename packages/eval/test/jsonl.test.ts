import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonl, toJsonl } from '../src/index.js';
import { appendJsonl, readJsonl, writeJsonl } from '../src/node/index.js';

describe('jsonl', () => {
  it('writes one object per line, NaN as null, and reads it back', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'grokkit-jsonl-')), 'sub', 'log.jsonl');
    writeJsonl(path, [{ step: 0, acc: 0.5 }]);
    appendJsonl(path, { step: 10, acc: NaN });
    expect(readFileSync(path, 'utf8')).toBe('{"step":0,"acc":0.5}\n{"step":10,"acc":null}\n');
    expect(readJsonl(path)).toEqual([{ step: 0, acc: 0.5 }, { step: 10, acc: null }]);
    expect(toJsonl([])).toBe('');
  });
  it('skips blank lines and names a bad line', () => {
    expect(parseJsonl('{"a":1}\n\n{"a":2}\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(() => parseJsonl('{"a":1}\n{oops}\n')).toThrow(/line 2 is not valid JSON/);
  });
});
