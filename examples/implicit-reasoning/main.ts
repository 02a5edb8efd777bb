/**
 * Implicit reasoning by grokking (Wang, Yue, Su, Sun 2024): a causal decoder learns two-hop
 * composition and comparison over a random knowledge base. ID composition generalises only long
 * after the training facts are memorised, OOD composition not at all, comparison also OOD; how
 * soon ID composition comes is set by φ, the inferred/atomic ratio. Grokfast-EMA is an optional arm.
 *
 *   npx tsx examples/implicit-reasoning/main.ts [--task composition,comparison] [--phi 9 | --phi 5,9,12]
 *     [--entities 100] [--steps N] [--seeds 0,1,2] [--filter none | none,ema] [--workers 2] [--out DIR]
 *   more knobs: --dim --depth --heads --batch --lr --weight-decay --warmup --alpha --lamb --eval-every
 *     --ood-fraction --relations --degree --until; --help
 *
 * Writes report.html / report.md (a chart per run, the table), runs.json and each run's log.jsonl
 * to --out (default runs/implicit-reasoning). The last stdout line is
 * {"runs":[…],"summary":{TASK:{FILTER:{"train","id","ood","stepsToId90",…}}},"byPhi":{…},"wallSeconds":…}.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sweep } from '@grokkit/eval';
import { writeReasoningReport } from './report.js';
import { DEFAULTS, FILTERS, TASK_DEFAULTS, TASKS, configFor, run, runName, type FilterKind, type ReasoningConfig, type RunResult, type TaskName } from './run.js';
import { summarize, type ByPhi, type Summary } from './summary.js';

export interface ReasoningOptions {
  tasks: TaskName[];
  filters: FilterKind[];
  phis: number[];
  seeds: number[];
  workers: number;
  out: string;
  progress: boolean;
  /** Settings given on the command line; the rest come from DEFAULTS and TASK_DEFAULTS. */
  over: Partial<Omit<ReasoningConfig, 'task' | 'filter' | 'phi' | 'outDir'>>;
  command?: string;
}

const T = TASK_DEFAULTS;
const USAGE = `usage: npx tsx examples/implicit-reasoning/main.ts [options]
  --task composition,comparison   tasks (default both)
  --phi ${DEFAULTS.phi}                         inferred facts in train per ID atomic fact; several: --phi 5,9,12
  --entities ${DEFAULTS.entities}                  |E|
  --steps N                       steps per run (default composition ${T.composition.steps}, comparison ${T.comparison.steps})
  --seeds 0,1,2                   seeds (dataset, initialisation, batches)
  --filter none                   none, ema (Grokfast-EMA) or both: none,ema
  --workers 2                     worker threads (0: run in this thread)
  --out runs/implicit-reasoning   report, runs.json, per-run log.jsonl
  more: --dim ${DEFAULTS.dim} --depth ${DEFAULTS.depth} --heads ${DEFAULTS.heads} --batch ${DEFAULTS.batch} --lr ${DEFAULTS.lr} --weight-decay ${DEFAULTS.weightDecay} --warmup ${DEFAULTS.warmup}
        --alpha ${DEFAULTS.alpha} --lamb ${DEFAULTS.lamb} --eval-every ${DEFAULTS.evalEvery} --relations ${DEFAULTS.relations} --degree ${DEFAULTS.degree}
        --ood-fraction ${DEFAULTS.oodFraction}
        --until U (stop a run once ID accuracy >= U) --progress false`;

function list<X extends string>(flag: string, v: string | undefined, allowed: readonly X[], fallback: readonly X[]): X[] {
  if (v === undefined) return [...fallback];
  const xs = v.split(',').map((x) => x.trim());
  for (const x of xs) if (!allowed.includes(x as X)) throw new Error(`--${flag}: expected a comma-separated list of ${allowed.join(', ')}, got '${x}'`);
  return xs as X[];
}

function num(flag: string, v: string | undefined, check: (x: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !check(x)) throw new Error(`--${flag}: expected ${what}, got '${v}'`);
  return x;
}

const posInt = (x: number) => Number.isInteger(x) && x > 0;
const nonNegInt = (x: number) => Number.isInteger(x) && x >= 0;
const pos = (x: number) => Number.isFinite(x) && x > 0;
const nonNeg = (x: number) => Number.isFinite(x) && x >= 0;
const unit = (x: number) => x >= 0 && x < 1;

/** Parse the command line; throws one line naming the flag on a bad value. Returns null for --help. */
export function parse(argv: readonly string[]): ReasoningOptions | null {
  const str = { type: 'string' } as const;
  const { values: v } = parseArgs({
    args: [...argv],
    options: {
      task: str, phi: str, entities: str, steps: str, seeds: str, filter: str, workers: str, out: str, dim: str, depth: str,
      heads: str, batch: str, lr: str, 'weight-decay': str, warmup: str, alpha: str, lamb: str, 'eval-every': str,
      'ood-fraction': str, relations: str, degree: str, until: str, progress: str, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (v.help) return null;
  const nums = (flag: string, s: string, check: (x: number) => boolean, what: string) => s.split(',').map((x) => num(flag, x.trim(), check, what)!);
  if (v.progress !== undefined && v.progress !== 'false' && v.progress !== 'true') throw new Error(`--progress: expected true or false, got '${v.progress}'`);
  return {
    tasks: list('task', v.task, TASKS, TASKS),
    filters: list('filter', v.filter, FILTERS, ['none']),
    phis: nums('phi', v.phi ?? String(DEFAULTS.phi), pos, 'positive numbers'),
    seeds: nums('seeds', v.seeds ?? '0,1,2', nonNegInt, 'non-negative integers'),
    workers: Math.min(2, num('workers', v.workers, nonNegInt, 'a non-negative integer') ?? 2),
    out: resolve(v.out ?? 'runs/implicit-reasoning'),
    progress: v.progress !== 'false',
    over: {
      entities: num('entities', v.entities, (x) => Number.isInteger(x) && x >= 2, 'an integer ≥ 2'),
      steps: num('steps', v.steps, posInt, 'a positive integer'),
      relations: num('relations', v.relations, posInt, 'a positive integer'),
      degree: num('degree', v.degree, posInt, 'a positive integer'),
      oodFraction: num('ood-fraction', v['ood-fraction'], unit, 'a number in [0, 1)'),
      dim: num('dim', v.dim, posInt, 'a positive integer'),
      depth: num('depth', v.depth, posInt, 'a positive integer'),
      heads: num('heads', v.heads, posInt, 'a positive integer'),
      batch: num('batch', v.batch, posInt, 'a positive integer'),
      lr: num('lr', v.lr, pos, 'a positive number'),
      weightDecay: num('weight-decay', v['weight-decay'], nonNeg, 'a non-negative number'),
      warmup: num('warmup', v.warmup, nonNegInt, 'a non-negative integer'),
      alpha: num('alpha', v.alpha, unit, 'a number in [0, 1)'),
      lamb: num('lamb', v.lamb, nonNeg, 'a non-negative number'),
      evalEvery: num('eval-every', v['eval-every'], posInt, 'a positive integer'),
      until: num('until', v.until, pos, 'a positive number'),
    },
  };
}

export interface ReasoningOutput {
  /** Every run without its curve (the curves are in runs.json and each run's log.jsonl). */
  runs: Omit<RunResult, 'history'>[];
  /** task → filter → stats, for tasks run at one φ. */
  summary: Summary;
  /** task → filter → φ → stats. */
  byPhi: ByPhi;
  wallSeconds: number;
  /** Runs that threw: "task/filter/φ/seed: first line of the error". */
  errors: string[];
}

/** Run every task × φ × filter × seed through `sweep`, write the report, return the summary. */
export async function implicitReasoning(o: ReasoningOptions): Promise<ReasoningOutput> {
  await mkdir(o.out, { recursive: true });
  const configs: ReasoningConfig[] = o.tasks.flatMap((task) =>
    o.phis.flatMap((phi) => o.filters.map((filter) => configFor(task, filter, { ...o.over, phi, outDir: o.out }))),
  );
  const t0 = performance.now();
  const res = await sweep<ReasoningConfig, RunResult>({
    ...(o.workers === 0 ? { run } : { module: new URL('./run.ts', import.meta.url) }),
    configs,
    seeds: o.seeds,
    workers: o.workers,
    label: 'implicit-reasoning',
    progress: o.progress ? 'lines' : false,
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  const runs = res.runs.filter((r) => r.result).map((r) => r.result!);
  const errors = res.runs.filter((r) => r.error !== undefined).map((r) => `${runName(r.config, r.seed)}: ${r.error!.split('\n')[0]}`);
  const { summary, byPhi } = summarize(runs);
  await writeReasoningReport({ out: o.out, configs, runs, byPhi, wallSeconds, command: o.command, errors });
  return { runs: runs.map(({ history: _history, ...r }) => r), summary, byPhi, wallSeconds, errors };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const o = parse(argv);
  if (o === null) {
    console.log(USAGE);
    return;
  }
  const out = await implicitReasoning({ ...o, command: ['npx tsx examples/implicit-reasoning/main.ts', ...argv].join(' ') });
  for (const e of out.errors) console.error(`failed: ${e}`);
  for (const [task, filters] of Object.entries(out.byPhi)) {
    for (const [filter, phis] of Object.entries(filters)) {
      for (const s of Object.values(phis)) {
        const f = (m: { mean: number | null }) => (m.mean === null ? '—' : `${(100 * m.mean).toFixed(1)}%`);
        console.log(`${task} φ=${s.phi} ${filter}: train ${f(s.train)}, ID ${f(s.id)}, OOD ${f(s.ood)}; steps to ID 90% median ${s.stepsToId90.median ?? '—'} (${s.stepsToId90.reached}/${s.stepsToId90.runs} seeds)`);
      }
    }
  }
  console.log(`report: ${join(o.out, 'report.html')}  (wall ${out.wallSeconds.toFixed(0)} s)`);
  console.log(JSON.stringify({ runs: out.runs, summary: out.summary, byPhi: out.byPhi, wallSeconds: out.wallSeconds }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(`implicit-reasoning: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
