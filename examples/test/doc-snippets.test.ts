/**
 * The docs run as written: every ```ts block of README.md, docs/*.md and packages/*\/README.md is
 * saved as its own module in a fresh project (`"type": "module"`, the workspace's node_modules, so
 * the imports reach the built packages), type-checked with strict tsc, and run with tsx in its own
 * process and folder. A block passes when it type-checks, exits with 0, prints something, and
 * prints what the ```text block right after it shows (if there is one; see `outputMatches`).
 * A block whose first line is `// (fragment)` is skipped: neither run nor type-checked.
 * Blocks that import @grokkit/webgpu are skipped without a WebGPU adapter unless
 * GROKKIT_REQUIRE_WEBGPU is set (as CI sets it).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeWebGPU } from '@grokkit/webgpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docBlocks, outputMatches, type DocBlock } from './doc-blocks.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = join(root, 'node_modules/tsx/dist/cli.mjs');
const TSC = join(root, 'node_modules/typescript/bin/tsc');
const BLOCK_TIMEOUT_MS = 90_000;
const PARALLEL = Math.max(1, Math.min(2, availableParallelism()));

const blocks = docBlocks(root);
const where = (b: DocBlock, offset = 0) => `${b.file}:${b.line + offset}`;
const folder = (b: DocBlock) => `${b.file.replace(/[^A-Za-z0-9]+/g, '-')}-L${b.line}`;
const usesWebGPU = (b: DocBlock) => /from '@grokkit\/webgpu'/.test(b.code);

const probe = await probeWebGPU();
const webgpuSkip = probe.ok || process.env.GROKKIT_REQUIRE_WEBGPU ? null : `no WebGPU adapter (${probe.reason})`;

interface Outcome {
  exitCode: number | null;
  output: string;
  ms: number;
  timedOut: boolean;
}

function runBlock(dir: string): Promise<Outcome> {
  const log = join(dir, 'output.txt');
  const fd = openSync(log, 'w');
  const t0 = Date.now();
  // stdout and stderr into one file, interleaved as a terminal would show them
  const child = spawn(process.execPath, [TSX, 'main.ts'], { cwd: dir, stdio: ['ignore', fd, fd], env: { ...process.env, NO_COLOR: '1' } });
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), BLOCK_TIMEOUT_MS);
  return new Promise((done) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      closeSync(fd);
      done({ exitCode: code, output: readFileSync(log, 'utf8'), ms: Date.now() - t0, timedOut });
    });
  });
}

/** The stdout of a command (its exit code is not checked: tsc exits non-zero on type errors, which the caller parses). */
function stdoutOf(cmd: string, args: string[], cwd: string): Promise<string> {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', () => done(out));
  });
}

/** Runs `jobs` with at most `n` in flight. */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  }));
  return out;
}

describe('the ```ts blocks of the docs', () => {
  const toRun = blocks.filter((b) => !b.fragment && !(webgpuSkip && usesWebGPU(b)));
  const outcomes = new Map<DocBlock, Outcome>();
  const typeErrors = new Map<DocBlock, string[]>();
  let dir = '';
  let wall = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    dir = mkdtempSync(join(tmpdir(), 'grokkit-doc-snippets-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'doc-snippets', private: true, type: 'module' }));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
        skipLibCheck: true, types: ['node'], moduleDetection: 'force',
      },
      include: ['*/main.ts'],
    }));
    for (const b of toRun) {
      mkdirSync(join(dir, folder(b)));
      writeFileSync(join(dir, folder(b), 'main.ts'), b.code + '\n');
    }
    const byFolder = new Map(toRun.map((b) => [folder(b), b]));
    const typecheck = (async () => {
      const tsc = await stdoutOf(process.execPath, [TSC, '-p', dir, '--pretty', 'false'], dir);
      // "<folder>/main.ts(line,col): error TSxxxx: message" (continuation lines are indented)
      let last: string[] | undefined;
      for (const l of tsc.split('\n')) {
        const m = /^([^/]+)\/main\.ts\((\d+),(\d+)\): (error .*)$/.exec(l);
        const b = m ? byFolder.get(m[1]!) : undefined;
        if (m && b) {
          const list = typeErrors.get(b) ?? [];
          list.push(`${where(b, Number(m[2]) - 1)}:${m[3]}: ${m[4]}`);
          typeErrors.set(b, list);
          last = list;
        } else if (l.startsWith(' ') && last) last[last.length - 1] += '\n' + l;
        else if (l.trim() !== '') throw new Error(`tsc printed a line the test cannot place: ${l}`);
      }
    })();
    const runs = pool(toRun.map((b) => async () => void outcomes.set(b, await runBlock(join(dir, folder(b))))), PARALLEL);
    await Promise.all([typecheck, runs]);
    wall = (Date.now() - t0) / 1000;
  }, 600_000);

  afterAll(() => {
    const skipped = blocks.length - toRun.length;
    const fragments = blocks.filter((b) => b.fragment).length;
    const slowest = [...outcomes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 3).map(([b, o]) => `${where(b)} ${(o.ms / 1000).toFixed(1)} s`);
    console.log(
      `doc snippets: ${toRun.length} blocks run, ${skipped} skipped (${fragments} fragments` +
        `${webgpuSkip ? `, ${skipped - fragments} needing WebGPU: ${webgpuSkip}` : ''}) in ${wall.toFixed(1)} s; slowest: ${slowest.join(', ')}`,
    );
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the blocks', () => {
    // the docs hold dozens of blocks; finding none means the extraction broke
    expect(blocks.length).toBeGreaterThan(20);
    expect(toRun.length).toBeGreaterThan(15);
  });

  for (const b of blocks) {
    const skip = b.fragment ? 'a fragment' : webgpuSkip && usesWebGPU(b) ? webgpuSkip : null;
    it.skipIf(skip !== null)(`${where(b)}${skip ? ` (skipped: ${skip})` : ''}`, () => {
      const errors = typeErrors.get(b);
      if (errors) throw new Error(`${where(b)}: does not type-check:\n${errors.join('\n')}`);
      const o = outcomes.get(b);
      if (!o) throw new Error(`${where(b)}: was not run`);
      const tail = o.output.split('\n').slice(-30).join('\n');
      if (o.timedOut) throw new Error(`${where(b)}: still running after ${BLOCK_TIMEOUT_MS / 1000} s; output:\n${tail}`);
      if (o.exitCode !== 0) throw new Error(`${where(b)}: exited with code ${o.exitCode}; output:\n${tail}`);
      if (o.output.trim() === '') throw new Error(`${where(b)}: printed nothing, so a reader cannot tell whether it worked`);
      if (b.expected !== null && !outputMatches(b.expected, o.output)) {
        throw new Error(`${where(b)}: printed something other than the text block after it\n--- expected\n${b.expected}\n--- printed\n${o.output}`);
      }
    });
  }
});
