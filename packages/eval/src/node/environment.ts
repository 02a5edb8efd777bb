import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../setup.js';

/** The nearest `node_modules/@grokkit` folder at or above `dir`. */
function grokkitFolder(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const f = join(d, 'node_modules', '@grokkit');
    if (existsSync(f)) return f;
    if (dirname(d) === d) return undefined;
  }
}

/** Versions of the published @grokkit packages installed beside the working directory or beside this package. */
export function grokkitVersions(from: readonly string[] = [process.cwd(), fileURLToPath(new URL('.', import.meta.url))]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const start of from) {
    const folder = grokkitFolder(start);
    if (!folder) continue;
    for (const name of readdirSync(folder).sort()) {
      try {
        const pj = JSON.parse(readFileSync(join(folder, name, 'package.json'), 'utf8')) as { name?: string; version?: string; private?: boolean };
        if (pj.name && pj.version && !pj.private && !(pj.name in out)) out[pj.name] = pj.version;
      } catch {
        // not a package folder
      }
    }
  }
  return out;
}

/** This process: Node version, OS, CPU model, cores, memory and the @grokkit package versions. */
export function environment(): Environment {
  const cpu = cpus()[0]?.model.replace(/\s+/g, ' ').trim();
  return {
    runtime: `Node ${process.version}`,
    os: `${platform()} ${arch()}`,
    cpu: cpu || undefined,
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    packages: grokkitVersions(),
  };
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/**
 * This process's command line as a user would type it: `npx tsx <script> args` for a TypeScript
 * script, `node <script> args` otherwise, the script relative to the working directory.
 */
export function commandLine(argv: readonly string[] = process.argv, cwd = process.cwd()): string {
  const [, script, ...args] = argv;
  if (!script) return '';
  const rel = relative(cwd, script);
  const shown = rel && !rel.startsWith('..') ? rel : script;
  return [/\.[cm]?tsx?$/.test(script) ? 'npx tsx' : 'node', quote(shown), ...args.map(quote)].join(' ');
}
