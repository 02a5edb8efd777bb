/** The block extraction and output matching that the doc-snippet test relies on. */
import { describe, expect, it } from 'vitest';
import { extractBlocks, outputMatches } from './doc-blocks.js';

const md = [
  '# Title', //                      1
  '', //                             2
  '```ts', //                        3
  "console.log('a');", //            4
  '```', //                          5
  '', //                             6
  '```text', //                      7
  'a', //                            8
  '```', //                          9
  '', //                             10
  '- a list item:', //               11
  '', //                             12
  '  ```ts', //                      13
  '  // (fragment)', //              14
  '  const x = 1;', //               15
  '  ```', //                        16
  '', //                             17
  'prose between', //                18
  '', //                             19
  '```text', //                      20
  'not output of the block above', //21
  '```', //                          22
  '```sh', //                        23
  'npm test', //                     24
  '```', //                          25
].join('\n');

describe('extractBlocks', () => {
  it('finds ts blocks with their first code line, strips list indentation and spots fragments', () => {
    const blocks = extractBlocks('x.md', md);
    expect(blocks).toEqual([
      { file: 'x.md', line: 4, code: "console.log('a');", fragment: false, expected: 'a' },
      { file: 'x.md', line: 14, code: '// (fragment)\nconst x = 1;', fragment: true, expected: null },
    ]);
  });

  it('names the file and line of a fence that is never closed', () => {
    expect(() => extractBlocks('y.md', 'intro\n```ts\nconst a = 1;\n')).toThrow('y.md: line 2: a ```ts fence is never closed');
  });
});

describe('outputMatches', () => {
  it('compares lines, ignoring trailing whitespace and trailing blank lines', () => {
    expect(outputMatches('a\nb', 'a  \nb\n\n')).toBe(true);
    expect(outputMatches('a\nb', 'a\nc')).toBe(false);
    expect(outputMatches('a\nb', 'a')).toBe(false);
    expect(outputMatches('a', 'a\nb')).toBe(false);
  });

  it('a line that is only … matches any number of lines, none included', () => {
    expect(outputMatches('a\n…\nz', 'a\nz')).toBe(true);
    expect(outputMatches('a\n…\nz', 'a\nb\nc\nz')).toBe(true);
    expect(outputMatches('a\n…\nz', 'a\nb\nc')).toBe(false);
    expect(outputMatches('…', '')).toBe(true);
  });

  it('… inside a line matches any characters, and other characters are literal', () => {
    expect(outputMatches('took … s (x)', 'took 1.25 s (x)')).toBe(true);
    expect(outputMatches('took … s (x)', 'took 1.25 s (y)')).toBe(false);
    expect(outputMatches('[ 1, 2 ]', '[ 1, 2 ]')).toBe(true);
    expect(outputMatches('a.c', 'abc')).toBe(false);
  });
});
