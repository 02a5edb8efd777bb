/**
 * One training step of the Grokfast task model (width 128, 2 layers, 4 heads, vocab 99, T = 4,
 * batch 512, loss on the last position): forward + backward + Grokfast-EMA + Adam update.
 * Prints one JSON line with the median step time, and the median time of one evaluation as the demo
 * runs it every 10 steps (the 4,656 held-out equations of x·y mod 97, in chunks, no tape).
 *
 *   npx tsx bench/grokfast-step.ts [--backend cpu|cpu-reference|webgpu] [--steps 20] [--batch 512] [--threads auto|1|2]
 */
import { parseArgs } from 'node:util';
import * as g from '@grokkit/core';
import { setWasmThreads, shutdownWasmThreads, wasmThreads } from '@grokkit/core/backend';
import { grokfastEma } from '@grokkit/filters';
import { Decoder, grokfastConfig } from '@grokkit/transformer';
import { modularArithmetic } from '@grokkit/datasets';
import { evaluateHeldOut } from '../examples/grokfast/experiment.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' },
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '512' },
    threads: { type: 'string', default: 'auto' },
  },
});
const backend = values.backend!;
const steps = Number(values.steps);
const batch = Number(values.batch);
if (backend === 'webgpu') {
  const { createWebGPUBackend } = await import('@grokkit/webgpu' as string);
  await createWebGPUBackend();
}
if (values.threads !== 'auto') setWasmThreads(Number(values.threads) as 1 | 2);
g.setBackend(backend);

const r = g.rng(0);
const model = new Decoder(grokfastConfig(97, { rng: r }));
const tokens = g.randint(0, 99, [batch, 4], { rng: r });
const targets = g.randint(0, 97, [batch], { rng: r });
const opt = new g.Optimizer(model.namedParameters(), g.chain(grokfastEma({ alpha: 0.98, lamb: 2 }), g.adam({ lr: 1e-3, betas: [0.9, 0.98], weightDecay: 0.005 })));

async function step(): Promise<number> {
  const t0 = performance.now();
  const loss = g.tidy(() => {
    const l = g.crossEntropy(model.forward(tokens, { lastOnly: true }), targets);
    l.backward();
    opt.update();
    opt.zeroGrad();
    return g.keep(l.detach());
  });
  await loss.data(); // wait for the device
  loss.dispose();
  return performance.now() - t0;
}

for (let i = 0; i < 3; i++) await step(); // warm-up: JIT, pipelines, caches
const times: number[] = [];
for (let i = 0; i < steps; i++) times.push(await step());
times.sort((a, b) => a - b);
const val = modularArithmetic({ p: 97, op: 'mul', trainFraction: 0.5, seed: 0 }).val;
const evalTimes: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  g.tidy(() => g.noGrad(() => evaluateHeldOut(model, val)));
  evalTimes.push(performance.now() - t0);
}
evalTimes.sort((a, b) => a - b);
const q = (f: number) => Math.round(times[Math.min(times.length - 1, Math.floor(f * times.length))]! * 10) / 10;
console.log(
  JSON.stringify({
    bench: 'grokfast-step',
    backend,
    threads: backend === 'cpu' ? wasmThreads() : null,
    batch,
    params: model.numParameters(),
    steps,
    step_ms: q(0.5),
    p10_ms: q(0.1),
    p90_ms: q(0.9),
    eval_ms: Math.round(evalTimes[2]! * 10) / 10,
    eval_share: Math.round((evalTimes[2]! / (10 * times[Math.floor(times.length / 2)]!)) * 1000) / 1000,
    mean_ms: Math.round((times.reduce((s, t) => s + t, 0) / times.length) * 10) / 10,
  }),
);
shutdownWasmThreads();
