/**
 * One training step of the Grokfast task model (width 128, 2 layers, 4 heads, vocab 99, T = 4,
 * batch 512, loss on the last position): forward + backward + Grokfast-EMA + Adam update.
 * Prints one JSON line with the median step time and the median time of its optimizer update
 * (`update_ms`: on webgpu the time to queue it); on cpu also the median time of one evaluation as
 * the demo runs it every 10 steps (the 4,656 held-out equations of x·y mod 97, in chunks, no tape)
 * and its share of 10 steps; on webgpu what a timed step recorded on average (the backend's stats()
 * counters over the timed steps ÷ steps): dispatches, submissions, bind groups and GPU buffers
 * created, queue writes and readbacks.
 *
 * `--unfused` (webgpu) runs every elementwise op as its own kernel, for comparison; `loss` is the
 * last step's loss, equal between the two up to rounding.
 *
 *   npx tsx bench/grokfast-step.ts [--backend cpu|cpu-reference|webgpu] [--steps 20] [--batch 512] [--threads auto|1|2] [--unfused]
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
    unfused: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npx tsx bench/grokfast-step.ts [--backend cpu|cpu-reference|webgpu] [--steps 20] [--batch 512] [--threads auto|1|2] [--unfused]

One Grokfast training step (forward, backward, Grokfast-EMA + Adam update) of the demo's model: one
JSON line with the median step and update times (update_ms), the last loss, on cpu one evaluation's
time and its share of ten steps, on webgpu the backend's counters per step (--unfused: no
elementwise fusion).`);
  process.exit(0);
}
const backend = values.backend!;
const steps = Number(values.steps);
const batch = Number(values.batch);
type Counters = Record<string, number>;
let counters: (() => Counters) | null = null;
let adapter: string | null = null;
if (backend === 'webgpu') {
  const { createWebGPUBackend } = await import('@grokkit/webgpu' as string);
  const b = await createWebGPUBackend({ fuseElementwise: !values.unfused });
  counters = () => b.stats();
  adapter = [b.adapter.vendor, b.adapter.architecture, b.adapter.device, b.adapter.description].filter(Boolean).join(' ');
  adapter += ` (${b.device.limits.maxStorageBuffersPerShaderStage} storage buffers per kernel)`;
}
if (values.threads !== 'auto') setWasmThreads(Number(values.threads) as 1 | 2);
g.setBackend(backend);

const r = g.rng(0);
const model = new Decoder(grokfastConfig(97, { rng: r }));
const tokens = g.randint(0, 99, [batch, 4], { rng: r });
const targets = g.randint(0, 97, [batch], { rng: r });
const opt = new g.Optimizer(model.namedParameters(), g.chain(grokfastEma({ alpha: 0.98, lamb: 2 }), g.adam({ lr: 1e-3, betas: [0.9, 0.98], weightDecay: 0.005 })));

let lastLoss = NaN;
/** The last step's optimizer update (filter + Adam + p + u), as queued on the host. */
let lastUpdate = NaN;
async function step(): Promise<number> {
  const t0 = performance.now();
  const loss = g.tidy(() => {
    const l = g.crossEntropy(model.forward(tokens, { lastOnly: true }), targets);
    l.backward();
    const u0 = performance.now();
    opt.update();
    lastUpdate = performance.now() - u0;
    opt.zeroGrad();
    return g.keep(l.detach());
  });
  lastLoss = (await loss.data())[0]!; // wait for the device
  loss.dispose();
  return performance.now() - t0;
}

for (let i = 0; i < 3; i++) await step(); // warm-up: JIT, pipelines, caches
const before = counters?.();
const times: number[] = [];
const updates: number[] = [];
for (let i = 0; i < steps; i++) {
  times.push(await step());
  updates.push(lastUpdate);
}
updates.sort((a, b) => a - b);
const after = counters?.();
const PER_STEP = ['dispatches', 'submits', 'bindGroups', 'buffersCreated', 'writes', 'reads'] as const;
const perStep = before && after ? Object.fromEntries(PER_STEP.map((k) => [`${k}_per_step`, Math.round(((after[k]! - before[k]!) / steps) * 10) / 10])) : {};
times.sort((a, b) => a - b);
const evalTimes: number[] = [];
if (backend === 'cpu') {
  const val = modularArithmetic({ p: 97, op: 'mul', trainFraction: 0.5, seed: 0 }).val;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    g.tidy(() => g.noGrad(() => evaluateHeldOut(model, val)));
    evalTimes.push(performance.now() - t0);
  }
  evalTimes.sort((a, b) => a - b);
}
const evalMs = evalTimes[2];
const q = (f: number) => Math.round(times[Math.min(times.length - 1, Math.floor(f * times.length))]! * 10) / 10;
console.log(
  JSON.stringify({
    bench: 'grokfast-step',
    backend: backend === 'webgpu' && values.unfused ? 'webgpu-unfused' : backend,
    threads: backend === 'cpu' ? wasmThreads() : null,
    batch,
    params: model.numParameters(),
    steps,
    step_ms: q(0.5),
    p10_ms: q(0.1),
    p90_ms: q(0.9),
    mean_ms: Math.round((times.reduce((s, t) => s + t, 0) / times.length) * 10) / 10,
    update_ms: Math.round(updates[Math.floor(updates.length / 2)]! * 100) / 100,
    ...(evalMs !== undefined ? { eval_ms: Math.round(evalMs * 10) / 10, eval_share: Math.round((evalMs / (10 * times[Math.floor(times.length / 2)]!)) * 1000) / 1000 } : {}),
    loss: lastLoss,
    ...(adapter !== null ? { adapter } : {}),
    ...perStep,
  }),
);
shutdownWasmThreads();
