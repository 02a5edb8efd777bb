/**
 * The Grokfast demo: train the paper's transformer on x·y mod 97 without a filter, with
 * Grokfast-EMA and with Grokfast-MA, on the same data and seed, and report how many steps each
 * needs to reach 95% validation accuracy.
 *
 *   npx tsx examples/grokfast/main.ts [--filter none|ema|ma] [--steps N] [--seed S] [--seeds 0,1,2]
 *       [--p 97] [--op mul] [--out DIR] [--until 0.95] [--batch 512] [--eval-every 10] [--lr 1e-3]
 *       [--weight-decay W] [--alpha 0.98] [--lamb L] [--window 100] [--dim 128] [--depth 2] [--progress auto|lines|false]
 *       [--queue redis://HOST:PORT [--job-timeout SECONDS]]
 *
 * Every filter × seed is one run of a sweep: in this process, one after another, or with --queue on
 * grokkit-worker processes anywhere (see docs/scaling.md; each arm's log.jsonl is then not written).
 *
 * The last line on stdout is one JSON object: {"runs":[{"filter","seed","stepsTo95","finalValAcc","wallSeconds",...}],"speedups":{...}}.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isModularOp, modularOpIds } from '@grokkit/datasets';
import { compareChart, markdownTable, palette, runChart, type ProgressMode } from '@grokkit/eval';
import { sweep, writeReport } from '@grokkit/eval/node';
import { queueExecutor } from '@grokkit/queue';
import { DEFAULTS, FILTERS, armSettings, run, type ArmConfig, type ArmOptions, type ArmResult, type FilterKind } from './experiment.js';

const LABEL: Record<FilterKind, string> = { none: 'baseline', ema: 'Grokfast-EMA', ma: 'Grokfast-MA' };

function fail(msg: string): never {
  console.error(`grokfast: ${msg}`);
  process.exit(2);
}

function num(name: string, v: string | undefined, fallback: number, check: (x: number) => boolean = Number.isFinite): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!check(x)) fail(`--${name} expects a number (${check === Number.isFinite ? 'finite' : 'see --help'}), got '${v}'`);
  return x;
}

const posInt = (x: number) => Number.isInteger(x) && x > 0;

export interface DemoOptions {
  filters: FilterKind[];
  seeds: number[];
  out: string;
  arm: Omit<ArmOptions, 'filter' | 'seed' | 'outDir'>;
  /** Run the arms on grokkit-worker processes through the Redis at this URL. */
  queue?: string;
  /** With `queue`: fail an arm whose attempt takes longer than this many seconds. */
  jobTimeout?: number;
}

export function parse(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      filter: { type: 'string' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      p: { type: 'string' },
      op: { type: 'string' },
      out: { type: 'string' },
      until: { type: 'string' },
      batch: { type: 'string' },
      'eval-every': { type: 'string' },
      lr: { type: 'string' },
      'weight-decay': { type: 'string' },
      alpha: { type: 'string' },
      lamb: { type: 'string' },
      window: { type: 'string' },
      dim: { type: 'string' },
      depth: { type: 'string' },
      progress: { type: 'string' },
      queue: { type: 'string' },
      'job-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npx tsx examples/grokfast/main.ts [--filter none|ema|ma] [--steps N] [--seed S | --seeds 0,1,2] [--p 97] [--op mul] [--out DIR]\n' +
        '       [--until 0.95] [--batch 512] [--eval-every 10] [--lr 1e-3] [--weight-decay W] [--alpha 0.98] [--lamb L] [--window 100]\n' +
        '       [--dim 128] [--depth 2] [--progress auto|bar|lines|false] [--queue redis://HOST:PORT [--job-timeout SECONDS]]',
    );
    process.exit(0);
  }
  const filters = values.filter === undefined ? [...FILTERS] : values.filter.split(',').map((f) => f.trim() as FilterKind);
  for (const f of filters) if (!FILTERS.includes(f)) fail(`--filter expects none, ema or ma, got '${f}'`);
  const seedList = values.seeds ?? values.seed ?? '0';
  const seeds = seedList.split(',').map((s) => num('seeds', s, 0, (x) => Number.isInteger(x) && x >= 0));
  const op = values.op ?? DEFAULTS.op;
  if (!isModularOp(op)) fail(`--op expects one of ${modularOpIds.join(', ')}, got '${op}'`);
  const progress = values.progress ?? 'auto';
  if (!['auto', 'bar', 'lines', 'false'].includes(progress)) fail(`--progress expects auto, bar, lines or false, got '${progress}'`);
  if (values['job-timeout'] !== undefined && !values.queue) fail('--job-timeout expects --queue too (it limits runs on the queue)');
  return {
    queue: values.queue,
    jobTimeout: values['job-timeout'] === undefined ? undefined : num('job-timeout', values['job-timeout'], 0, (x) => x > 0),
    filters,
    seeds,
    out: resolve(values.out ?? 'runs/grokfast'),
    arm: {
      ...DEFAULTS,
      p: num('p', values.p, DEFAULTS.p, (x) => Number.isInteger(x) && x >= 2),
      op,
      steps: num('steps', values.steps, DEFAULTS.steps, posInt),
      until: num('until', values.until, DEFAULTS.until),
      batchSize: num('batch', values.batch, DEFAULTS.batchSize, posInt),
      evalEvery: num('eval-every', values['eval-every'], DEFAULTS.evalEvery, posInt),
      lr: num('lr', values.lr, DEFAULTS.lr, (x) => x > 0),
      weightDecay: values['weight-decay'] === undefined ? undefined : num('weight-decay', values['weight-decay'], 0, (x) => x >= 0),
      alpha: num('alpha', values.alpha, DEFAULTS.alpha),
      lamb: values.lamb === undefined ? undefined : num('lamb', values.lamb, 0),
      windowSize: num('window', values.window, DEFAULTS.windowSize, posInt),
      dim: num('dim', values.dim, DEFAULTS.dim, posInt),
      depth: num('depth', values.depth, DEFAULTS.depth, posInt),
      progress: progress === 'false' ? false : (progress as ProgressMode),
    },
  };
}

/** Run every filter × seed, write the report, return the summary object printed last. */
export async function main(o: DemoOptions) {
  await mkdir(o.out, { recursive: true });
  // in this process each arm shows its own progress and writes its log; on the queue, workers write nothing here
  const configs: ArmConfig[] = o.filters.map((filter) => ({ ...o.arm, filter, ...(o.queue ? { progress: false } : { outRoot: o.out }) }));
  const res = await sweep<ArmConfig, ArmResult>({
    ...(o.queue
      ? { module: new URL('./experiment.ts', import.meta.url), executor: queueExecutor({ url: o.queue, sweepId: o.out, jobTimeoutSeconds: o.jobTimeout }), progress: o.arm.progress }
      : { run, workers: 0, progress: false }),
    configs,
    seeds: o.seeds,
    label: 'grokfast',
    onRun: ({ config: { filter }, seed, result: r, error }) => {
      if (!r) return console.error(`${LABEL[filter]} (seed ${seed}) failed: ${error!.split('\n')[0]}`);
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
  const summary = await main(parse(process.argv.slice(2)));
  console.log(JSON.stringify(summary));
}
