/**
 * The packages as users get them: `npm pack` every package, install the tarballs into a fresh
 * project outside the repo (no workspace links), then type-check a TypeScript snippet that imports
 * all of them with `strict` and `skipLibCheck: false` (so every shipped .d.ts is checked, with the
 * types it refers to) and run it. Also: every tarball carries the LICENSE.
 *
 * @grokkit/gpujs depends on gpu.js from the registry, which the workspace's lockfile installs but
 * npm's cache need not hold, so the install is `--prefer-offline`: from the cache when it can be,
 * from the registry otherwise (CI reaches the registry for `npm ci` anyway).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGES = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'package.json'))).sort();

const snippet = `
import * as g from '@grokkit/core';
import { listBackends, shutdownWasmThreads } from '@grokkit/core/backend';
import { gradcheck } from '@grokkit/core/testing';
import { grokfastEma, frequencyResponse } from '@grokkit/filters';
import { Decoder } from '@grokkit/transformer';
import { modularArithmetic } from '@grokkit/datasets';
import { markdownTable, renderReport, runChart } from '@grokkit/eval';
import { environment } from '@grokkit/eval/node';
import { maskTokens } from '@grokkit/diffusion';
import { createGpujsBackend } from '@grokkit/gpujs';
import { probeWebGPU, type WebGPUBackend, type WebGPUBackendOptions } from '@grokkit/webgpu';

const data = modularArithmetic({ p: 7, op: 'add', seed: 0 });
const model = new Decoder({ vocabSize: data.vocabSize, maxLen: 4, dim: 16, depth: 1, heads: 2, rng: g.rng(0, 'init') });
const filter = grokfastEma({ alpha: 0.9, lamb: 2 });
const opt = new g.Optimizer(model.namedParameters(), g.chain(filter, g.adamw({ lr: 1e-2 })));
const losses: number[] = [];
for (let i = 0; i < 30; i++) {
  losses.push(g.tidy(() => {
    const l = g.crossEntropy(model.forward(data.train.inputs, { lastOnly: true }), data.train.targets);
    l.backward(); opt.update(); opt.zeroGrad();
    return l.item();
  }));
}
const gain: number = frequencyResponse(filter, 2).magnitude[0]!;
void maskTokens;

// gpu.js's cpu mode runs anywhere: a matmul on the gpujs backend
const gpujs = await createGpujsBackend({ mode: 'cpu' });
const a = g.tensor([[1, 2], [3, 4]], { device: 'gpujs' });
const product = Array.from(await g.matmul(a, a).data());
// the WebGPU types are part of the public API; whether an adapter exists depends on the machine
const probe = await probeWebGPU();
const options: WebGPUBackendOptions = { batchSize: 32 };
const deviceOf = (b: WebGPUBackend): GPUDevice => b.device;
void options; void deviceOf;

// the subpaths: a kernel author's surface and the testing tools
const backends: string[] = listBackends();
const worst = gradcheck((x) => x.mul(x).sum(), [g.randn([3], { dtype: 'float64', rng: g.rng(1) }).requiresGrad_()]);
console.log(markdownTable([{ first: losses[0]!, last: losses[29]!, gain }]));
const page = renderReport({ title: 'packed', setup: { environment: environment() }, sections: [{ heading: 'run', charts: runChart(losses.map((l, step) => ({ step, trainAcc: 0, valAcc: 0, trainLoss: l }))) }] });
const pageOk = page.html.includes('grokkitCharts') && page.markdown.includes('Runtime: Node');
console.log(JSON.stringify({ fell: losses[29]! < losses[0]!, gain, page: pageOk, gpujsMode: gpujs.mode, product, webgpuProbed: typeof probe.ok === 'boolean', backends, worst }));
shutdownWasmThreads();
`;

/**
 * @grokkit/queue is for Node only (its Redis client's types use Node's): it is checked on its own,
 * with @types/node, so that Node's globals do not leak into the check of the other packages.
 */
const queueSnippet = `
import { parseRedisUrl, queueExecutor, type QueueExecutorOptions } from '@grokkit/queue';
// the executor is made without a server; only running a sweep on it needs one
const options: QueueExecutorOptions = { url: 'redis://:pw@10.0.0.5:6379', sweepId: 'packed' };
console.log(JSON.stringify({ label: parseRedisUrl(options.url).label, run: typeof queueExecutor(options).run }));
`;

let dir = '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('packs every package with its LICENSE, installs them into a fresh project, type-checks (skipLibCheck false) and runs', () => {
  expect(PACKAGES).toEqual(['core', 'datasets', 'diffusion', 'eval', 'filters', 'gpujs', 'queue', 'transformer', 'webgpu']);
  dir = mkdtempSync(join(tmpdir(), 'grokkit-pack-'));
  const tgz = join(dir, 'tgz');
  mkdirSync(tgz);
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  for (const p of PACKAGES) {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tgz], { cwd: join(root, 'packages', p), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [packed] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
    expect(packed!.files.map((f) => f.path), `@grokkit/${p}'s tarball`).toContain('LICENSE');
    expect(readFileSync(join(root, 'packages', p, 'LICENSE'), 'utf8'), `packages/${p}/LICENSE is the repository's LICENSE`).toBe(license);
  }
  const tarballs = readdirSync(tgz).map((f) => join(tgz, f));
  expect(tarballs).toHaveLength(PACKAGES.length);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  const typesNode = JSON.parse(readFileSync(join(root, 'node_modules/@types/node/package.json'), 'utf8')).version as string;
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, `@types/node@${typesNode}`], { cwd: dir, stdio: 'pipe' });
  writeFileSync(join(dir, 'main.ts'), snippet);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['main.ts'] }),
  );
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    throw new Error(`the installed packages do not type-check with skipLibCheck false:\n${(e as { stdout?: string }).stdout ?? String(e)}`);
  }
  writeFileSync(join(dir, 'queue.ts'), queueSnippet);
  writeFileSync(
    join(dir, 'tsconfig.queue.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['queue.ts'] }),
  );
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.queue.json'), '--pretty', 'false'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    throw new Error(`@grokkit/queue does not type-check with skipLibCheck false:\n${(e as { stdout?: string }).stdout ?? String(e)}`);
  }
  const queued = execFileSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'queue.ts'], { cwd: dir, encoding: 'utf8' });
  expect(JSON.parse(queued.trim().split('\n').pop()!)).toEqual({ label: '10.0.0.5:6379', run: 'function' });
  const out = execFileSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'main.ts'], { cwd: dir, encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').pop()!);
  expect(result.fell).toBe(true);
  expect(result.gain).toBeCloseTo(3, 6);
  expect(result.page).toBe(true); // @grokkit/eval's report script and @grokkit/eval/node came along
  expect(result.gpujsMode).toBe('cpu');
  expect(result.product).toEqual([7, 10, 15, 22]);
  expect(result.webgpuProbed).toBe(true);
  expect(result.backends).toEqual(expect.arrayContaining(['cpu', 'cpu-reference']));
  expect(result.worst).toBeLessThan(1e-6);
}, 480_000);
