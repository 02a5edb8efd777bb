/**
 * The API reference builds: run TypeDoc with the root typedoc.json (the same as `npm run docs`) into
 * a temporary folder, and check that it exits cleanly and that the pages of a few central exports
 * exist and carry their TSDoc. TypeDoc reads each package's src/index.ts; the packages' dist/ must be
 * built so cross-package imports resolve (turbo's `^build` does that before this test runs).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = mkdtempSync(join(tmpdir(), 'grokkit-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// page (relative to the output folder) → a phrase from the export's TSDoc or signature
// (core and eval have several entry points: `index` is the package root, `backend`, `testing` and
// `node` its subpaths @grokkit/core/backend, @grokkit/core/testing and @grokkit/eval/node)
const PAGES: Record<string, string> = {
  'classes/_grokkit_core.index.Tensor.html': 'backward',
  'functions/_grokkit_core.backend.registerBackend.html': 'registerBackend',
  'functions/_grokkit_core.testing.gradcheck.html': 'gradcheck',
  'functions/_grokkit_filters.grokfastEma.html': 'Grokfast-EMA',
  'classes/_grokkit_transformer.Decoder.html': 'TransformerStack',
  'functions/_grokkit_eval.index.train.html': 'Train with a gradient transform',
  'functions/_grokkit_eval.node.defineCli.html': 'defineCli',
  'functions/_grokkit_core.index.tidy.html': 'tidy',
  'functions/_grokkit_webgpu.createWebGPUBackend.html': 'createWebGPUBackend',
  'functions/_grokkit_gpujs.createGpujsBackend.html': 'createGpujsBackend',
};

it('builds the API reference for every package without errors', () => {
  // TypeDoc exits non-zero on any error; warnings (missing docs, unexported referenced types) are allowed.
  execFileSync(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--out', out, '--logLevel', 'Error'], {
    cwd: root,
    stdio: 'pipe',
  });
  expect(existsSync(join(out, 'index.html'))).toBe(true);
  const modules = readFileSync(join(out, 'modules.html'), 'utf8');
  for (const p of ['core', 'filters', 'transformer', 'datasets', 'eval', 'diffusion', 'webgpu', 'gpujs']) {
    expect(modules).toContain(`@grokkit/${p}`);
  }
  for (const [page, phrase] of Object.entries(PAGES)) {
    const file = join(out, page);
    expect(existsSync(file), page).toBe(true);
    expect(readFileSync(file, 'utf8'), page).toContain(phrase);
  }
}, 240_000);
