/**
 * The demo's Grokfast-EMA arm as `npm run demo` runs it (x·y mod 97, the paper's model, batch 512,
 * evaluation every 10 steps on the whole held-out half, stop at 95% validation accuracy), timed
 * in this process: steps and wall time to 95%, and the process's peak RSS.
 * Prints one JSON line.
 *
 *   npx tsx bench/grokfast-arm.ts [--filter ema|ma|none] [--seed 0] [--steps 2000] [--until 0.95] [--threads auto|1|2]
 *   node --experimental-wasm-relaxed-simd --import tsx bench/grokfast-arm.ts    (the FMA kernel on Node 20)
 */
import { parseArgs } from 'node:util';
import { setWasmThreads, wasmFma, wasmThreads } from '@grokkit/core/backend';
import { DEFAULTS, runArm, type FilterKind } from '../examples/grokfast/experiment.js';

const { values } = parseArgs({
  options: {
    filter: { type: 'string', default: 'ema' },
    seed: { type: 'string', default: '0' },
    steps: { type: 'string', default: String(DEFAULTS.steps) },
    until: { type: 'string', default: String(DEFAULTS.until) },
    threads: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npx tsx bench/grokfast-arm.ts [--filter ema|ma|none] [--seed 0] [--steps ${DEFAULTS.steps}] [--until ${DEFAULTS.until}] [--threads auto|1|2]

One arm of the Grokfast demo, as npm run demo runs it, timed in this process: one JSON line with the
steps to --until validation accuracy, the final accuracy, the wall time and the peak RSS. --threads sets
the cpu backend's matrix-product threads (default: the backend's own default).`);
  process.exit(0);
}
const filter = values.filter as FilterKind;
if (values.threads !== undefined) {
  const t = values.threads === 'auto' ? 'auto' : Number(values.threads);
  if (t !== 'auto' && t !== 1 && t !== 2) throw new Error(`--threads: expected auto, 1 or 2, got ${values.threads}`);
  setWasmThreads(t);
}
if (!['none', 'ema', 'ma'].includes(filter)) throw new Error(`--filter: expected none, ema or ma, got ${filter}`);

const t0 = performance.now();
const r = await runArm({ ...DEFAULTS, filter, seed: Number(values.seed), steps: Number(values.steps), until: Number(values.until), progress: false });
const wall = (performance.now() - t0) / 1000;
console.log(
  JSON.stringify({
    bench: 'grokfast-arm',
    filter,
    seed: Number(values.seed),
    fma: wasmFma(),
    threads: wasmThreads(),
    stepsTo95: r.stepsTo95,
    steps: r.steps,
    finalValAcc: r.finalValAcc,
    wallSeconds: Math.round(wall * 10) / 10,
    msPerStep: Math.round(r.msPerStep * 10) / 10,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
