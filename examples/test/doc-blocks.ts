/**
 * The ```ts blocks of the Markdown docs, as the doc-snippet test runs them: where each one is, its
 * code, whether it is a deliberate fragment, and the ```text block that shows its output, if any.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The first line that marks a block as deliberately partial: it is neither run nor type-checked. */
export const FRAGMENT_MARK = '// (fragment)';

export interface DocBlock {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the block's first code line (the line after its ```ts fence). */
  line: number;
  code: string;
  fragment: boolean;
  /** The ```text block right after this one (only blank lines between), or null. */
  expected: string | null;
}

/** README.md, docs/*.md and packages/*\/README.md under `root`, sorted. */
export function docFiles(root: string): string[] {
  const md = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.md')).sort().map((f) => join(dir, f));
  const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join('packages', d.name, 'README.md'))
    .filter((f) => existsSync(join(root, f)))
    .sort();
  return ['README.md', ...md('docs'), ...packages];
}

const FENCE = /^(\s*)```(\S*)\s*$/;

/** Every fenced block of a Markdown text: its language, first code line (1-based), code and the index of the line after it. */
function fencedBlocks(text: string): { lang: string; line: number; code: string; end: number }[] {
  const lines = text.split('\n');
  const blocks: { lang: string; line: number; code: string; end: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j]!)) j++;
    if (j === lines.length) throw new Error(`line ${i + 1}: a \`\`\`${open[2]} fence is never closed`);
    const code = lines.slice(i + 1, j).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)));
    blocks.push({ lang: open[2]!, line: i + 2, code: code.join('\n'), end: j + 1 });
    i = j;
  }
  return blocks;
}

/** The ```ts blocks of one Markdown text (`file` is only used to name them). */
export function extractBlocks(file: string, text: string): DocBlock[] {
  let blocks;
  try {
    blocks = fencedBlocks(text);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const lines = text.split('\n');
  const out: DocBlock[] = [];
  blocks.forEach((b, k) => {
    if (b.lang !== 'ts') return;
    const next = blocks[k + 1];
    const onlyBlankBetween = next !== undefined && lines.slice(b.end, next.line - 2).every((l) => l.trim() === '');
    out.push({
      file,
      line: b.line,
      code: b.code,
      fragment: b.code.split('\n', 1)[0]!.trim() === FRAGMENT_MARK,
      expected: next && next.lang === 'text' && onlyBlankBetween ? next.code : null,
    });
  });
  return out;
}

/** Every ```ts block of the docs under `root`. */
export function docBlocks(root: string): DocBlock[] {
  return docFiles(root).flatMap((f) => extractBlocks(f, readFileSync(join(root, f), 'utf8')));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `actual` output matches an expected ```text block. Lines are compared with trailing
 * whitespace and trailing blank lines dropped; a line that is only `…` matches any number of
 * lines (none included), and `…` inside a line matches any characters.
 */
export function outputMatches(expected: string, actual: string): boolean {
  const norm = (s: string) => {
    const ls = s.split('\n').map((l) => l.trimEnd());
    while (ls.length > 0 && ls[ls.length - 1] === '') ls.pop();
    return ls;
  };
  const want = norm(expected);
  const got = norm(actual);
  const lineRe = want.map((l) => (l === '…' ? null : new RegExp(`^${l.split('…').map(escape).join('.*')}$`)));
  // memoised match of want[i..] against got[j..]
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * (got.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (i === want.length) r = j === got.length;
    else if (lineRe[i] === null) r = match(i + 1, j) || (j < got.length && match(i, j + 1));
    else r = j < got.length && lineRe[i]!.test(got[j]!) && match(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return match(0, 0);
}
