/**
 * Diffusion vs autoregressive: train a causal `Decoder` (cross-entropy on the answer tokens,
 * greedy left-to-right decoding) and a masked-diffusion `Encoder` of the same size (masked-diffusion
 * loss on the answer positions, easy-first decoding) on the same data, and report train, ID and
 * OOD exact-match accuracy over training; for path-finding also per answer position and per
 * planning distance, and, given several --n-train values, accuracy against the number of
 * training graphs.
 *
 *   npx tsx examples/diffusion-vs-ar/main.ts [--task composition|comparison|path[,…]] [--steps N] [--seeds 3 | --seed S]
 *       [--arm ar|diffusion] [--time-limit SECONDS] [--out DIR] [--batch B] [--eval-every N] [--eval-size N]
 *       [--dim D] [--depth L] [--heads H] [--positional learned|sinusoidal|rotary] [--embedding-std 1] [--lr X] [--lr-schedule constant|cosine] [--weight-decay X]
 *       [--token-reweighting ALPHA,GAMMA|off] [--time-weighting elbo|linear]
 *       [--entities 100] [--n-train N|stream[,…]] [--branches 2] [--arm-length 3] [--nodes N] [--branch-at start|anywhere]
 *       [--test-size 500] [--progress auto|lines|false]
 *
 * Without --task all three run. The last line on stdout is one JSON object:
 * {"runs":[{"task","arm","seed","nTrain","train","id","ood",…}],"summary":{task:{ar:{…},diffusion:{…}}},
 *  "dataEfficiency":{task:{arm:[{nTrain,id}]}},"wallSeconds"}; with several --n-train values the
 * summary is that of the last one.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BRANCH_POINTS, type BranchPoint } from '@grokkit/datasets';
import { TIME_WEIGHTINGS, type TimeWeighting } from '@grokkit/diffusion';
import { lineChart, markdownTable, summarize, writeReport, type ProgressMode, type Series, type Summary } from '@grokkit/eval';
import { ARMS, runArm, type ArmConfig, type ArmKind, type ArmResult, type DistanceScore } from './arms.js';
import { PATH_DEFAULTS, TASKS, makeTask, type PathShape, type TaskName } from './tasks.js';

/** Settings that every run of a task shares unless a flag overrides them. */
export interface TaskDefaults {
  steps: number;
  batchSize: number;
  evalEvery: number;
  /** Training rows (path-finding: graphs, or 'stream'). */
  nTrain?: number | 'stream';
  /** Model and optimiser settings for both arms, then for each arm. */
  model?: Partial<ModelConfig>;
  arms?: Partial<Record<ArmKind, Partial<ModelConfig>>>;
}

/** Per-task CPU-sized defaults: a few minutes per task per seed for both arms together. */
export const TASK_DEFAULTS: Record<TaskName, TaskDefaults> = {
  composition: { steps: 1000, batchSize: 128, evalEvery: 100 },
  comparison: { steps: 1000, batchSize: 128, evalEvery: 100 },
  path: { steps: 400, batchSize: 64, evalEvery: 100, nTrain: 2000 },
};

export type ModelConfig = Omit<ArmConfig, 'steps' | 'batchSize' | 'evalEvery' | 'seed'>;

export interface DemoOptions {
  tasks: TaskName[];
  arms: ArmKind[];
  seeds: number[];
  out: string;
  /** Overrides of the per-task step budget, batch size and eval interval. */
  steps?: number;
  batchSize?: number;
  evalEvery?: number;
  /** Composition/comparison entities. */
  entities?: number;
  /** Path-finding training set sizes, one set of runs each (default: the task's). */
  nTrain?: (number | 'stream')[];
  testSize?: number;
  path: PathShape;
  /** Flags given: they override the task's and arm's defaults. */
  model: Partial<ModelConfig>;
}

/** A bad command line: the CLI prints the message on one line and exits with status 2. */
export class UsageError extends Error {}

function fail(msg: string): never {
  throw new UsageError(`diffusion-vs-ar: ${msg}`);
}

function num(name: string, v: string | undefined, check: (x: number) => boolean = Number.isFinite, expected = 'a number'): number | undefined {
  if (v === undefined) return undefined;
  const x = v.trim() === '' ? NaN : Number(v);
  if (!check(x)) fail(`--${name} expects ${expected}, got '${v}'`);
  return x;
}
const posInt = (x: number) => Number.isInteger(x) && x > 0;

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) fail(`--${name} expects ${allowed.join(' or ')}, got '${v}'`);
  return v as T;
}

export function parse(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      task: { type: 'string' }, steps: { type: 'string' }, seeds: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
      arm: { type: 'string' }, 'time-limit': { type: 'string' },
      batch: { type: 'string' }, 'eval-every': { type: 'string' }, 'eval-size': { type: 'string' },
      dim: { type: 'string' }, depth: { type: 'string' }, heads: { type: 'string' }, positional: { type: 'string' }, 'embedding-std': { type: 'string' }, lr: { type: 'string' }, 'lr-schedule': { type: 'string' },
      'weight-decay': { type: 'string' }, warmup: { type: 'string' }, 'token-reweighting': { type: 'string' }, grokfast: { type: 'string' }, 'time-weighting': { type: 'string' },
      entities: { type: 'string' }, 'n-train': { type: 'string' },
      branches: { type: 'string' }, 'arm-length': { type: 'string' }, nodes: { type: 'string' }, 'branch-at': { type: 'string' }, separator: { type: 'string' },
      'test-size': { type: 'string' }, progress: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npx tsx examples/diffusion-vs-ar/main.ts [--task composition|comparison|path[,…]] [--steps N] [--seeds 3 | --seed S] [--out DIR]\n' +
        '       [--arm ar|diffusion] [--time-limit SECONDS] [--batch B] [--eval-every N] [--eval-size 256]\n' +
        '       [--dim D] [--depth L] [--heads H] [--positional learned|sinusoidal|rotary] [--embedding-std 1] [--lr X] [--lr-schedule constant|cosine] [--weight-decay X] [--warmup N]\n' +
        '       [--token-reweighting ALPHA,GAMMA|off] [--time-weighting elbo|linear]\n' +
        '       [--entities 100] [--n-train N|stream[,…]] [--branches 2] [--arm-length 3] [--nodes N] [--branch-at start|anywhere]\n' +
        '       [--test-size 500] [--progress auto|bar|lines|false]',
    );
    process.exit(0);
  }
  const tasks = (values.task?.split(',').map((t) => t.trim()) ?? [...TASKS]) as TaskName[];
  for (const t of tasks) if (!TASKS.includes(t)) fail(`--task expects composition, comparison or path, got '${t}'`);
  const arms = (values.arm?.split(',').map((a) => a.trim()) ?? [...ARMS]) as ArmKind[];
  for (const a of arms) if (!ARMS.includes(a)) fail(`--arm expects ar or diffusion, got '${a}'`);
  const nSeeds = num('seeds', values.seeds, posInt, 'a positive integer') ?? 1;
  const one = num('seed', values.seed, (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer');
  const progress = oneOf('progress', values.progress, ['auto', 'bar', 'lines', 'false']);
  const nTrain = values['n-train']?.split(',').map((v) => (v.trim() === 'stream' ? 'stream' : num('n-train', v, posInt, "a positive integer or 'stream' (or a comma-separated list)")!));
  const path: PathShape = {
    branches: num('branches', values.branches, (x) => Number.isInteger(x) && x >= 2, 'an integer ≥ 2') ?? PATH_DEFAULTS.branches,
    armLength: num('arm-length', values['arm-length'], posInt, 'a positive integer') ?? PATH_DEFAULTS.armLength,
    nodes: num('nodes', values.nodes, posInt, 'a positive integer') ?? PATH_DEFAULTS.nodes,
    branchAt: oneOf<BranchPoint>('branch-at', values['branch-at'], BRANCH_POINTS) ?? PATH_DEFAULTS.branchAt,
    separator: values.separator === undefined ? PATH_DEFAULTS.separator : oneOf('separator', values.separator, ['true', 'false']) === 'true',
  };
  const used = path.branches * path.armLength + 1;
  if (path.nodes < used) {
    fail(`--nodes must be at least branches·arm-length + 1 = ${path.branches}·${path.armLength} + 1 = ${used} (every graph uses that many labels), got ${path.nodes}`);
  }
  const model: Partial<ModelConfig> = {};
  const set = <K extends keyof ModelConfig>(k: K, v: ModelConfig[K] | undefined) => {
    if (v !== undefined) model[k] = v;
  };
  set('evalSize', num('eval-size', values['eval-size'], posInt, 'a positive integer'));
  set('dim', num('dim', values.dim, posInt, 'a positive integer'));
  set('depth', num('depth', values.depth, posInt, 'a positive integer'));
  set('heads', num('heads', values.heads, posInt, 'a positive integer'));
  set('positional', oneOf('positional', values.positional, ['learned', 'sinusoidal', 'rotary'] as const));
  set('embeddingStd', num('embedding-std', values['embedding-std'], (x) => x > 0, 'a positive number'));
  set('lr', num('lr', values.lr, (x) => x > 0, 'a positive number'));
  set('lrSchedule', oneOf('lr-schedule', values['lr-schedule'], ['constant', 'cosine'] as const));
  set('weightDecay', num('weight-decay', values['weight-decay'], (x) => x >= 0, 'a non-negative number'));
  set('warmup', num('warmup', values.warmup, (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer'));
  set('timeWeighting', oneOf<TimeWeighting>('time-weighting', values['time-weighting'], TIME_WEIGHTINGS));
  set('timeLimit', num('time-limit', values['time-limit'], (x) => x > 0, 'a positive number of seconds'));
  if (progress !== undefined) model.progress = progress === 'false' ? false : (progress as ProgressMode);
  const tr = values['token-reweighting'];
  if (tr !== undefined) {
    const parts = tr.split(',').map(Number);
    if (tr === 'off') model.tokenReweighting = null;
    else if (parts.length === 2 && parts[0]! > 0 && parts[1]! >= 0 && parts.every(Number.isFinite)) model.tokenReweighting = { alpha: parts[0]!, gamma: parts[1]! };
    else fail(`--token-reweighting expects ALPHA,GAMMA (α > 0, γ ≥ 0, e.g. 0.25,1) or off, got '${tr}'`);
  }
  if (values.grokfast !== undefined) {
    const parts = values.grokfast.split(',').map(Number);
    if (values.grokfast === 'off') model.grokfast = null;
    else if (parts.length === 2 && parts[0]! >= 0 && parts[0]! < 1 && parts.every(Number.isFinite)) model.grokfast = { alpha: parts[0]!, lamb: parts[1]! };
    else fail(`--grokfast expects ALPHA,LAMBDA (0 ≤ α < 1, e.g. 0.98,2) or off, got '${values.grokfast}'`);
  }
  const o: DemoOptions = {
    tasks,
    arms,
    seeds: one !== undefined ? [one] : Array.from({ length: nSeeds }, (_, i) => i),
    out: resolve(values.out ?? 'runs/diffusion-vs-ar'),
    steps: num('steps', values.steps, posInt, 'a positive integer'),
    batchSize: num('batch', values.batch, posInt, 'a positive integer'),
    evalEvery: num('eval-every', values['eval-every'], posInt, 'a positive integer'),
    entities: num('entities', values.entities, posInt, 'a positive integer'),
    nTrain,
    testSize: num('test-size', values['test-size'], posInt, 'a positive integer'),
    path,
    model,
  };
  for (const t of tasks) for (const a of arms) armConfig(o, t, a, 0); // fails on settings that cannot be combined
  return o;
}

/** Defaults of every task and arm, below the task's and the arm's own (TASK_DEFAULTS) and the flags. */
export const MODEL_DEFAULTS: ModelConfig = {
  evalSize: 256, dim: 64, depth: 2, heads: 4, positional: 'learned', embeddingStd: 1, lr: 1e-3, lrSchedule: 'constant', weightDecay: 0.1, warmup: 50,
  tokenReweighting: null, timeWeighting: 'elbo', grokfast: null, progress: 'auto', timeLimit: undefined,
};

/** The settings of one run: the general defaults, then the task's, the arm's, and the flags given. */
export function armConfig(o: DemoOptions, task: TaskName, arm: ArmKind, seed: number): ArmConfig {
  const d = TASK_DEFAULTS[task];
  const cfg = {
    ...MODEL_DEFAULTS, ...d.model, ...d.arms?.[arm], ...o.model,
    steps: o.steps ?? d.steps, batchSize: o.batchSize ?? d.batchSize, evalEvery: o.evalEvery ?? d.evalEvery, seed,
  };
  if (cfg.dim % cfg.heads !== 0) fail(`--heads must divide --dim, got --dim ${cfg.dim} and --heads ${cfg.heads} (${task}, ${arm})`);
  return cfg;
}

const LABEL: Record<ArmKind, string> = { ar: 'autoregressive', diffusion: 'masked diffusion' };
const COLOR: Record<ArmKind, string> = { ar: '#D55E00', diffusion: '#0072B2' };
const round = (x: number | null, d = 4) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

export interface RunSummary {
  task: TaskName;
  arm: ArmKind;
  seed: number;
  /** Path-finding training graphs ('stream': fresh every batch); null for the other tasks. */
  nTrain: number | 'stream' | null;
  params: number;
  steps: number;
  train: number;
  id: number;
  ood: number | null;
  idPerPosition: number[];
  /** Path-finding: ID exact match and branch-choice accuracy per planning distance. */
  idByDistance: DistanceScore[];
  wallSeconds: number;
  msPerStep: number;
}

type ArmSummary = { train: Summary; id: Summary; ood: Summary | null };

export interface DemoSummary {
  runs: RunSummary[];
  /** Mean (and std over seeds) of the final accuracies, per task and arm (of the last --n-train value). */
  summary: Record<string, Partial<Record<ArmKind, ArmSummary>>>;
  /** ID accuracy against the training set size, per task and arm (one point per --n-train value). */
  dataEfficiency: Record<string, Partial<Record<ArmKind, { nTrain: number | 'stream'; id: Summary }[]>>>;
  wallSeconds: number;
}

interface Done {
  task: TaskName;
  nTrain: number | 'stream' | null;
  r: ArmResult;
}

/** Run every task × training-set size × seed × arm, write the report, return the summary printed last. */
export async function main(o: DemoOptions): Promise<DemoSummary> {
  const t0 = performance.now();
  await mkdir(o.out, { recursive: true });
  const all: Done[] = [];
  for (const name of o.tasks) {
    const sizes: (number | 'stream' | null)[] = name === 'path' ? (o.nTrain ?? [TASK_DEFAULTS.path.nTrain ?? 2000]) : [null];
    for (const nTrain of sizes) {
      for (const seed of o.seeds) {
        const task = makeTask(name, seed, { entities: o.entities, testSize: o.testSize, nTrain: nTrain ?? undefined, path: o.path });
        for (const arm of o.arms) {
          const cfg = armConfig(o, name, arm, seed);
          const dir = `${name}-${arm}-seed${seed}${sizes.length > 1 ? `-n${nTrain}` : ''}`;
          const r = await runArm(arm, task, cfg, join(o.out, dir));
          all.push({ task: name, nTrain, r });
          const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
          const size = nTrain === null ? '' : `, n-train ${nTrain}`;
          console.log(
            `${name} ${LABEL[arm]} (seed ${seed}${size}): train ${pct(r.final.train)}, ID ${pct(r.final.id)}, OOD ${pct(r.final.ood)}; ` +
              `${r.wallSeconds.toFixed(0)} s (${r.msPerStep.toFixed(0)} ms/step)`,
          );
        }
      }
    }
  }
  const runs: RunSummary[] = all.map(({ task, nTrain, r }) => ({
    task, arm: r.arm, seed: r.seed, nTrain, params: r.params, steps: r.steps,
    train: round(r.final.train)!, id: round(r.final.id)!, ood: round(r.final.ood),
    idPerPosition: r.idPerPosition.map((x) => round(x)!),
    idByDistance: r.idByDistance.map((d) => ({ ...d, exact: round(d.exact)!, decision: round(d.decision)! })),
    wallSeconds: round(r.wallSeconds, 1)!, msPerStep: round(r.msPerStep, 1)!,
  }));
  const summarizeRuns = (rs: RunSummary[]): ArmSummary => ({
    train: summarize(rs.map((r) => r.train)), id: summarize(rs.map((r) => r.id)), ood: rs.some((r) => r.ood !== null) ? summarize(rs.map((r) => r.ood)) : null,
  });
  const summary: DemoSummary['summary'] = {};
  const dataEfficiency: DemoSummary['dataEfficiency'] = {};
  for (const name of o.tasks) {
    const mine = runs.filter((r) => r.task === name);
    const sizes = [...new Set(mine.map((r) => r.nTrain))];
    const last = sizes[sizes.length - 1];
    const per: DemoSummary['summary'][string] = {};
    const curve: DemoSummary['dataEfficiency'][string] = {};
    for (const arm of o.arms) {
      per[arm] = summarizeRuns(mine.filter((r) => r.arm === arm && r.nTrain === last));
      if (name === 'path') curve[arm] = sizes.map((n) => ({ nTrain: n!, id: summarize(mine.filter((r) => r.arm === arm && r.nTrain === n).map((r) => r.id)) }));
    }
    summary[name] = per;
    if (name === 'path') dataEfficiency[name] = curve;
  }
  await report(o, all, runs, summary, dataEfficiency);
  return { runs, summary, dataEfficiency, wallSeconds: round((performance.now() - t0) / 1000, 1)! };
}

const pctOf = (s: Summary | null) => (s === null || s.n === 0 ? '—' : `${(100 * s.mean).toFixed(1)}${s.n > 1 ? ` ± ${(100 * s.std).toFixed(1)}` : ''}`);

/** Mean over seeds of each planning distance's exact match and branch-choice accuracy. */
function byDistance(rs: RunSummary[]): { distance: number; n: number; exact: Summary; decision: Summary }[] {
  const ds = [...new Set(rs.flatMap((r) => r.idByDistance.map((d) => d.distance)))].sort((a, b) => a - b);
  return ds.map((distance) => {
    const at = rs.map((r) => r.idByDistance.find((d) => d.distance === distance));
    return {
      distance,
      n: at.reduce((a, d) => a + (d?.n ?? 0), 0),
      exact: summarize(at.map((d) => d?.exact)),
      decision: summarize(at.map((d) => d?.decision)),
    };
  });
}

async function report(o: DemoOptions, all: Done[], runs: RunSummary[], summary: DemoSummary['summary'], curves: DemoSummary['dataEfficiency']) {
  const table = markdownTable(
    o.tasks.flatMap((task) =>
      o.arms.map((arm) => ({
        task, arm: LABEL[arm], seeds: summary[task]![arm]!.id.n,
        'train %': pctOf(summary[task]![arm]!.train), 'ID %': pctOf(summary[task]![arm]!.id), 'OOD %': pctOf(summary[task]![arm]!.ood),
      })),
    ),
  );
  const perSeed = markdownTable(
    runs.map((r) => ({
      task: r.task, arm: r.arm, seed: r.seed, 'n-train': r.nTrain ?? '', params: r.params, steps: r.steps, train: r.train, ID: r.id, OOD: r.ood,
      'ID per answer position': r.idPerPosition.join(' / '), 'ms/step': Math.round(r.msPerStep), 'wall s': Math.round(r.wallSeconds),
    })),
  );
  const sections: { heading: string; markdown?: string; svg?: string }[] = [];
  const path = runs.filter((r) => r.task === 'path');
  if (path.length > 0) {
    const last = path[path.length - 1]!.nTrain;
    const rows = o.arms.map((arm) => ({ arm, d: byDistance(path.filter((r) => r.arm === arm && r.nTrain === last)) }));
    sections.push({
      heading: 'Path-finding: accuracy per planning distance',
      markdown:
        'Planning distance: steps from the branch node to the goal, the lookahead the branch choice needs. ' +
        `Branch choice: the answer token after the branch node. Chance at the choice: 1/${o.path.branches}. ` +
        `n-train ${last}; mean ± std over seeds, in %.\n\n` +
        markdownTable(rows.flatMap(({ arm, d }) => d.map((x) => ({ arm: LABEL[arm], 'planning distance': x.distance, 'test rows': x.n, 'branch choice %': pctOf(x.decision), 'exact match %': pctOf(x.exact) })))),
      svg: lineChart({
        series: rows.flatMap(({ arm, d }) => [
          { name: `${arm === 'ar' ? 'AR' : 'diffusion'} branch choice`, color: COLOR[arm], points: d.map((x) => ({ x: x.distance, y: x.decision.mean })) },
          { name: `${arm === 'ar' ? 'AR' : 'diffusion'} exact match`, color: COLOR[arm], dashed: true, points: d.map((x) => ({ x: x.distance, y: x.exact.mean })) },
        ]),
        xLabel: 'planning distance', yLabel: 'ID accuracy', yRange: [0, 1],
      }),
    });
    const sized = (curves.path ?? {}) as Partial<Record<ArmKind, { nTrain: number | 'stream'; id: Summary }[]>>;
    const numeric = o.arms.map((arm) => ({ arm, pts: (sized[arm] ?? []).filter((p): p is { nTrain: number; id: Summary } => typeof p.nTrain === 'number') }));
    if (numeric.some(({ pts }) => pts.length > 1)) {
      sections.push({
        heading: 'Path-finding: accuracy against training graphs',
        markdown: markdownTable(numeric.flatMap(({ arm, pts }) => pts.map((p) => ({ arm: LABEL[arm], 'training graphs': p.nTrain, 'ID exact match %': pctOf(p.id) })))),
        svg: lineChart({
          series: numeric.map(({ arm, pts }) => ({ name: arm === 'ar' ? 'AR' : 'diffusion', color: COLOR[arm], points: pts.map((p) => ({ x: p.nTrain, y: p.id.mean })) })),
          xLabel: 'training graphs', yLabel: 'ID exact match', yRange: [0, 1], logX: true,
        }),
      });
    }
  }
  for (const task of o.tasks) {
    const keys = [['trainAcc', 'train'], ['idAcc', 'ID'], ['oodAcc', 'OOD'], ['idChoice', 'ID branch choice']] as const;
    const series: Series[] = [];
    const many = new Set(all.filter((a) => a.task === task).map((a) => a.nTrain)).size > 1;
    for (const { r, nTrain } of all.filter((a) => a.task === task)) {
      for (const [k, label] of keys) {
        if (!r.history.some((h) => typeof h[k] === 'number')) continue;
        series.push({
          name: `${r.arm === 'ar' ? 'AR' : 'diffusion'} ${label}${o.seeds.length > 1 ? ` s${r.seed}` : ''}${many ? ` n${nTrain}` : ''}`,
          color: r.arm === 'ar' ? (k === 'oodAcc' || k === 'idChoice' ? '#E69F00' : '#D55E00') : k === 'oodAcc' || k === 'idChoice' ? '#56B4E9' : '#0072B2',
          dashed: k === 'trainAcc',
          points: r.history.map((h) => ({ x: h.step, y: h[k] ?? null })),
        });
      }
    }
    sections.push({ heading: `${task}: accuracy over training`, svg: lineChart({ series, xLabel: 'step', yLabel: 'accuracy', yRange: [0, 1] }) });
  }
  const settings = markdownTable(
    o.tasks.flatMap((task) =>
      o.arms.map((arm) => {
        const c = armConfig(o, task, arm, 0);
        const tr = c.tokenReweighting;
        return {
          task, arm: LABEL[arm], steps: c.steps, batch: c.batchSize, width: c.dim, depth: c.depth, heads: c.heads, positions: c.positional,
          lr: `${c.lr} ${c.lrSchedule}`, 'weight decay': c.weightDecay, warmup: c.warmup,
          'token reweighting': tr ? `α ${tr.alpha ?? 0.25}, γ ${tr.gamma ?? 1}` : 'off',
          'time weighting': arm === 'diffusion' ? c.timeWeighting : '—',
        };
      }),
    ),
  );
  const written = await writeReport(o.out, {
    title: 'Masked diffusion vs autoregressive',
    intro:
      'Both arms: the same width, depth and heads, 4× GELU MLP, learned positions; AdamW (betas 0.9, 0.98, linear warmup), ' +
      'gradient clipping at 1. AR: causal decoder, cross-entropy on the answer tokens, greedy decoding. Diffusion: bidirectional encoder, ' +
      'masked-diffusion loss on the answer positions (prompt never masked), confidence-ordered (easy-first) greedy decoding, one token per step. ' +
      'Accuracy is exact match of the whole answer; curves use a sample of each split, the final tables the whole test sets. ' +
      `Seeds: ${o.seeds.join(', ')}. Path graphs: ${o.path.branches} arms of ${o.path.armLength} steps, ${o.path.nodes} labels, branching at ${o.path.branchAt === 'start' ? 'the start' : 'any path node'}.`,
    sections: [
      { heading: 'Settings', markdown: settings },
      { heading: 'Final accuracy (mean ± std over seeds)', markdown: table },
      ...sections,
      { heading: 'Per run', markdown: perSeed },
    ],
  });
  console.log(`report: ${written.html}`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('examples/diffusion-vs-ar/main.ts')) {
  let o: DemoOptions;
  try {
    o = parse(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof UsageError ? e.message : `diffusion-vs-ar: ${(e as Error).message}`);
    process.exit(2);
  }
  const summary = await main(o);
  console.log(JSON.stringify(summary));
}
