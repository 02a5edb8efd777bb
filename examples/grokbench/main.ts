/**
 * GrokBench: every grokking accelerator we know of, side by side on the modular tasks, with one
 * engine, one data split per seed and the same seeds.
 *
 *   npx tsx examples/grokbench/main.ts [--methods ID,…] [--tasks mul,add,sub,div] [--seeds 0,1,2] [--steps N]
 *       [--workers W] [--out DIR] [--list] [--help]
 *
 * Every finished run is appended to DIR/runs.jsonl. A saved run with the same method, task, seed and
 * settings is reused when it reached 95% or ran at least --steps steps, so a sweep can be resumed,
 * extended, or reported together with runs made under another cap. The last stdout line is
 * {"results":[{"method","task","stepsTo95":{"median","values"},"finalValAcc":{"mean"},"wallSeconds"}]}.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sweep } from '@grokkit/eval';
import { DEFAULT_METHODS, listComponents, recipeOf } from './methods.js';
import { writeBenchReport } from './report.js';
import { BENCH_DEFAULTS, TASKS, type BenchConfig, type BenchJob, type BenchRun, type Task } from './run.js';
import { resultsJson, summarise } from './summary.js';

const USAGE = `usage: npx tsx examples/grokbench/main.ts [--methods ID,…] [--tasks mul,add,sub,div] [--seeds 0,1,2] [--steps N]
       [--workers W] [--out DIR] [--until 0.95] [--p 97] [--eval-every 10] [--batch 512] [--dim 128] [--depth 2] [--list] [--help]

  --methods   comma-separated methods (default: ${DEFAULT_METHODS.join(',')});
              a method joins components with '+', each with optional settings: grokfast-ema:lamb=5+compression
  --tasks     x·y, x+y, x−y, x÷y mod p (default mul)
  --seeds     seeds (default 0,1,2); seed s fixes the split, the initialisation and the batch order
  --steps     step cap per run (default ${BENCH_DEFAULTS.steps}); a run stops at --until validation accuracy
  --workers   parallel runs on worker threads (default 1; 0 runs in this thread)
  --out       output folder (default runs/grokbench): report.html, report.md, one folder per run, and runs.jsonl,
              whose runs are reused when they reached 95% or ran at least --steps steps
  --list      print every component with its settings and where they come from`;

function fail(msg: string): never {
  console.error(`grokbench: ${msg}`);
  process.exit(2);
}

export interface BenchOptions {
  methods: string[];
  tasks: Task[];
  seeds: number[];
  workers: number;
  out: string;
  config: Omit<BenchConfig, 'method' | 'task' | 'outDir'>;
}

const int = (name: string, v: string | undefined, fallback: number, min: number): number => {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) fail(`--${name} expects an integer ≥ ${min}, got '${v}'`);
  return x;
};
const list = (v: string) => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Parse the command line; `--list` and `--help` print and return null. */
export function parse(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      methods: { type: 'string' },
      tasks: { type: 'string' },
      seeds: { type: 'string' },
      steps: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      until: { type: 'string' },
      p: { type: 'string' },
      'eval-every': { type: 'string' },
      batch: { type: 'string' },
      dim: { type: 'string' },
      depth: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  if (values.list) {
    console.log('Components (combine with +; override settings with id:key=value; lr and wd, Adam\'s, go on any component):');
    for (const line of listComponents()) console.log(`  ${line}`);
    console.log(`Default methods: ${DEFAULT_METHODS.join(', ')}`);
    return null;
  }
  const methods = values.methods === undefined ? [...DEFAULT_METHODS] : list(values.methods);
  if (methods.length === 0) fail('--methods expects at least one method');
  for (const m of methods) {
    try {
      recipeOf(m);
    } catch (e) {
      fail(`--methods: ${(e as Error).message}`);
    }
  }
  const tasks = list(values.tasks ?? 'mul');
  for (const t of tasks) if (!(t in TASKS)) fail(`--tasks expects some of ${Object.keys(TASKS).join(', ')}, got '${t}'`);
  const seeds = list(values.seeds ?? '0,1,2').map((s) => int('seeds', s, 0, 0));
  if (seeds.length === 0) fail('--seeds expects at least one seed');
  const until = values.until === undefined ? BENCH_DEFAULTS.until : Number(values.until);
  if (!(until > 0)) fail(`--until expects a number > 0, got '${values.until}'`);
  return {
    methods,
    tasks: tasks as Task[],
    seeds,
    workers: int('workers', values.workers, 1, 0),
    out: resolve(values.out ?? 'runs/grokbench'),
    config: {
      ...BENCH_DEFAULTS,
      steps: int('steps', values.steps, BENCH_DEFAULTS.steps, 1),
      until,
      p: int('p', values.p, BENCH_DEFAULTS.p, 3),
      evalEvery: int('eval-every', values['eval-every'], BENCH_DEFAULTS.evalEvery, 1),
      batchSize: int('batch', values.batch, BENCH_DEFAULTS.batchSize, 1),
      dim: int('dim', values.dim, BENCH_DEFAULTS.dim, 1),
      depth: int('depth', values.depth, BENCH_DEFAULTS.depth, 1),
    },
  };
}

/** A saved run with its settings (all but the step cap), so a later sweep can reuse it. */
interface Saved {
  key: string;
  run: BenchRun;
}

const keyOf = (c: BenchConfig, seed: number) => JSON.stringify([c.method, c.task, seed, c.p, c.until, c.evalEvery, c.batchSize, c.dim, c.depth, c.spectrumWindow, c.spectrumCutoff]);

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
  await mkdir(o.out, { recursive: true });
  const savedFile = join(o.out, 'runs.jsonl');
  const saved = readSaved(savedFile);
  const configs: BenchConfig[] = o.tasks.flatMap((task) => o.methods.map((method) => ({ ...o.config, method, task })));
  const folder = (c: BenchConfig, seed: number) => join(o.out, `${c.task}-${c.method.replace(/[^a-z0-9.=+-]+/gi, '_')}-seed${seed}`);
  const find = (c: BenchConfig, seed: number) => (saved.get(keyOf(c, seed)) ?? []).filter((r) => answers(r, c.steps)).at(-1);
  const todo: BenchJob[] = configs.flatMap((c) => o.seeds.filter((s) => !find(c, s)).map((seed) => ({ config: { ...c, outDir: folder(c, seed) }, seed })));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
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
          console.error(`grokbench: ${job.config.method} ${job.config.task} seed ${job.seed} failed:\n${error}`);
          return;
        }
        const key = keyOf(job.config, job.seed);
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
  const cells = summarise(runs, o.methods, o.tasks);
  const written = await writeBenchReport({ out: o.out, command, runs, cells, methods: o.methods, tasks: o.tasks, seeds: o.seeds, wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, workers: o.workers });
  console.log(`report: ${written.html}`);
  return { results: resultsJson(cells) };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('examples/grokbench/main.ts')) {
  const argv = process.argv.slice(2);
  const o = parse(argv);
  if (o) {
    const summary = await main(o, `npx tsx examples/grokbench/main.ts ${argv.join(' ')}`.trim());
    console.log(JSON.stringify(summary));
  }
}
