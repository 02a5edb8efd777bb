/**
 * A package's README is also its page on the registry, where relative links (`../../docs/…`) lead
 * nowhere: every link in packages/*\/README.md must be absolute (or an in-page anchor), and the
 * links into this repository must name files that exist on the branch they point to (main).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REPO = 'https://github.com/grokkit/grokkit/blob/main/';
const readmes = readdirSync(join(root, 'packages'))
  .map((p) => join('packages', p, 'README.md'))
  .filter((f) => existsSync(join(root, f)))
  .sort();

/** The targets of Markdown links and images, and of HTML href/src attributes, with their line numbers. */
function linkTargets(markdown: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  markdown.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|\b(?:href|src)\s*=\s*["']([^"']+)["']/g)) out.push({ line: i + 1, target: (m[1] ?? m[2])! });
  });
  return out;
}

describe('package READMEs', () => {
  it('linkTargets finds Markdown links, images and HTML attributes', () => {
    const md = 'see [a](../../docs/a.md) and ![b](img.png "title")\n<img src="x.svg"> [c](https://x.org/y) [d](#usage)';
    expect(linkTargets(md)).toEqual([
      { line: 1, target: '../../docs/a.md' },
      { line: 1, target: 'img.png' },
      { line: 2, target: 'x.svg' },
      { line: 2, target: 'https://x.org/y' },
      { line: 2, target: '#usage' },
    ]);
  });

  it.each(readmes)('%s links only to absolute URLs, and its links into the repository exist', (file) => {
    const links = linkTargets(readFileSync(join(root, file), 'utf8'));
    const relative = links.filter(({ target }) => !/^https?:\/\//.test(target) && !target.startsWith('#'));
    expect(relative.map(({ line, target }) => `${file}:${line}: ${target}`)).toEqual([]);
    const missing = links
      .filter(({ target }) => target.startsWith(REPO))
      .filter(({ target }) => !existsSync(join(root, target.slice(REPO.length).split('#')[0]!)))
      .map(({ line, target }) => `${file}:${line}: ${target}`);
    expect(missing).toEqual([]);
  });
});
