/**
 * Every published package passes publint (entry points exist and are published, `exports` in
 * the right order, ESM format matches the file extensions, types resolve) without a single
 * error, warning or suggestion.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { expect, it } from 'vitest';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages');

for (const name of readdirSync(packages)) {
  it(`@grokkit/${name} is publint-clean`, async () => {
    const { messages, pkg } = await publint({ pkgDir: join(packages, name), level: 'suggestion', pack: 'npm' });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`)).toEqual([]);
  }, 60_000);
}
