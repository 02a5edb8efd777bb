/**
 * `@grokkit/eval` (the root) bundles for a browser: esbuild with `platform: 'browser'` resolves
 * every import without Node's built-ins, and the bundle runs — trains, checkpoints and renders a
 * report — in a context that has no `process`, `require` or `Buffer`.
 */
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build, type BuildOptions } from 'esbuild';
import { describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const browser: BuildOptions = { bundle: true, platform: 'browser', write: false, metafile: true, logLevel: 'silent', absWorkingDir: pkg };

describe('the browser bundle of @grokkit/eval', () => {
  it('needs no node: module, and takes nothing from the Node entry', async () => {
    const r = await build({ ...browser, entryPoints: ['src/index.ts'], format: 'esm' });
    const inputs = Object.keys(r.metafile!.inputs);
    expect(inputs.filter((f) => f.startsWith('node:') || f.includes('src/node/'))).toEqual([]);
    expect(inputs).toContain('src/charts.ts');
    expect(Object.values(r.metafile!.outputs).flatMap((o) => o.imports.map((i) => i.path))).toEqual([]);
  });

  it('is a check that fails on a node: import (the Node entry does not bundle for a browser)', async () => {
    await expect(build({ ...browser, entryPoints: ['src/node/index.ts'], format: 'esm' })).rejects.toThrow(/node:/);
  });

  it('trains, checkpoints to bytes, resumes and renders a report without process, require or Buffer', async () => {
    const r = await build({
      ...browser,
      stdin: {
        contents: `export * as evals from './src/index.ts'; export * as core from '@grokkit/core';`,
        resolveDir: pkg,
        loader: 'ts',
      },
      format: 'iife',
      globalName: 'grokkit',
    });
    const page = {
      console, performance, setTimeout, clearTimeout, queueMicrotask, TextEncoder, TextDecoder, URL, crypto, WebAssembly: (globalThis as Record<string, unknown>).WebAssembly,
    } as Record<string, unknown>;
    runInNewContext(r.outputFiles![0]!.text, page);
    const src = `(async () => {
      const { core, evals } = grokkit;
      const model = new core.Linear(2, 2, { rng: core.rng(0) });
      const x = core.tensor([1, 0, 0, 1, 1, 1, 0, 0], { shape: [4, 2] });
      const y = core.tensor([0, 1, 1, 0], { dtype: 'int32' });
      let bytes;
      const opts = {
        model, transform: core.sgd({ lr: 0.5 }), steps: 6, evalEvery: 2, checkpointEvery: 3,
        step: () => core.crossEntropy(model.forward(x), y),
        evaluate: () => ({ trainAcc: evals.accuracy(model.forward(x), y), valAcc: evals.accuracy(model.forward(x), y) }),
        hooks: { onCheckpoint: (b) => { bytes = b; } },
      };
      const first = await evals.train({ ...opts, steps: 3 });
      const resumed = await evals.train({ ...opts, checkpointEvery: undefined, hooks: {}, resumeFrom: bytes });
      const report = evals.renderReport({ title: 'page', sections: [{ heading: 'run', charts: evals.runChart(resumed.history) }] });
      return { hasProcess: typeof process, checkpointStep: first.checkpointStep, steps: resumed.history.map((h) => h.step), html: report.html.length, svgs: report.svgs.length };
    })()`;
    const out = await runInNewContext(src, page);
    expect(out).toEqual({ hasProcess: 'undefined', checkpointStep: 3, steps: [0, 2, 3, 4, 6], html: expect.any(Number), svgs: 1 });
    expect(out.html).toBeGreaterThan(40_000);
  });
});
