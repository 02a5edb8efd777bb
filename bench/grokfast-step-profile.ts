/**
 * Where one Grokfast step's time goes on the cpu backend, kernel by kernel: the step of
 * bench/grokfast-step.ts (and one evaluation of the 4,656 held-out equations, as the demo runs it
 * every 10 steps) on a copy of the cpu backend whose every kernel call is timed, keyed by the op and
 * its input shapes, per run: `ms` the median run, `mean_ms` the mean, and of the mean the kernels'
 * share (`matmul_ms` for the matrix products, `other_kernels_ms`) and `outside_ms`, the rest: building
 * the graph, the tape, the optimizer's bookkeeping, allocation. The timer adds a little to every call.
 * Prints one JSON line.
 *
 *   npx tsx bench/grokfast-step-profile.ts [--steps 30] [--threads auto|1|2] [--top 20]
 */
import { parseArgs } from 'node:util';
import * as g from '@grokkit/core';
import { getBackend, registerBackend, setWasmThreads, shutdownWasmThreads, wasmThreads, type Backend } from '@grokkit/core/backend';
import { modularArithmetic } from '@grokkit/datasets';
import { grokfastEma } from '@grokkit/filters';
import { Decoder, grokfastConfig } from '@grokkit/transformer';
import { evaluateHeldOut } from '../examples/grokfast/experiment.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '30' },
    threads: { type: 'string', default: 'auto' },
    top: { type: 'string', default: '20' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npx tsx bench/grokfast-step-profile.ts [--steps 30] [--threads auto|1|2] [--top 20]

One Grokfast step and one evaluation on the cpu backend with every kernel call timed: one JSON line
with the median and mean run, the matrix products' and the other kernels' ms, the rest, and the
--top kernels by time (op and input shapes, ms and calls per run).`);
  process.exit(0);
}
const steps = Number(values.steps);
const top = Number(values.top);
if (values.threads !== 'auto') setWasmThreads(Number(values.threads) as 1 | 2);

/** ms and calls per kernel key, while `timing` */
const spent = new Map<string, { ms: number; calls: number }>();
let timing = false;
type AnyFn = (...a: unknown[]) => unknown;
function timed<T extends object>(table: T, prefix: string): T {
  const out: Record<string, unknown> = {};
  for (const [op, k] of Object.entries(table)) {
    out[op] =
      typeof k !== 'function'
        ? k
        : (...a: unknown[]) => {
            if (!timing) return (k as AnyFn)(...a);
            const t0 = performance.now();
            const r = (k as AnyFn)(...a);
            const ms = performance.now() - t0;
            const shapes = (a[0] as { shape: number[] }[]).map((t) => t.shape);
            const key = `${prefix}${op} ${JSON.stringify(shapes)}`;
            const s = spent.get(key) ?? { ms: 0, calls: 0 };
            s.ms += ms;
            s.calls++;
            spent.set(key, s);
            return r;
          };
  }
  return out as T;
}
const cpu = getBackend('cpu') as Backend;
registerBackend({ ...cpu, name: 'cpu-profiled', kernels: timed(cpu.kernels, ''), fused: timed(cpu.fused, 'fused:') });
g.setBackend('cpu-profiled');

const r = g.rng(0);
const model = new Decoder(grokfastConfig(97, { rng: r }));
const tokens = g.randint(0, 99, [512, 4], { rng: r });
const targets = g.randint(0, 97, [512], { rng: r });
const opt = new g.Optimizer(model.namedParameters(), g.chain(grokfastEma({ alpha: 0.98, lamb: 2 }), g.adam({ lr: 1e-3, betas: [0.9, 0.98], weightDecay: 0.005 })));
const val = modularArithmetic({ p: 97, op: 'mul', trainFraction: 0.5, seed: 0 }).val;

function step(): void {
  g.tidy(() => {
    const l = g.crossEntropy(model.forward(tokens, { lastOnly: true }), targets);
    l.backward();
    opt.update();
    opt.zeroGrad();
    l.item();
  });
}
const evaluate = (): void => void g.tidy(() => g.noGrad(() => evaluateHeldOut(model, val)));

/** Run `f` n times with every kernel timed: the median wall time and the kernels' table, per run. */
function profile(f: () => void, n: number) {
  for (let i = 0; i < 3; i++) f(); // warm-up
  spent.clear();
  timing = true;
  const walls: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    walls.push(performance.now() - t0);
  }
  timing = false;
  walls.sort((a, b) => a - b);
  const rows = [...spent].map(([key, s]) => ({ kernel: key, ms: s.ms / n, calls: s.calls / n })).sort((a, b) => b.ms - a.ms);
  const kernelMs = rows.reduce((s, x) => s + x.ms, 0);
  const matmulMs = rows.filter((x) => /^(matmul|fused:linear) /.test(x.kernel)).reduce((s, x) => s + x.ms, 0);
  const r1 = (v: number) => Math.round(v * 100) / 100;
  const mean = walls.reduce((s, w) => s + w, 0) / n;
  return {
    ms: r1(walls[walls.length >> 1]!),
    mean_ms: r1(mean),
    kernels_ms: r1(kernelMs),
    matmul_ms: r1(matmulMs),
    other_kernels_ms: r1(kernelMs - matmulMs),
    outside_ms: r1(mean - kernelMs),
    top: rows.slice(0, top).map((x) => ({ ...x, ms: r1(x.ms), calls: r1(x.calls) })),
  };
}

const stepProfile = profile(step, steps);
const evalProfile = profile(evaluate, Math.max(3, Math.round(steps / 10)));
console.log(JSON.stringify({ bench: 'grokfast-step-profile', backend: 'cpu', threads: wasmThreads(), batch: 512, steps, step: stepProfile, evaluation: evalProfile }));
shutdownWasmThreads();
