/**
 * Cluster ablation (Carvalho et al. 2025): down-sample one subclass per class of the Hamming
 * cluster data by a factor f, train from a ×8 initialisation with AdamW (lr 1e-3, wd 1e-4), and
 * follow how well the model classifies the removed subclasses over training.
 * `npx tsx examples/cluster-ablation/main.ts --help` lists the options; defaults are run.ts's
 * DEFAULTS (σ = 0.05, MLP 117→64→64→4 with ReLU, init ×8, full batch, 3,000 steps, evaluation every 50).
 *
 * Writes report.html / report.md / SVG charts, runs.json and each run's log and checkpoint to
 * --out (default runs/cluster-ablation); the last stdout line is a JSON summary per f.
 *
 * With --queue redis://HOST:PORT the runs go to grokkit-worker processes on any machine through
 * Redis (see docs/scaling.md) instead of this machine's worker threads; the report and summary are
 * the same, and the runs' checkpoints are kept in Redis (or the workers' --store) instead of --out.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { aggregate, formatSummary, markdownTable, palette, type Series, type Summary, type SweepRun } from '@grokkit/eval';
import { claimOutDir, commandLine, defineCli, makeDir, sweep, writeReport, type CliValues } from '@grokkit/eval/node';
import { parseRedisUrl, queueExecutor } from '@grokkit/queue';
import { DEFAULTS, removedSubclasses, run, type ClusterConfig, type ModelKind, type Preset, type RunPoint, type RunResult } from './run.js';

export interface AblationOptions extends Partial<Omit<ClusterConfig, 'f'>> {
  /** Down-sampling factors, one config each. */
  fs?: number[];
  /** Seeds; each runs every f (default 0, 1, 2). */
  seeds?: number[];
  /** Worker threads for the sweep (0: in this thread). */
  workers?: number;
  /** Time limit of one run in seconds: a run over it is recorded as failed and the others go on. */
  runTimeout?: number;
  /** Run on grokkit-worker processes through the Redis at this URL instead of worker threads. */
  queue?: string;
  /** Output folder for the report, runs.json and each run's log and checkpoint. */
  out?: string;
  /** Checkpoint each run every this many steps (default 500). */
  checkpointEvery?: number;
  /** Continue the ablation in `out`: each run from its checkpoint; finished runs are not trained again. */
  resume?: boolean;
  /** Replace a previous ablation in `out`. */
  overwrite?: boolean;
  /** Where progress goes (default stderr); false for none. */
  progress?: boolean;
  /** The command line, shown in the report. */
  command?: string;
  /** CLI only: re-render the report from this saved runs.json instead of training. */
  fromRuns?: string;
}

/** Rebuild the summary and report of a finished ablation from its runs.json (no training). */
export async function reportFromRuns(file: string, out?: string): Promise<AblationSummary> {
  const saved = JSON.parse(await readFile(file, 'utf8')) as {
    summary: { seeds: number[] | number; wallSeconds: number };
    configs?: ClusterConfig[];
    command?: string | null;
    runs: SweepRun<ClusterConfig, RunResult>[];
  };
  const configs = saved.configs ?? [...new Map(saved.runs.map((r) => [r.configIndex, r.config])).entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  const seeds = saved.summary.seeds;
  const list = Array.isArray(seeds) ? seeds : Array.from({ length: seeds }, (_, i) => i); // older files: a count
  return summarizeAndReport(resolve(out ?? dirname(file)), configs, saved.runs, list, saved.summary.wallSeconds, saved.command ?? undefined);
}

/** Mean and std over seeds of one number. */
export interface MeanStd {
  mean: number | null;
  std: number | null;
  /** Seeds where the value is undefined (e.g. α₁ of a run that never rose). */
  missing: number;
}

export interface AblationSummary {
  preset: Preset;
  model: ModelKind;
  size: number;
  sigma: number;
  steps: number;
  seeds: number[];
  removed: number[];
  wallSeconds: number;
  /** One entry per f, in the order given. */
  results: {
    f: number;
    trainSize: number;
    perRemoved: number;
    failed: number;
    testAcc: MeanStd;
    removedAcc: MeanStd;
    keptAcc: MeanStd;
    trainAcc: MeanStd;
    alpha0: MeanStd;
    alpha1: MeanStd;
    /** Fraction of seeds with α₁ > α₀. */
    grokked: MeanStd;
  }[];
  out: string;
}

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
const meanStd = (s: Summary | undefined): MeanStd =>
  s ? { mean: fin(s.mean), std: fin(s.std), missing: s.missing } : { mean: null, std: null, missing: 0 };

/** Mean over seeds of one curve, by evaluation step. */
function meanCurve(runs: readonly RunResult[], key: keyof RunPoint): { x: number; y: number | null }[] {
  const bySteps = new Map<number, number[]>();
  for (const r of runs) for (const h of r.history) {
    const v = h[key];
    if (typeof v === 'number' && Number.isFinite(v)) (bySteps.get(h.step) ?? bySteps.set(h.step, []).get(h.step)!).push(v);
  }
  return [...bySteps.entries()].sort((a, b) => a[0] - b[0]).map(([x, vs]) => ({ x, y: vs.reduce((a, b) => a + b, 0) / vs.length }));
}

/** Run the ablation: every f × seed through `sweep`, then the report. */
export async function clusterAblation(o: AblationOptions = {}): Promise<AblationSummary> {
  const preset: Preset = o.preset ?? 'equidistant';
  const fs = o.fs ?? [0, 0.01, 0.2, 1];
  const seeds = o.seeds ?? [0, 1, 2];
  if (fs.length === 0 || seeds.length === 0) throw new Error(`clusterAblation: expected at least one f and one seed, got ${fs.length} and ${seeds.length}`);
  const out = resolve(o.out ?? 'runs/cluster-ablation');
  const base: Omit<ClusterConfig, 'f'> = { ...DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k in DEFAULTS)), preset };
  const configs: ClusterConfig[] = fs.map((f) => ({ ...base, f }));
  const claim = claimOutDir(out, { settings: { configs, seeds }, resume: o.resume, overwrite: o.overwrite, name: '--out' });
  try {
    const checkpointEvery = o.checkpointEvery ?? 500;
    const files = { dir: out, checkpointEvery, resume: o.resume, overwrite: o.overwrite };
    const workers = o.workers ?? Math.min(2, configs.length * seeds.length);
    const t0 = performance.now();
    // on the queue, runs keep their checkpoints where every worker reaches them, not in --out;
    // the queue's sweep id is --out, so a rerun with the same --out (and --resume) picks it up
    const res = await sweep<ClusterConfig, RunResult>({
      ...(o.queue
        ? { module: new URL('./run.ts', import.meta.url), executor: queueExecutor({ url: o.queue, sweepId: out, checkpointEvery, overwrite: o.overwrite }) }
        : workers === 0 ? { run } : { module: new URL('./run.ts', import.meta.url) }),
      configs: o.queue ? configs : configs.map((c) => ({ ...c, files })),
      seeds,
      workers,
      timeoutSeconds: o.runTimeout,
      label: `cluster-ablation ${preset}`,
      progress: o.progress === false ? false : 'auto',
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    // the first line of each error here; the whole error (with its stack) goes into runs.json
    for (const r of res.runs) if (r.error !== undefined) process.stderr.write(`run f=${r.config.f} seed=${r.seed} failed: ${r.error.split('\n')[0]}\n`);
    // the report shows the configs without where their files went
    const runs = res.runs.map(({ config: { files: _files, ...config }, ...r }) => ({ ...r, config }));
    return await summarizeAndReport(out, configs, runs, seeds, wallSeconds, o.command);
  } finally {
    claim.release();
  }
}

/**
 * Summarise finished runs (mean ± std per f) and write the report; also used to re-render a
 * report from a saved runs.json (`--from-runs`).
 */
export async function summarizeAndReport(
  out: string,
  configs: readonly ClusterConfig[],
  runs: readonly SweepRun<ClusterConfig, RunResult>[],
  seeds: readonly number[],
  wallSeconds: number,
  command?: string,
): Promise<AblationSummary> {
  const base = configs[0]!;
  const preset = base.preset;
  const okRuns = (i: number): SweepRun<ClusterConfig, RunResult>[] => runs.filter((r) => r.configIndex === i && r.result);
  const results: AblationSummary['results'] = [];
  const rows: Record<string, unknown>[] = [];
  aggregate(configs, runs).forEach((s, i) => {
    const first = okRuns(i)[0]?.result;
    const m = s.metrics;
    results.push({
      f: s.config.f,
      trainSize: first?.trainSize ?? 0,
      perRemoved: first?.perRemoved ?? 0,
      failed: s.failed,
      testAcc: meanStd(m.finalTestAcc),
      removedAcc: meanStd(m.finalRemovedAcc),
      keptAcc: meanStd(m.finalKeptAcc),
      trainAcc: meanStd(m.finalTrainAcc),
      alpha0: meanStd(m.alpha0),
      alpha1: meanStd(m.alpha1),
      grokked: meanStd(m.grokked),
    });
    rows.push({
      f: s.config.f,
      'train size': first?.trainSize ?? null,
      'per removed': first?.perRemoved ?? null,
      'per kept': first?.perRemaining ?? null,
      'train acc': m.finalTrainAcc ?? null,
      'test acc': m.finalTestAcc ?? null,
      'removed acc': m.finalRemovedAcc ?? null,
      'peak removed': m.peakRemovedAcc ?? null,
      'kept acc': m.finalKeptAcc ?? null,
      'α₀': m.alpha0 ?? null,
      'α₁': m.alpha1 ?? null,
      'grokked': m.grokked ? `${Math.round(m.grokked.mean * m.grokked.n)}/${m.grokked.n}` : '—',
    });
  });

  const summary: AblationSummary = {
    preset, model: base.model, size: base.size, sigma: base.sigma, steps: base.steps, seeds: [...seeds],
    removed: removedSubclasses(preset, base.p), wallSeconds, results, out,
  };
  await writeAblationReport(out, summary, configs, runs, rows, command);
  return summary;
}

async function writeAblationReport(
  out: string,
  s: AblationSummary,
  configs: readonly ClusterConfig[],
  runs: readonly SweepRun<ClusterConfig, RunResult>[],
  rows: Record<string, unknown>[],
  command?: string,
): Promise<void> {
  const c = configs[0]!;
  const perF = configs.map((cfg, i) => ({ f: cfg.f, runs: runs.filter((r) => r.configIndex === i && r.result).map((r) => r.result!) }));
  const series = (key: keyof RunPoint, dashed = false): Series[] =>
    perF.map(({ f, runs: rs }, i) => ({ name: `f = ${f}${dashed ? ' (train)' : ''}`, points: meanCurve(rs, key), dashed, color: palette[i % palette.length] }));
  // log-scaled steps: memorisation takes tens of steps, the recovery of a removed subclass thousands
  const chart = (key: keyof RunPoint, title: string, extra: Series[] = []) =>
    ({ series: [...series(key), ...extra], title, xLabel: 'step (log scale)', yLabel: 'accuracy', yRange: [0, 1] as const, logX: true });
  const perSeed = runs.map((r) => ({
    f: r.config.f,
    seed: r.seed,
    'test acc': r.result?.finalTestAcc ?? null,
    'removed acc': r.result?.finalRemovedAcc ?? null,
    'kept acc': r.result?.finalKeptAcc ?? null,
    'α₀': r.result?.alpha0 ?? null,
    'α₁': r.result?.alpha1 ?? null,
    'Δ_S': r.result?.deltaS ?? null,
    'Δ_T': r.result?.deltaT ?? null,
    seconds: r.seconds,
    error: r.error ? r.error.split('\n')[0] : '',
  }));
  const settings = [
    `- preset **${s.preset}** (p = ${c.p}, r = ${c.r}, σ = ${c.sigma}, separation ${c.separation}); removed (down-sampled) subclasses ${s.removed.join(', ')}, one per class`,
    `- γ_D = ${c.size} training examples (Carvalho Eq. 1), balanced test set of ${c.testPerSubclass} per subclass`,
    `- model ${c.model} (width ${c.width}, depth ${c.depth}${c.model === 'transformer' ? `, ${c.heads} heads` : ''}), initial parameters ×${c.initScale}`,
    `- AdamW lr ${c.lr}, weight decay ${c.weightDecay}, batch ${c.batch}, ${c.steps} steps, evaluation every ${c.evalEvery}`,
    `- ${s.seeds.length} seed(s) (${s.seeds.join(', ')}); data seed ${c.dataSeed === 'seed' ? 'per run seed' : c.dataSeed}; wall time ${s.wallSeconds.toFixed(1)} s`,
  ].filter(Boolean).join('\n');
  const fmt = (v: unknown) => (v && typeof v === 'object' && 'mean' in (v as object) ? formatSummary(v as Summary, 3) : String(v ?? '—'));
  const cols = Object.keys(rows[0] ?? {}).map((key) => ({ key, format: (v: unknown) => (typeof v === 'number' ? String(v) : fmt(v)) }));
  makeDir(out);
  await writeReport(out, {
    name: 'report',
    title: `Cluster ablation (${s.preset}, ${s.model})`,
    intro: settings,
    setup: { command },
    sections: [
      { heading: 'Summary (mean ± std over seeds, at the last step)', markdown: markdownTable(rows, cols) + '\nα₀ / α₁ are computed on the removed-subclass test curve against the train curve (`grokkingSummary`); “—” means undefined for every seed (no rise ≥ 0.1).' },
      { heading: 'Accuracy on the removed subclasses', charts: chart('removedAcc', 'Removed-subclass test accuracy (mean over seeds)') },
      { heading: 'Overall test accuracy', charts: chart('testAcc', 'Balanced test accuracy (mean over seeds)', series('trainAcc', true)) },
      { heading: 'Per seed', markdown: markdownTable(perSeed) },
    ],
  });
  await writeFile(resolve(out, 'runs.json'), JSON.stringify({ summary: s, configs, command: command ?? null, runs }, null, 1));
}

/** Why --queue is not a Redis URL (without its password), or undefined. */
function queueUrlError(url: string): string | undefined {
  try {
    parseRedisUrl(url);
    return undefined;
  } catch (e) {
    return `--queue: ${(e as Error).message}`;
  }
}

export const cli = defineCli({
  name: 'cluster-ablation',
  usage: 'npx tsx examples/cluster-ablation/main.ts [options]',
  description:
    "Cluster ablation (Carvalho et al. 2025): down-sample one subclass per class of the Hamming cluster data by a factor f,\n" +
    'train from a ×8 initialisation with AdamW, and follow how well the model classifies the removed subclasses over training.\n' +
    'Every f × seed is one run of a sweep on worker threads (or grokkit-worker processes with --queue); the report gives mean ± std over seeds per f.',
  options: {
    preset: { type: 'enum', choices: ['equidistant', 'equivariant'], default: 'equidistant', description: 'cluster geometry' },
    f: { type: 'number', list: true, min: 0, max: 1, default: [0, 0.01, 0.2, 1], description: 'down-sampling factors of the removed subclasses (0 removes them)' },
    seeds: { type: 'int', list: true, min: 0, default: [0, 1, 2], description: 'seeds; each runs every f' },
    size: { type: 'int', min: 1, default: DEFAULTS.size, description: 'γ_D, training examples before down-sampling (Eq. 1)' },
    sigma: { type: 'number', above: 0, default: DEFAULTS.sigma, description: 'σ, the noise standard deviation of every block' },
    model: { type: 'enum', choices: ['mlp', 'transformer'], default: DEFAULTS.model, description: 'classifier' },
    width: { type: 'int', min: 1, default: DEFAULTS.width, description: 'hidden width (MLP) or model width (transformer)' },
    depth: { type: 'int', min: 1, default: DEFAULTS.depth, description: 'hidden layers (MLP) or blocks (transformer)' },
    heads: { type: 'int', min: 1, default: DEFAULTS.heads, description: 'attention heads (transformer; must divide --width)' },
    initScale: { type: 'number', above: 0, default: DEFAULTS.initScale, description: 'every initial parameter ×this (Omnigrok)' },
    steps: { type: 'int', min: 1, default: DEFAULTS.steps, description: 'optimizer steps per run' },
    batch: { type: 'int', min: 1, default: DEFAULTS.batch, description: 'minibatch size (≥ the training set: full batch)' },
    lr: { type: 'number', above: 0, default: DEFAULTS.lr, description: 'AdamW learning rate' },
    weightDecay: { type: 'number', min: 0, default: DEFAULTS.weightDecay, description: 'AdamW weight decay' },
    evalEvery: { type: 'int', min: 1, default: DEFAULTS.evalEvery, description: 'evaluate every this many steps' },
    dataSeed: { type: 'string', placeholder: 'N|seed', default: String(DEFAULTS.dataSeed), description: "seed of the cluster data: a fixed integer, or 'seed' for a fresh draw per run seed" },
    workers: { type: 'int', min: 0, defaultText: 'min(2, runs)', description: 'worker threads (0: every run in this thread)' },
    runTimeout: { type: 'number', above: 0, placeholder: 'SECONDS', defaultText: 'none', description: 'time limit of one run (with --queue: of each attempt); a run over it is recorded as failed and the others go on' },
    queue: { type: 'string', placeholder: 'redis://HOST:PORT', description: 'run on grokkit-worker processes through this Redis instead of worker threads (docs/scaling.md)' },
    checkpointEvery: { type: 'int', min: 1, default: 500, description: 'checkpoint each run every this many steps (for --resume)' },
    out: { type: 'dir', defaultText: 'runs/cluster-ablation; with --from-runs, the folder of that file', description: 'folder for the report, runs.json and each run\'s log and checkpoint' },
    resume: { type: 'bool', description: 'continue the ablation in --out: each run from its last checkpoint; finished runs are not rerun' },
    overwrite: { type: 'bool', description: 'replace a previous ablation in --out' },
    fromRuns: { type: 'string', placeholder: 'FILE', description: 're-render the report from a saved runs.json instead of training' },
  },
  check: (v) => {
    if (v.dataSeed !== 'seed' && !/^\d+$/.test(v.dataSeed)) return `--data-seed: expected a non-negative integer or 'seed', got '${v.dataSeed}'`;
    if (v.model === 'transformer' && v.width % v.heads !== 0) return `--heads: expected a divisor of --width ${v.width}, got ${v.heads}`;
    if (v.queue !== undefined) return queueUrlError(v.queue);
    return undefined;
  },
  notes: 'The last line on stdout is one JSON object: the summary per f (mean ± std over seeds). The exit code is 1 when every run failed.',
});

/** The ablation's options from parsed flags. */
export function options(v: CliValues<typeof cli.spec.options>): AblationOptions {
  const { f, dataSeed, ...rest } = v;
  return { ...rest, fs: f, dataSeed: dataSeed === 'seed' ? 'seed' : Number(dataSeed) };
}

/** The ablation's options from command line arguments; throws a UsageError (one line) for bad ones. */
export const parseCli = (argv: readonly string[]): AblationOptions => options(cli.parse(argv));

async function main(o: AblationOptions): Promise<void> {
  const s = o.fromRuns ? await reportFromRuns(o.fromRuns, o.out) : await clusterAblation({ ...o, command: commandLine() });
  const table = s.results.map((r) => ({
    f: r.f, 'test acc': r.testAcc, 'removed acc': r.removedAcc, 'α₀': r.alpha0, 'α₁': r.alpha1,
  }));
  const show = (m: MeanStd) => (m.mean === null ? '—' : `${m.mean.toFixed(3)}${m.std === null ? '' : ` ± ${m.std.toFixed(3)}`}${m.missing ? ` (${m.missing} missing)` : ''}`);
  console.log(markdownTable(table.map((r) => ({ f: r.f, 'test acc': show(r['test acc']), 'removed acc': show(r['removed acc']), 'α₀': show(r['α₀']), 'α₁': show(r['α₁']) }))));
  console.log(`report: ${resolve(s.out, 'report.html')}  (wall ${s.wallSeconds.toFixed(1)} s)`);
  console.log(JSON.stringify(s));
  const runs = s.results.length * s.seeds.length;
  const failed = s.results.reduce((n, r) => n + r.failed, 0);
  if (failed === runs) throw new Error(`all ${runs} runs failed (see stderr and ${resolve(s.out, 'report.md')})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await cli.run((v) => main(options(v)));
}
