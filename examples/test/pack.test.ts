/**
 * The packages as users get them: `npm pack` each one, install the tarballs into a fresh project
 * outside the repo (no workspace links), then type-check and run a TypeScript snippet against them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// the packages without third-party runtime dependencies (so the test needs no registry)
const PACKAGES = ['core', 'filters', 'transformer', 'datasets', 'eval', 'diffusion'];

const snippet = `
import * as g from '@grokkit/core';
import { listBackends, shutdownWasmThreads } from '@grokkit/core/backend';
import { gradcheck } from '@grokkit/core/testing';
import { grokfastEma, frequencyResponse } from '@grokkit/filters';
import { Decoder } from '@grokkit/transformer';
import { modularArithmetic } from '@grokkit/datasets';
import { markdownTable } from '@grokkit/eval';
import { maskTokens } from '@grokkit/diffusion';

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
// the subpaths: a kernel author's surface and the testing tools
const backends: string[] = listBackends();
const worst = gradcheck((x) => x.mul(x).sum(), [g.randn([3], { dtype: 'float64', rng: g.rng(1) }).requiresGrad_()]);
console.log(markdownTable([{ first: losses[0]!, last: losses[29]!, gain }]));
console.log(JSON.stringify({ fell: losses[29]! < losses[0]!, gain, backends, worst }));
shutdownWasmThreads();
`;

it('packs, installs into a fresh project, type-checks and runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'grokkit-pack-'));
  const tgz = join(dir, 'tgz');
  mkdirSync(tgz);
  for (const p of PACKAGES) execFileSync('npm', ['pack', '--silent', '--pack-destination', tgz], { cwd: join(root, 'packages', p), stdio: 'pipe' });
  const tarballs = readdirSync(tgz).map((f) => join(tgz, f));
  expect(tarballs).toHaveLength(PACKAGES.length);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', ...tarballs], { cwd: dir, stdio: 'pipe' });
  writeFileSync(join(dir, 'main.ts'), snippet);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['main.ts'] }),
  );
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir, stdio: 'pipe' });
  const out = execFileSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'main.ts'], { cwd: dir, encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').pop()!);
  expect(result.fell).toBe(true);
  expect(result.gain).toBeCloseTo(3, 6);
  expect(result.backends).toEqual(expect.arrayContaining(['cpu', 'cpu-reference']));
  expect(result.worst).toBeLessThan(1e-6);
}, 240_000);
