/**
 * Implicit reasoning by grokking (Wang, Yue, Su, Sun 2024): a causal decoder learns two-hop
 * composition and comparison over a random knowledge base. ID composition generalises only after
 * the training facts are memorised, OOD composition not at all, comparison also OOD; how soon ID
 * composition comes is set by φ, the inferred/atomic ratio. Grokfast-EMA is an optional arm.
 * `npx tsx examples/implicit-reasoning/main.ts --help` lists the options; defaults are run.ts's
 * DEFAULTS and TASK_DEFAULTS.
 *
 * Writes report.html / report.md (a chart per run, the tables), runs.json and each run's log and
 * checkpoint to --out (default runs/implicit-reasoning). The last stdout line is
 * {"runs":[…],"summary":{TASK:{FILTER:{"train","id","ood","stepsToId90",…}}},"byPhi":{…},"wallSeconds":…}.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { claimOutDir, commandLine, defineCli, sweep, type CliValues } from '@grokkit/eval/node';
import { writeReasoningReport } from './report.js';
import { DEFAULTS, FILTERS, TASK_DEFAULTS, TASKS, configFor, run, runName, type FilterKind, type ReasoningConfig, type RunResult, type TaskName } from './run.js';
import { summarize, type ByPhi, type Summary } from './summary.js';

export interface ReasoningOptions {
  tasks: TaskName[];
  filters: FilterKind[];
  phis: number[];
  seeds: number[];
  /** Worker threads (0: every run in this thread); default min(2, runs). */
  workers?: number;
  out: string;
  /** Time limit of one run in seconds: a run over it is recorded as failed and the others go on. */
  runTimeout?: number;
  /** Checkpoint each run every this many steps. */
  checkpointEvery: number;
  /** Continue the experiment in `out`: each run from its checkpoint; finished runs are not trained again. */
  resume?: boolean;
  /** Replace a previous experiment in `out`. */
  overwrite?: boolean;
  /** Progress lines on stderr. */
  progress?: boolean;
  /** Settings given on the command line; the rest come from DEFAULTS and TASK_DEFAULTS. */
  over: Partial<Omit<ReasoningConfig, 'task' | 'filter' | 'phi' | 'files'>>;
  command?: string;
}

export const cli = defineCli({
  name: 'implicit-reasoning',
  usage: 'npx tsx examples/implicit-reasoning/main.ts [options]',
  description:
    'Implicit reasoning by grokking (Wang et al. 2024): a causal decoder learns the atomic facts and a fraction φ of the\n' +
    'two-hop facts of a random knowledge base, and is tested on held-out two-hop facts in distribution (ID) and out of it (OOD).\n' +
    'Every task × φ × filter × seed is one run of a sweep on worker threads.',
  options: {
    task: { type: 'enum', list: true, choices: TASKS, default: TASKS, description: 'tasks' },
    phi: { type: 'number', list: true, above: 0, default: [DEFAULTS.phi], description: 'φ, inferred facts in train per ID atomic fact; several for a sweep' },
    filter: { type: 'enum', list: true, choices: FILTERS, default: ['none'], description: "gradient filter: none, ema (Grokfast-EMA) or both 'none,ema'" },
    seeds: { type: 'int', list: true, min: 0, default: [0, 1, 2], description: 'seeds (knowledge base, split, initialisation, batches)' },
    entities: { type: 'int', min: 2, default: DEFAULTS.entities, description: '|E|, entities in the knowledge base' },
    steps: { type: 'int', min: 1, defaultText: `composition ${TASK_DEFAULTS.composition.steps}, comparison ${TASK_DEFAULTS.comparison.steps}`, description: 'optimizer steps per run' },
    relations: { type: 'int', min: 1, default: DEFAULTS.relations, description: 'composition: |R|, relations' },
    degree: { type: 'int', min: 1, default: DEFAULTS.degree, description: 'composition: atomic facts (distinct relations) per entity' },
    attributes: { type: 'int', min: 1, default: DEFAULTS.attributes, description: 'comparison: attributes' },
    values: { type: 'int', min: 2, default: DEFAULTS.values, description: 'comparison: values per attribute' },
    oodFraction: { type: 'number', above: 0, below: 1, default: DEFAULTS.oodFraction, description: 'fraction of the atomic facts that are OOD' },
    dim: { type: 'int', min: 1, default: DEFAULTS.dim, description: 'decoder width' },
    depth: { type: 'int', min: 1, default: DEFAULTS.depth, description: 'decoder blocks' },
    heads: { type: 'int', min: 1, default: DEFAULTS.heads, description: 'attention heads (must divide --dim)' },
    batch: { type: 'int', min: 1, default: DEFAULTS.batch, description: 'minibatch size' },
    lr: { type: 'number', above: 0, default: DEFAULTS.lr, description: 'AdamW learning rate' },
    weightDecay: { type: 'number', min: 0, defaultText: `composition ${TASK_DEFAULTS.composition.weightDecay}, comparison ${TASK_DEFAULTS.comparison.weightDecay}`, description: 'AdamW weight decay' },
    warmup: { type: 'int', min: 0, default: DEFAULTS.warmup, description: 'linear learning-rate warmup (steps)' },
    alpha: { type: 'number', min: 0, below: 1, default: DEFAULTS.alpha, description: 'Grokfast-EMA α' },
    lamb: { type: 'number', min: 0, default: DEFAULTS.lamb, description: 'Grokfast-EMA λ' },
    evalEvery: { type: 'int', min: 1, default: DEFAULTS.evalEvery, description: 'evaluate every this many steps' },
    until: { type: 'number', above: 0, defaultText: 'never', description: 'stop a run at the first evaluation with ID accuracy ≥ this' },
    workers: { type: 'int', min: 0, defaultText: 'min(2, runs)', description: 'worker threads (0: every run in this thread)' },
    runTimeout: { type: 'number', above: 0, placeholder: 'SECONDS', defaultText: 'none', description: 'time limit of one run; a run over it is recorded as failed and the others go on' },
    checkpointEvery: { type: 'int', min: 1, default: 500, description: 'checkpoint each run every this many steps (for --resume)' },
    out: { type: 'dir', default: 'runs/implicit-reasoning', description: "folder for the report, runs.json and each run's log and checkpoint" },
    resume: { type: 'bool', description: 'continue the experiment in --out: each run from its last checkpoint; finished runs are not rerun' },
    overwrite: { type: 'bool', description: 'replace a previous experiment in --out' },
  },
  check: (v) => (v.dim % v.heads !== 0 ? `--heads: expected a divisor of --dim ${v.dim}, got ${v.heads}` : undefined),
  notes:
    'The last line on stdout is one JSON object: {"runs":[…],"summary":{TASK:{FILTER:{"train","id","ood","stepsToId90",…}}},"byPhi":{…},"wallSeconds":…}.\n' +
    'The exit code is 1 when every run failed.',
});

/** The experiment's options from parsed flags. */
export function options(v: CliValues<typeof cli.spec.options>): ReasoningOptions {
  const { task, filter, phi, seeds, workers, out, runTimeout, checkpointEvery, resume, overwrite, ...over } = v;
  return { tasks: task, filters: filter, phis: phi, seeds, workers, out, runTimeout, checkpointEvery, resume, overwrite, over };
}

/** The experiment's options from command line arguments; throws a UsageError (one line) for bad ones. */
export const parse = (argv: readonly string[]): ReasoningOptions => options(cli.parse(argv));

export interface ReasoningOutput {
  /** Every run without its curve (the curves are in runs.json and each run's log.jsonl). */
  runs: Omit<RunResult, 'history'>[];
  /** task → filter → stats, for tasks run at one φ. */
  summary: Summary;
  /** task → filter → φ → stats. */
  byPhi: ByPhi;
  wallSeconds: number;
  /** Runs that threw: "<run name>: first line of the error". */
  errors: string[];
}

/** Run every task × φ × filter × seed through `sweep`, write the report, return the summary. */
export async function implicitReasoning(o: ReasoningOptions): Promise<ReasoningOutput> {
  const out = resolve(o.out);
  const configs: ReasoningConfig[] = o.tasks.flatMap((task) => o.phis.flatMap((phi) => o.filters.map((filter) => configFor(task, filter, { ...o.over, phi }))));
  const claim = claimOutDir(out, { settings: { configs, seeds: o.seeds }, resume: o.resume, overwrite: o.overwrite, name: '--out' });
  try {
    const files = { dir: out, checkpointEvery: o.checkpointEvery, resume: o.resume, overwrite: o.overwrite };
    const workers = o.workers ?? Math.min(2, configs.length * o.seeds.length);
    const t0 = performance.now();
    const res = await sweep<ReasoningConfig, RunResult>({
      ...(workers === 0 ? { run } : { module: new URL('./run.ts', import.meta.url) }),
      configs: configs.map((c) => ({ ...c, files })),
      seeds: o.seeds,
      workers,
      timeoutSeconds: o.runTimeout,
      label: 'implicit-reasoning',
      progress: o.progress === false ? false : 'auto',
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const runs = res.runs.filter((r) => r.result).map((r) => r.result!);
    const errors = res.runs.filter((r) => r.error !== undefined).map((r) => `${runName(r.config, r.seed)}: ${r.error!.split('\n')[0]}`);
    const { summary, byPhi } = summarize(runs);
    await writeReasoningReport({ out, configs, runs, byPhi, wallSeconds, command: o.command, errors });
    return { runs: runs.map(({ history: _history, ...r }) => r), summary, byPhi, wallSeconds, errors };
  } finally {
    claim.release();
  }
}

async function main(o: ReasoningOptions): Promise<void> {
  const out = await implicitReasoning({ ...o, command: commandLine() });
  for (const e of out.errors) console.error(`failed: ${e}`);
  const f = (m: { mean: number | null }) => (m.mean === null ? '—' : `${(100 * m.mean).toFixed(1)}%`);
  for (const [task, filters] of Object.entries(out.byPhi)) {
    for (const [filter, phis] of Object.entries(filters)) {
      for (const s of Object.values(phis)) {
        console.log(`${task} φ=${s.phi} ${filter}: train ${f(s.train)}, ID ${f(s.id)}, OOD ${f(s.ood)}; steps to ID 90% median ${s.stepsToId90.median ?? '—'} (${s.stepsToId90.reached}/${s.stepsToId90.runs} seeds)`);
      }
    }
  }
  console.log(`report: ${join(resolve(o.out), 'report.html')}  (wall ${out.wallSeconds.toFixed(0)} s)`);
  console.log(JSON.stringify({ runs: out.runs, summary: out.summary, byPhi: out.byPhi, wallSeconds: out.wallSeconds }));
  if (out.runs.length === 0) throw new Error(`all ${out.errors.length} runs failed (see stderr and ${join(resolve(o.out), 'report.md')})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await cli.run((v) => main(options(v)));
}
