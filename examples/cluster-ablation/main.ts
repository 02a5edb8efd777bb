/**
 * Cluster ablation (Carvalho et al. 2025): down-sample one subclass per class of the Hamming
 * cluster data by a factor f, train from a ×8 initialisation with AdamW (lr 1e-3, wd 1e-4), and
 * follow how well the model classifies the removed subclasses over training.
 *
 *   npx tsx examples/cluster-ablation/main.ts [--preset equidistant|equivariant] [--size 200]
 *     [--f 0,0.01,0.2,1] [--seeds 3] [--model mlp|transformer] [--steps N] [--sigma S]
 *     [--workers W] [--out DIR] [--queue redis://HOST:PORT [--job-timeout SECONDS]]
 *   more knobs: --batch B --width W --depth D --init-scale K --eval-every E --lr LR
 *     --weight-decay WD --data-seed N|seed; --from-runs DIR/runs.json re-renders a report
 *
 * Defaults (run.ts DEFAULTS): σ = 0.1, MLP 117→64→64→4 (ReLU), init ×8, AdamW lr 1e-3 wd 1e-4,
 * full batch, 3,000 steps, evaluation every 50 steps, 100 test examples per subclass.
 *
 * With --queue, the runs go to grokkit-worker processes on any machine through Redis (see
 * docs/scaling.md) instead of this machine's worker threads; the report and summary are the same.
 *
 * Writes report.html / report.md / SVG charts and runs.json to --out (default
 * runs/cluster-ablation); the last stdout line is a JSON summary per f.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { aggregate, formatSummary, markdownTable, palette, type Series, type Summary, type SweepRun } from '@grokkit/eval';
import { sweep, writeReport } from '@grokkit/eval/node';
import { queueExecutor } from '@grokkit/queue';
import { DEFAULTS, removedSubclasses, run, type ClusterConfig, type ModelKind, type Preset, type RunPoint, type RunResult } from './run.js';

export interface AblationOptions extends Partial<Omit<ClusterConfig, 'f'>> {
  /** Down-sampling factors, one config each. */
  fs?: number[];
  /** Number of seeds (0..seeds−1). */
  seeds?: number;
  /** Worker threads for the sweep (0: in this thread). */
  workers?: number;
  /** Run on grokkit-worker processes through the Redis at this URL instead of worker threads. */
  queue?: string;
  /** With `queue`: fail a run whose attempt takes longer than this many seconds. */
  jobTimeout?: number;
  /** Output folder for the report. */
  out?: string;
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
    summary: { seeds: number; wallSeconds: number };
    configs?: ClusterConfig[];
    command?: string | null;
    runs: SweepRun<ClusterConfig, RunResult>[];
  };
  const configs = saved.configs ?? [...new Map(saved.runs.map((r) => [r.configIndex, r.config])).entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  return summarizeAndReport(resolve(out ?? dirname(file)), configs, saved.runs, saved.summary.seeds, saved.summary.wallSeconds, saved.command ?? undefined);
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
  seeds: number;
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
  const nSeeds = o.seeds ?? 3;
  const out = resolve(o.out ?? 'runs/cluster-ablation');
  const base: Omit<ClusterConfig, 'f'> = { ...DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k in DEFAULTS)), preset };
  const configs: ClusterConfig[] = fs.map((f) => ({ ...base, f }));
  const seeds = Array.from({ length: nSeeds }, (_, i) => i);
  const workers = o.workers ?? Math.min(2, configs.length * seeds.length);
  const t0 = performance.now();
  const res = await sweep<ClusterConfig, RunResult>({
    ...(workers === 0 && !o.queue ? { run } : { module: new URL('./run.ts', import.meta.url) }),
    configs,
    seeds,
    workers,
    ...(o.queue && { executor: queueExecutor({ url: o.queue, sweepId: out, jobTimeoutSeconds: o.jobTimeout }) }),
    label: `cluster-ablation ${preset}`,
    progress: o.progress === false ? false : 'auto',
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  for (const r of res.runs) if (r.error !== undefined) process.stderr.write(`run f=${r.config.f} seed=${r.seed} failed:\n${r.error}\n`);
  return summarizeAndReport(out, configs, res.runs, nSeeds, wallSeconds, o.command);
}

/**
 * Summarise finished runs (mean ± std per f) and write the report; also used to re-render a
 * report from a saved runs.json (`--from-runs`).
 */
export async function summarizeAndReport(
  out: string,
  configs: readonly ClusterConfig[],
  runs: readonly SweepRun<ClusterConfig, RunResult>[],
  nSeeds: number,
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
    preset, model: base.model, size: base.size, sigma: base.sigma, steps: base.steps, seeds: nSeeds,
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
    `- ${s.seeds} seed(s); data seed ${c.dataSeed === 'seed' ? 'per run seed' : c.dataSeed}; wall time ${s.wallSeconds.toFixed(1)} s`,
  ].filter(Boolean).join('\n');
  const fmt = (v: unknown) => (v && typeof v === 'object' && 'mean' in (v as object) ? formatSummary(v as Summary, 3) : String(v ?? '—'));
  const cols = Object.keys(rows[0] ?? {}).map((key) => ({ key, format: (v: unknown) => (typeof v === 'number' ? String(v) : fmt(v)) }));
  await mkdir(out, { recursive: true });
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

function parseFs(v: string): number[] {
  const fs = v.split(',').map((x) => Number(x.trim()));
  if (fs.some((f) => !(f >= 0 && f <= 1))) throw new Error(`--f: expected comma-separated factors in [0, 1], got '${v}'`);
  return fs;
}

function parseNum(name: string, v: string | undefined, int = false): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || (int && !Number.isInteger(x))) throw new Error(`--${name}: expected ${int ? 'an integer' : 'a number'}, got '${v}'`);
  return x;
}

/** Parse the command line into options. */
export function parseCli(argv: readonly string[]): AblationOptions {
  const { values: v } = parseArgs({
    args: [...argv],
    options: {
      preset: { type: 'string' }, size: { type: 'string' }, f: { type: 'string' }, seeds: { type: 'string' },
      model: { type: 'string' }, steps: { type: 'string' }, sigma: { type: 'string' }, workers: { type: 'string' },
      out: { type: 'string' }, batch: { type: 'string' }, width: { type: 'string' }, depth: { type: 'string' },
      'init-scale': { type: 'string' }, 'eval-every': { type: 'string' }, 'weight-decay': { type: 'string' },
      lr: { type: 'string' }, 'data-seed': { type: 'string' }, 'from-runs': { type: 'string' },
      queue: { type: 'string' }, 'job-timeout': { type: 'string' },
    },
    strict: true,
  });
  if (v.preset !== undefined && v.preset !== 'equidistant' && v.preset !== 'equivariant') throw new Error(`--preset: expected equidistant or equivariant, got '${v.preset}'`);
  if (v.model !== undefined && v.model !== 'mlp' && v.model !== 'transformer') throw new Error(`--model: expected mlp or transformer, got '${v.model}'`);
  const workers = parseNum('workers', v.workers, true);
  const jobTimeout = parseNum('job-timeout', v['job-timeout']);
  if (jobTimeout !== undefined && !(jobTimeout > 0)) throw new Error(`--job-timeout: expected a positive number of seconds, got '${v['job-timeout']}'`);
  if (jobTimeout !== undefined && !v.queue) throw new Error('--job-timeout: expected --queue too (it limits runs on the queue), got none');
  return {
    preset: v.preset as Preset | undefined,
    model: v.model as ModelKind | undefined,
    size: parseNum('size', v.size, true),
    fs: v.f === undefined ? undefined : parseFs(v.f),
    seeds: parseNum('seeds', v.seeds, true),
    steps: parseNum('steps', v.steps, true),
    sigma: parseNum('sigma', v.sigma),
    workers: workers === undefined ? undefined : Math.min(2, workers),
    out: v.out,
    batch: parseNum('batch', v.batch, true),
    width: parseNum('width', v.width, true),
    depth: parseNum('depth', v.depth, true),
    initScale: parseNum('init-scale', v['init-scale']),
    evalEvery: parseNum('eval-every', v['eval-every'], true),
    weightDecay: parseNum('weight-decay', v['weight-decay']),
    lr: parseNum('lr', v.lr),
    fromRuns: v['from-runs'],
    queue: v.queue,
    jobTimeout,
    dataSeed: v['data-seed'] === undefined || v['data-seed'] === 'seed' ? undefined : parseNum('data-seed', v['data-seed'], true),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opts = parseCli(argv);
  const s = opts.fromRuns
    ? await reportFromRuns(opts.fromRuns, opts.out)
    : await clusterAblation({ ...opts, command: ['npx tsx examples/cluster-ablation/main.ts', ...argv].join(' ') });
  const table = s.results.map((r) => ({
    f: r.f, 'test acc': r.testAcc, 'removed acc': r.removedAcc, 'α₀': r.alpha0, 'α₁': r.alpha1,
  }));
  const show = (m: MeanStd) => (m.mean === null ? '—' : `${m.mean.toFixed(3)}${m.std === null ? '' : ` ± ${m.std.toFixed(3)}`}${m.missing ? ` (${m.missing} missing)` : ''}`);
  console.log(markdownTable(table.map((r) => ({ f: r.f, 'test acc': show(r['test acc']), 'removed acc': show(r['removed acc']), 'α₀': show(r['α₀']), 'α₁': show(r['α₁']) }))));
  console.log(`report: ${resolve(s.out, 'report.html')}  (wall ${s.wallSeconds.toFixed(1)} s)`);
  console.log(JSON.stringify(s));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

