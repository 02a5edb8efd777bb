/**
 * GrokBench: every grokking accelerator we know of, side by side on the modular tasks, with one
 * engine, one data split per seed and the same seeds.
 *
 *   npx tsx examples/grokbench/main.ts [--methods ID,…] [--tasks mul,add,sub,div] [--seeds 0,1,2] [--steps N]
 *       [--workers W] [--out DIR] [--list] [--help]
 *
 * Every finished run is appended to DIR/runs.jsonl. A saved run with the same method, task, seed and
 * settings is reused when it reached 95% or ran at least --steps steps, so a sweep can be resumed,
 * extended, or reported together with runs made under another cap; a run that was interrupted, or
 * made under a smaller cap, continues from its folder's last checkpoint (one every 250 steps). The
 * last stdout line is {"results":[{"method","task","stepsTo95":{"median","values"},"finalValAcc":{"mean"},"wallSeconds"}]}.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCli, lockDir, makeDir, sweep, UsageError, type CliValues } from '@grokkit/eval/node';
import { DEFAULT_METHODS, listComponents, recipeOf } from './methods.js';
import { writeBenchReport } from './report.js';
import { BENCH_DEFAULTS, settingsKey, TASKS, type BenchConfig, type BenchJob, type BenchRun, type Task } from './run.js';
import { resultsJson, summarise } from './summary.js';

const HEADS = 4; // grokfastConfig's attention heads

export const cli = defineCli({
  name: 'grokbench',
  usage: 'npx tsx examples/grokbench/main.ts [options]',
  description:
    'GrokBench: grokking accelerators side by side on x∘y mod p, on the Grokfast experiment\'s model, data, batch\n' +
    'order and evaluation, with the same seeds; reports the steps each method needs to reach --until validation accuracy.',
  options: {
    methods: {
      type: 'string', list: true, default: DEFAULT_METHODS, placeholder: 'ID,…',
      description: "methods: components joined by '+', each with optional settings (grokfast-ema:lamb=5+compression); see --list",
    },
    tasks: { type: 'enum', choices: Object.keys(TASKS) as Task[], list: true, default: ['mul'], description: 'x·y, x+y, x−y, x÷y mod p' },
    seeds: { type: 'int', list: true, min: 0, default: [0, 1, 2], description: 'seeds; seed s fixes the split, the initialisation and the batch order' },
    steps: { type: 'int', min: 1, default: BENCH_DEFAULTS.steps, description: 'step cap per run; a run stops earlier at --until validation accuracy' },
    until: { type: 'number', above: 0, default: BENCH_DEFAULTS.until, description: 'stop a run at this validation accuracy (1 or more: run to the cap)' },
    workers: { type: 'int', min: 0, default: 1, description: 'parallel runs on worker threads (0: in this thread)' },
    out: {
      type: 'dir', default: 'runs/grokbench',
      description: 'output folder: report.html, report.md, runs.jsonl and one folder per run; saved runs are reused',
    },
    p: { type: 'int', min: 3, default: BENCH_DEFAULTS.p, description: 'modulus (a prime: x÷y divides by y)' },
    evalEvery: { type: 'int', min: 1, default: BENCH_DEFAULTS.evalEvery, description: 'evaluate every this many steps' },
    batch: { type: 'int', min: 1, default: BENCH_DEFAULTS.batchSize, description: 'minibatch size' },
    dim: { type: 'int', min: 1, default: BENCH_DEFAULTS.dim, description: `model width (a multiple of its ${HEADS} heads)` },
    depth: { type: 'int', min: 1, default: BENCH_DEFAULTS.depth, description: 'transformer layers' },
    list: { type: 'bool', description: 'print every component with its settings and where they come from, and exit' },
  },
  check: (v) => {
    if (v.dim % HEADS !== 0) return `--dim: expected a multiple of the model's ${HEADS} heads, got ${v.dim}`;
    for (const m of v.methods) {
      try {
        recipeOf(m);
      } catch (e) {
        return `--methods: ${(e as Error).message}`;
      }
    }
    return undefined;
  },
  notes:
    'Every finished run is appended to --out/runs.jsonl. A saved run with the same method, task, seed and settings is\n' +
    'reused when it reached --until or ran at least --steps steps, so a sweep can be resumed, extended, or reported\n' +
    'together with runs made under another cap; a run that was interrupted, or made under a smaller cap, continues\n' +
    'from its folder\'s last checkpoint (one every 250 steps). The last stdout line is\n' +
    '{"results":[{"method","task","stepsTo95":{"median","values"},"finalValAcc":{"mean"},"wallSeconds"}]}.',
});

export interface BenchOptions {
  methods: string[];
  tasks: Task[];
  seeds: number[];
  workers: number;
  out: string;
  config: Omit<BenchConfig, 'method' | 'task' | 'outDir'>;
}

/** The bench's options from parsed flags. */
export function options(v: CliValues<typeof cli.spec.options>): BenchOptions {
  return {
    methods: v.methods,
    tasks: v.tasks,
    seeds: v.seeds,
    workers: v.workers,
    out: v.out,
    config: { ...BENCH_DEFAULTS, steps: v.steps, until: v.until, p: v.p, evalEvery: v.evalEvery, batchSize: v.batch, dim: v.dim, depth: v.depth },
  };
}

/** The component list printed by --list. */
export function componentList(): string {
  const lines = [
    "Components (combine with +; override settings with id:key=value; lr and wd, Adam's, go on any component):",
    ...listComponents().map((line) => `  ${line}`),
    `Default methods: ${DEFAULT_METHODS.join(', ')}`,
  ];
  return lines.join('\n') + '\n';
}

/** The bench's options from command line arguments; throws a UsageError (one line) for bad ones. */
export const parse = (argv: readonly string[]): BenchOptions => options(cli.parse(argv));

/** A saved run with its settings (all but the step cap), so a later sweep can reuse it. */
interface Saved {
  key: string;
  run: BenchRun;
}

/** A saved run answers a request with cap `steps` if it reached 95% (at any step) or ran at least that far. */
const answers = (r: BenchRun, steps: number) => r.stepsTo95 !== null || r.steps >= steps;

function readSaved(file: string): Map<string, BenchRun[]> {
  const saved = new Map<string, BenchRun[]>();
  if (!existsSync(file)) return saved;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const s = JSON.parse(line) as Saved;
    saved.set(s.key, [...(saved.get(s.key) ?? []), s.run]);
  }
  return saved;
}

/** Run what is missing, write the report, and return the summary object printed last. */
export async function main(o: BenchOptions, command = 'grokbench') {
  try {
    makeDir(o.out);
  } catch (e) {
    throw e instanceof UsageError ? new UsageError(`--out: ${e.message}`) : e;
  }
  // one bench at a time per folder: two would append the same runs to runs.jsonl
  const lock = lockDir(o.out);
  try {
    return await runAll(o, command);
  } finally {
    lock.release();
  }
}

async function runAll(o: BenchOptions, command: string) {
  const savedFile = join(o.out, 'runs.jsonl');
  const saved = readSaved(savedFile);
  const configs: BenchConfig[] = o.tasks.flatMap((task) => o.methods.map((method) => ({ ...o.config, method, task })));
  const folder = (c: BenchConfig, seed: number) => join(o.out, `${c.task}-${c.method.replace(/[^a-z0-9.=+-]+/gi, '_')}-seed${seed}`);
  const find = (c: BenchConfig, seed: number) => (saved.get(settingsKey(c, seed)) ?? []).filter((r) => answers(r, c.steps)).at(-1);
  const todo: BenchJob[] = configs.flatMap((c) => o.seeds.filter((s) => !find(c, s)).map((seed) => ({ config: { ...c, outDir: folder(c, seed) }, seed })));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let failed = 0;
  if (todo.length) {
    // one job per missing (config, seed); the sweep's own seed list is a placeholder
    await sweep<BenchJob, BenchRun>({
      module: new URL('./run.ts', import.meta.url),
      exportName: 'runJob',
      configs: todo,
      seeds: [0],
      workers: o.workers,
      progress: false,
      onRun: ({ config: job, result: run, error }) => {
        if (error !== undefined || !run) {
          failed++;
          console.error(`grokbench: ${job.config.method} ${job.config.task} seed ${job.seed} failed:\n${error}`);
          return;
        }
        const key = settingsKey(job.config, job.seed);
        appendFileSync(savedFile, JSON.stringify({ key, run } satisfies Saved) + '\n');
        saved.set(key, [...(saved.get(key) ?? []), run]);
        const reached = run.stepsTo95 === null ? `not reached in ${run.steps} steps` : `reached at step ${run.stepsTo95}`;
        console.log(`${run.method} ${run.task} seed ${run.seed}: 95% val acc ${reached}; final val ${(100 * run.finalValAcc).toFixed(1)}%; ${run.wallSeconds.toFixed(0)} s (${run.msPerStep.toFixed(0)} ms/step)`);
      },
    });
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const runs = configs.flatMap((c) => o.seeds.map((s) => find(c, s)).filter((r): r is BenchRun => r !== undefined));
  if (runs.length === 0) throw new Error(`grokbench: no run finished (${failed} of ${todo.length} failed, above); no report written`);
  const cells = summarise(runs, o.methods, o.tasks);
  const written = await writeBenchReport({ out: o.out, command, runs, cells, methods: o.methods, tasks: o.tasks, seeds: o.seeds, wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, workers: o.workers });
  console.log(`report: ${written.html}`);
  if (failed > 0) throw new Error(`grokbench: ${failed} of ${todo.length} runs failed (above); the report has the ${runs.length} that finished`);
  return { results: resultsJson(cells) };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('examples/grokbench/main.ts')) {
  const argv = process.argv.slice(2);
  await cli.run(async (v) => {
    if (v.list) {
      process.stdout.write(componentList());
      return;
    }
    const summary = await main(options(v), `npx tsx examples/grokbench/main.ts ${argv.join(' ')}`.trim());
    console.log(JSON.stringify(summary));
  }, argv);
}
