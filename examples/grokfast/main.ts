/**
 * The Grokfast demo: train the paper's transformer on x·y mod 97 without a filter, with
 * Grokfast-EMA and with Grokfast-MA, on the same data and seed, and report how many steps each
 * needs to reach 95% validation accuracy. `npx tsx examples/grokfast/main.ts --help` lists the
 * options. The last line on stdout is one JSON object:
 * {"runs":[{"filter","seed","stepsTo95","finalValAcc","wallSeconds",...}],"speedups":{...}}.
 *
 * Every filter × seed is one run of a sweep: in this process, one after another, or with --queue on
 * grokkit-worker processes anywhere (see docs/scaling.md; each arm's log and checkpoint are then kept
 * by the queue, not in --out).
 */
import { MODULAR_OPS, isPrime, modularOpIds } from '@grokkit/datasets';
import { compareChart, markdownTable, palette, runChart, type ProgressMode } from '@grokkit/eval';
import { claimOutDir, defineCli, sweep, writeReport, type CliValues } from '@grokkit/eval/node';
import { parseRedisUrl, queueExecutor } from '@grokkit/queue';
import { DEFAULTS, FILTERS, PAPER, armSettings, run, type ArmConfig, type ArmOptions, type ArmResult, type FilterKind } from './experiment.js';

const LABEL: Record<FilterKind, string> = { none: 'baseline', ema: 'Grokfast-EMA', ma: 'Grokfast-MA' };
const HEADS = 4; // grokfastConfig's attention heads

export const cli = defineCli({
  name: 'grokfast',
  usage: 'npx tsx examples/grokfast/main.ts [options]',
  description:
    "The Grokfast demo: the paper's causal transformer learns x∘y mod p from half of the equations with Adam,\n" +
    'without a filter (baseline), with Grokfast-EMA and with Grokfast-MA, on the same data and seed; the report\n' +
    'says how many steps each arm needs to reach 95% validation accuracy.',
  options: {
    filter: { type: 'enum', choices: FILTERS, list: true, default: FILTERS, description: 'arms: none (plain Adam), ema (Grokfast-EMA), ma (Grokfast-MA)' },
    seeds: { type: 'int', list: true, min: 0, default: [0], description: 'seeds; each runs every arm (data split, init and batch order)' },
    steps: { type: 'int', min: 1, default: DEFAULTS.steps, description: 'most optimizer steps per arm' },
    until: { type: 'number', min: 0, default: DEFAULTS.until, description: 'stop an arm once its val accuracy reaches this (1 or more: never)' },
    p: { type: 'int', min: 2, default: DEFAULTS.p, description: 'modulus' },
    op: { type: 'enum', choices: modularOpIds, default: DEFAULTS.op, description: 'operation x∘y' },
    dim: { type: 'int', min: 1, default: DEFAULTS.dim, description: `model width (a multiple of its ${HEADS} heads)` },
    depth: { type: 'int', min: 1, default: DEFAULTS.depth, description: 'transformer layers' },
    batch: { type: 'int', min: 1, default: DEFAULTS.batchSize, description: 'minibatch size' },
    lr: { type: 'number', above: 0, default: DEFAULTS.lr, description: 'Adam learning rate (betas 0.9, 0.98; 10-step linear warmup)' },
    weightDecay: {
      type: 'number', min: 0,
      defaultText: `per arm as in the paper: none ${PAPER.none.weightDecay}, ema ${PAPER.ema.weightDecay}, ma ${PAPER.ma.weightDecay}`,
      description: "Adam's L2 weight decay, for every arm",
    },
    lamb: { type: 'number', defaultText: `per arm as in the paper: ema ${PAPER.ema.lamb}, ma ${PAPER.ma.lamb}`, description: 'λ, the amplification of the slow gradient (ema and ma arms)' },
    alpha: { type: 'number', min: 0, below: 1, default: DEFAULTS.alpha, description: 'α, the EMA decay (ema arm)' },
    window: { type: 'int', min: 1, default: DEFAULTS.windowSize, description: 'window of the moving average, in steps (ma arm)' },
    evalEvery: { type: 'int', min: 1, default: DEFAULTS.evalEvery, description: 'evaluate every this many steps' },
    checkpointEvery: { type: 'int', min: 1, default: 100, description: 'checkpoint each arm every this many steps (for --resume)' },
    out: { type: 'dir', default: 'runs/grokfast', description: 'folder for the report and each arm\'s log and checkpoint' },
    resume: { type: 'bool', description: 'continue the run in --out: each arm from its last checkpoint; finished arms are not rerun' },
    overwrite: { type: 'bool', description: 'replace a previous run in --out' },
    progress: { type: 'enum', choices: ['auto', 'bar', 'lines', 'false'], default: 'auto', description: 'progress on stderr: a bar on a terminal (auto), plain lines, or none' },
    queue: { type: 'string', placeholder: 'redis://HOST:PORT', description: 'run the arms on grokkit-worker processes through this Redis (docs/scaling.md)' },
    runTimeout: { type: 'number', above: 0, placeholder: 'SECONDS', defaultText: 'none', description: 'with --queue: time limit of each attempt at an arm; an arm over it is recorded as failed and the others go on' },
  },
  check: (v) => {
    if (v.dim % HEADS !== 0) return `--dim: expected a multiple of the model's ${HEADS} heads, got ${v.dim}`;
    if (MODULAR_OPS[v.op].needsPrime && !isPrime(v.p)) return `--p: expected a prime for --op ${v.op} (it divides by y), got ${v.p}`;
    if (v.queue !== undefined) {
      try {
        parseRedisUrl(v.queue);
      } catch (e) {
        return `--queue: ${(e as Error).message}`;
      }
    }
    // in this process a time limit could only stop waiting for an arm, not stop the arm
    if (v.runTimeout !== undefined && v.queue === undefined) return `--run-timeout: expected --queue too (arms in this process cannot be stopped), got --run-timeout ${v.runTimeout} alone`;
    return undefined;
  },
  notes:
    'Writes report.html, report.md and its charts to --out, and each arm\'s log.jsonl and checkpoint to --out/<filter>-seed<seed>.\n' +
    'The last line on stdout is one JSON object: {"runs":[{"filter","seed","stepsTo95","finalValAcc",...}],"speedups":{...}}.',
});

export interface DemoOptions {
  filters: FilterKind[];
  seeds: number[];
  out: string;
  resume: boolean;
  overwrite: boolean;
  /** Run the arms on grokkit-worker processes through the Redis at this URL. */
  queue?: string;
  /** Time limit of one arm in seconds. */
  runTimeout?: number;
  arm: Omit<ArmOptions, 'filter' | 'seed' | 'outDir' | 'resume' | 'overwrite'> & { checkpointEvery: number };
}

/** The demo's options from parsed flags. */
export function options(v: CliValues<typeof cli.spec.options>): DemoOptions {
  return {
    filters: v.filter,
    seeds: v.seeds,
    out: v.out,
    resume: v.resume,
    overwrite: v.overwrite,
    queue: v.queue,
    runTimeout: v.runTimeout,
    arm: {
      p: v.p,
      op: v.op,
      steps: v.steps,
      until: v.until,
      batchSize: v.batch,
      evalEvery: v.evalEvery,
      lr: v.lr,
      weightDecay: v.weightDecay,
      alpha: v.alpha,
      lamb: v.lamb,
      windowSize: v.window,
      dim: v.dim,
      depth: v.depth,
      checkpointEvery: v.checkpointEvery,
      progress: v.progress === 'false' ? false : (v.progress as ProgressMode),
    },
  };
}

/** The demo's options from command line arguments; throws a UsageError (one line) for bad ones. */
export const parse = (argv: readonly string[]): DemoOptions => options(cli.parse(argv));

/** Run every filter × seed, write the report, return the summary object printed last. */
export async function main(o: DemoOptions) {
  // the settings that decide the results; a resumed run must have the same
  const { progress: _progress, checkpointEvery: _every, ...arm } = o.arm;
  const claim = claimOutDir(o.out, { settings: { filters: o.filters, seeds: o.seeds, ...arm }, resume: o.resume, overwrite: o.overwrite, name: '--out' });
  try {
    return await runAll(o);
  } finally {
    claim.release();
  }
}

async function runAll(o: DemoOptions) {
  // in this process each arm shows its own progress and keeps its log and checkpoint in --out;
  // on the queue, the queue keeps the checkpoints and the sweep shows the progress
  const configs: ArmConfig[] = o.filters.map((filter) => ({ ...o.arm, filter, ...(o.queue ? { progress: false } : { outRoot: o.out, resume: o.resume, overwrite: o.overwrite }) }));
  const res = await sweep<ArmConfig, ArmResult>({
    ...(o.queue
      ? { module: new URL('./experiment.ts', import.meta.url), executor: queueExecutor({ url: o.queue, sweepId: o.out, checkpointEvery: o.arm.checkpointEvery, overwrite: o.overwrite }), progress: o.arm.progress }
      : { run, workers: 0, progress: false }),
    configs,
    seeds: o.seeds,
    timeoutSeconds: o.runTimeout,
    label: 'grokfast',
    onRun: ({ config: { filter }, seed, result: r, error }) => {
      if (!r) return void console.error(`${LABEL[filter]} (seed ${seed}) failed: ${error!.split('\n')[0]}`);
      const reached = r.stepsTo95 === null ? `not reached in ${r.steps} steps` : `reached at step ${r.stepsTo95}`;
      console.log(`${LABEL[filter]} (seed ${seed}): 95% val acc ${reached}; final val acc ${(100 * r.finalValAcc).toFixed(1)}%; ${r.wallSeconds.toFixed(1)} s (${r.msPerStep.toFixed(0)} ms/step)`);
    },
  });
  // seed-major, as the report and the summary list them; failed arms are left out (their errors are above)
  const runs = o.seeds.flatMap((seed) => o.filters.flatMap((filter) => res.runs.filter((r) => r.seed === seed && r.config.filter === filter && r.result).map((r) => r.result!)));
  if (runs.length === 0) throw new Error(`all ${res.runs.length} arms failed`);
  // speed-up of each filter over the baseline on the same seed (steps to 95%)
  const speedups: Record<string, number | null> = {};
  for (const f of o.filters.filter((f) => f !== 'none')) {
    const ratios = o.seeds.map((s) => {
      const base = runs.find((r) => r.filter === 'none' && r.seed === s);
      const arm = runs.find((r) => r.filter === f && r.seed === s)!;
      if (!base || arm.stepsTo95 === null) return null;
      // a baseline that never got there gives a lower bound: its step budget
      return (base.stepsTo95 ?? base.steps) / arm.stepsTo95;
    });
    const ok = ratios.filter((x): x is number => x !== null);
    speedups[f] = ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
  }
  await report(o, runs, speedups);
  return {
    runs: runs.map(({ history, ...r }) => ({ ...r, finalValAcc: round(r.finalValAcc), finalTrainAcc: round(r.finalTrainAcc), wallSeconds: round(r.wallSeconds, 1), msPerStep: round(r.msPerStep, 1) })),
    speedups,
  };
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

const COLOR: Record<FilterKind, string> = { none: palette[6]!, ema: palette[1]!, ma: palette[2]! };

/** The mean speed-ups as a sentence, or why there are none. */
function speedupText(o: DemoOptions, runs: ArmResult[], speedups: Record<string, number | null>): string {
  if (!o.filters.includes('none')) return `No baseline arm was run (--filter ${o.filters.join(',')}), so there is no speed-up to report.`;
  const arms = Object.entries(speedups);
  if (arms.length === 0) return 'Only the baseline was run, so there is no speed-up to report.';
  // where the baseline never got there, its step budget stands in: the speed-up is a lower bound
  const bound = runs.some((r) => r.filter === 'none' && r.stepsTo95 === null) ? '≥ ' : '';
  const parts = arms.map(([k, v]) => `${LABEL[k as FilterKind]} ${v === null ? `none (it did not reach 95% on any seed)` : `${bound}×${v.toFixed(1)}`}`);
  return `Mean speed-up over the baseline (steps to 95% validation accuracy, same seed${bound ? '; ≥: the baseline did not reach 95% within its budget' : ''}): ${parts.join(', ')}.`;
}

/** Write the report of finished runs to `o.out`. */
export async function report(o: DemoOptions, runs: ArmResult[], speedups: Record<string, number | null>) {
  const name = (r: ArmResult) => `${LABEL[r.filter]}${o.seeds.length > 1 ? ` seed ${r.seed}` : ''}`;
  const table = markdownTable(
    runs.map((r) => {
      const base = runs.find((b) => b.filter === 'none' && b.seed === r.seed);
      const speedup = r.filter === 'none' || !base || r.stepsTo95 === null ? null : (base.stepsTo95 ?? base.steps) / r.stepsTo95;
      return {
        filter: LABEL[r.filter],
        seed: r.seed,
        'steps to 95% val': r.stepsTo95 ?? `> ${r.steps}`,
        ...(o.filters.includes('none') ? { 'speed-up': speedup === null ? '—' : `${base?.stepsTo95 === null ? '≥ ' : ''}×${speedup.toFixed(1)}` } : {}),
        'final val acc': r.finalValAcc,
        'final train acc': r.finalTrainAcc,
        'ms/step': Math.round(r.msPerStep),
        'wall s': Math.round(r.wallSeconds),
      };
    }),
  );
  const a = o.arm;
  const written = await writeReport(o.out, {
    title: `Grokfast on x${a.op === 'mul' ? '·' : ` ${a.op} `}y mod ${a.p}`,
    intro:
      `Causal transformer (width ${a.dim}, ${a.depth} layers) trained with Adam on half of the equations, with and without a Grokfast ` +
      `gradient filter, on the same data and seed; evaluated every ${a.evalEvery} steps on the held-out half. Training accuracy and loss ` +
      `are measured on the minibatches since the previous evaluation. Training stops at ${a.until >= 1 ? 'the step budget' : `${a.until * 100}% val acc`} (budget ${a.steps} steps).`,
    setup: {
      arms: Object.fromEntries(o.filters.map((f) => [LABEL[f], armSettings({ ...a, filter: f })])),
      shared: { optimizer: 'Adam', lr: a.lr, betas: [0.9, 0.98], 'lr warmup steps': 10, batch: a.batchSize, width: a.dim, layers: a.depth, p: a.p, op: a.op, 'train fraction': 0.5, seeds: o.seeds },
    },
    sections: [
      { heading: 'Steps to 95% validation accuracy', markdown: `${table}\n${speedupText(o, runs, speedups)}` },
      { heading: 'Validation accuracy of every run', charts: compareChart(runs.map((r) => ({ name: name(r), records: r.history, color: COLOR[r.filter] })), { yLabel: 'val acc' }) },
      {
        heading: 'Each run: train and validation accuracy, loss',
        markdown: 'Dashed: training accuracy; solid: validation accuracy (left axis); grey: training and validation loss (right axis, log scale). Markers: first evaluation at or above 95%.',
        charts: runs.map((r) => runChart(r.history, { title: name(r), color: COLOR[r.filter] })),
      },
    ],
  });
  console.log(`report: ${written.html}`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('examples/grokfast/main.ts')) {
  await cli.run(async (v) => console.log(JSON.stringify(await main(options(v)))));
}
