/**
 * Diffusion vs autoregressive: train a causal `Decoder` (cross-entropy on the answer tokens,
 * greedy left-to-right decoding) and a masked-diffusion `Encoder` of the same size (masked-diffusion
 * loss on the answer positions, easy-first decoding) on the same data, and report train, ID and
 * OOD exact-match accuracy over training; for path-finding also per answer position and per
 * planning distance, and, given several --n-train values, accuracy against the number of
 * training graphs.
 *
 *   npx tsx examples/diffusion-vs-ar/main.ts --task path --seeds 0,1,2     (the defaults; --help lists every flag)
 *
 * Without --task all three run. The last line on stdout is one JSON object:
 * {"runs":[{"task","arm","seed","nTrain","train","id","ood",…}],"summary":{task:{ar:{…},diffusion:{…}}},
 *  "dataEfficiency":{task:{arm:[{nTrain,id}]}},"wallSeconds"}; with several --n-train values the
 * summary is that of the last one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BRANCH_POINTS } from '@grokkit/datasets';
import { TIME_WEIGHTINGS } from '@grokkit/diffusion';
import { markdownTable, summarize, type LineChartOptions, type ProgressMode, type ReportSection, type Series, type Summary } from '@grokkit/eval';
import { claimOutDir, defineCli, writeReport, SETTINGS_FILE, UsageError, type CliValues } from '@grokkit/eval/node';
import { ARMS, runArm, type ArmConfig, type ArmKind, type ArmResult, type DistanceScore } from './arms.js';
import { PATH_DEFAULTS, TASKS, makeTask, type PathShape, type TaskName } from './tasks.js';

export { UsageError };

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
  // Path-finding: fresh graphs every batch, MGDM's token reweighting on both arms and its linear
  // time weighting for diffusion, 3 layers (with 2 the diffusion arm learns no lookup at all); the
  // shape (PATH_DEFAULTS) mixes planning distances 1–3 as Ye et al.'s task does.
  // docs/reproductions.md has the measurements behind these settings.
  path: {
    steps: 3000, batchSize: 64, evalEvery: 100, nTrain: 'stream',
    model: { depth: 3, tokenReweighting: { alpha: 0.25, gamma: 1 } }, arms: { diffusion: { timeWeighting: 'linear' } },
  },
};

export type ModelConfig = Omit<ArmConfig, 'steps' | 'batchSize' | 'evalEvery' | 'seed'>;

export interface DemoOptions {
  tasks: TaskName[];
  arms: ArmKind[];
  seeds: number[];
  out: string;
  /** Replace a previous run in `out`. */
  overwrite?: boolean;
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


export const cli = defineCli({
  name: 'diffusion-vs-ar',
  usage: 'npx tsx examples/diffusion-vs-ar/main.ts [options]',
  description:
    'A causal transformer (AR: cross-entropy on the answer, greedy left-to-right decoding) and a masked-diffusion\n' +
    'encoder of the same size (masked-diffusion loss on the answer, easy-first decoding) trained on the same data:\n' +
    'two-hop composition, comparison, and path-finding past a decoy branch (Ye et al.). Path-finding reports accuracy\n' +
    'per answer position and planning distance, and with several --n-train values accuracy against training graphs.',
  options: {
    task: { type: 'enum', choices: TASKS, list: true, default: TASKS, description: 'tasks to run' },
    arm: { type: 'enum', choices: ARMS, list: true, default: ARMS, description: 'arms: ar (autoregressive), diffusion (masked diffusion)' },
    seeds: { type: 'int', list: true, min: 0, default: [0], description: 'seeds; each runs every task and arm (data, init and batch order)' },
    steps: { type: 'int', min: 1, defaultText: `per task: ${TASKS.map((t) => `${t} ${TASK_DEFAULTS[t].steps}`).join(', ')}`, description: 'optimizer steps per arm' },
    batch: { type: 'int', min: 1, defaultText: `per task: ${TASKS.map((t) => `${t} ${TASK_DEFAULTS[t].batchSize}`).join(', ')}`, description: 'minibatch size' },
    evalEvery: { type: 'int', min: 1, defaultText: `per task: ${TASKS.map((t) => `${t} ${TASK_DEFAULTS[t].evalEvery}`).join(', ')}`, description: 'evaluate (curves) every this many steps' },
    evalSize: { type: 'int', min: 1, defaultText: String(256), description: 'rows of each split the curves are measured on' },
    timeLimit: { type: 'number', above: 0, description: 'stop each arm after this many seconds' },
    dim: { type: 'int', min: 1, defaultText: '64', description: 'model width (a multiple of --heads), both arms' },
    depth: { type: 'int', min: 1, defaultText: 'path 3, others 2', description: 'transformer layers, both arms' },
    heads: { type: 'int', min: 1, defaultText: '4', description: 'attention heads, both arms' },
    positional: { type: 'enum', choices: ['learned', 'sinusoidal', 'rotary'] as const, defaultText: 'learned', description: 'position encoding' },
    embeddingStd: { type: 'number', above: 0, defaultText: '1', description: 'standard deviation of the token embedding at init' },
    lr: { type: 'number', above: 0, defaultText: '0.001', description: 'AdamW learning rate (betas 0.9, 0.98, gradient clipping at 1)' },
    lrSchedule: { type: 'enum', choices: ['constant', 'cosine'] as const, defaultText: 'constant', description: 'learning rate after the warmup' },
    weightDecay: { type: 'number', min: 0, defaultText: '0.1', description: 'AdamW weight decay' },
    warmup: { type: 'int', min: 0, defaultText: '50', description: 'linear warmup steps' },
    tokenReweighting: {
      type: 'string', placeholder: 'ALPHA,GAMMA|off', defaultText: 'path: 0.25,1; others off',
      description: "MGDM's adaptive token reweighting α(1 − p)^γ on each answer token's loss, both arms",
    },
    timeWeighting: { type: 'enum', choices: TIME_WEIGHTINGS, defaultText: 'path: linear; others elbo', description: 'diffusion loss weight of a row masked at time t: 1/t (elbo) or 1 − t (linear)' },
    grokfast: { type: 'string', placeholder: 'ALPHA,LAMBDA|off', defaultText: 'off', description: 'Grokfast-EMA gradient filter, both arms' },
    entities: { type: 'int', min: 1, defaultText: '100', description: 'composition/comparison: entities' },
    nTrain: {
      type: 'string', list: true, placeholder: 'N|stream,…', defaultText: `path: ${TASK_DEFAULTS.path.nTrain ?? 2000}`,
      description: "path: training graphs, or 'stream' for fresh graphs every batch; several values: one set of runs each",
    },
    branches: { type: 'int', min: 2, default: PATH_DEFAULTS.branches, description: 'path: arms at the branch node (the path and its decoys)' },
    armLength: { type: 'int', min: 1, default: PATH_DEFAULTS.armLength, description: 'path: steps from the branch node to the end of each arm' },
    nodes: { type: 'int', min: 1, default: PATH_DEFAULTS.nodes, description: 'path: node labels (at least branches·arm-length + 1)' },
    branchAt: { type: 'enum', choices: BRANCH_POINTS, default: PATH_DEFAULTS.branchAt, description: 'path: decoy arms leave the start (a star) or any path node' },
    separator: { type: 'enum', choices: ['true', 'false'] as const, default: String(PATH_DEFAULTS.separator) as 'true' | 'false', description: "path: a ',' after each edge" },
    testSize: { type: 'int', min: 1, defaultText: '500', description: 'cap on each test set' },
    out: { type: 'dir', default: 'runs/diffusion-vs-ar', description: "folder for the report and each run's log" },
    overwrite: { type: 'bool', description: 'replace a previous run in --out' },
    progress: { type: 'enum', choices: ['auto', 'bar', 'lines', 'false'] as const, default: 'auto', description: 'progress on stderr: a bar on a terminal (auto), plain lines, or none' },
  },
  check: (v) => {
    const used = v.branches * v.armLength + 1;
    if (v.nodes < used) {
      return `--nodes: expected at least branches·arm-length + 1 = ${v.branches}·${v.armLength} + 1 = ${used} (every graph uses that many labels), got ${v.nodes}`;
    }
    for (const n of v.nTrain ?? []) {
      if (n !== 'stream' && !/^[1-9]\d*$/.test(n)) return `--n-train: expected positive integers or 'stream', comma-separated, got '${n}'`;
    }
    const pair = (flag: string, text: string | undefined, ok: (a: number, b: number) => boolean, what: string) =>
      text === undefined || text === 'off' || (/^[^,]+,[^,]+$/.test(text) && ok(...(text.split(',').map(Number) as [number, number])))
        ? undefined
        : `${flag}: expected ${what} or off, got '${text}'`;
    return (
      pair('--token-reweighting', v.tokenReweighting, (a, g) => a > 0 && g >= 0 && Number.isFinite(a + g), 'ALPHA,GAMMA (α > 0, γ ≥ 0, e.g. 0.25,1)') ??
      pair('--grokfast', v.grokfast, (a, l) => a >= 0 && a < 1 && Number.isFinite(a + l), 'ALPHA,LAMBDA (0 ≤ α < 1, e.g. 0.98,2)')
    );
  },
  notes:
    "Writes report.html, report.md and its charts to --out, and each run's log.jsonl to --out/<task>-<arm>-seed<seed>[-n<n-train>].\n" +
    'The last line on stdout is one JSON object: {"runs":[…],"summary":{task:{ar:{id:{mean,…},…},diffusion:{…}}},"dataEfficiency":{…},"wallSeconds":…}.',
});

const pairOf = (text: string) => text.split(',').map(Number) as [number, number];

/** The demo's options from parsed flags; a UsageError (one line, naming the flag) for settings that cannot be combined. */
export function options(v: CliValues<typeof cli.spec.options>): DemoOptions {
  const path: PathShape = { branches: v.branches, armLength: v.armLength, nodes: v.nodes, branchAt: v.branchAt, separator: v.separator === 'true' };
  const model: Partial<ModelConfig> = {};
  const set = <K extends keyof ModelConfig>(k: K, x: ModelConfig[K] | undefined) => {
    if (x !== undefined) model[k] = x;
  };
  set('evalSize', v.evalSize);
  set('dim', v.dim);
  set('depth', v.depth);
  set('heads', v.heads);
  set('positional', v.positional);
  set('embeddingStd', v.embeddingStd);
  set('lr', v.lr);
  set('lrSchedule', v.lrSchedule);
  set('weightDecay', v.weightDecay);
  set('warmup', v.warmup);
  set('timeWeighting', v.timeWeighting);
  set('timeLimit', v.timeLimit);
  model.progress = v.progress === 'false' ? false : (v.progress as ProgressMode);
  if (v.tokenReweighting !== undefined) {
    const [alpha, gamma] = pairOf(v.tokenReweighting);
    model.tokenReweighting = v.tokenReweighting === 'off' ? null : { alpha, gamma };
  }
  if (v.grokfast !== undefined) {
    const [alpha, lamb] = pairOf(v.grokfast);
    model.grokfast = v.grokfast === 'off' ? null : { alpha, lamb };
  }
  const o: DemoOptions = {
    tasks: v.task,
    arms: v.arm,
    seeds: v.seeds,
    out: v.out,
    overwrite: v.overwrite,
    steps: v.steps,
    batchSize: v.batch,
    evalEvery: v.evalEvery,
    entities: v.entities,
    nTrain: v.nTrain?.map((n) => (n === 'stream' ? 'stream' : Number(n))),
    testSize: v.testSize,
    path,
    model,
  };
  for (const t of o.tasks) for (const a of o.arms) armConfig(o, t, a, 0); // throws on settings that cannot be combined
  return o;
}

/** Parse a command line (the arguments after the script) into the demo's options. */
export const parse = (argv: readonly string[]): DemoOptions => options(cli.parse(argv));

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
  if (cfg.dim % cfg.heads !== 0) throw new UsageError(`--heads: expected a divisor of --dim ${cfg.dim}, got ${cfg.heads} (${task}, ${arm})`);
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
  const settings = { tasks: o.tasks, arms: o.arms, seeds: o.seeds, nTrain: o.nTrain ?? null, path: o.path, entities: o.entities ?? null, testSize: o.testSize ?? null };
  // no --resume here (a stream's generator is not checkpointed): a previous run is replaced or kept
  if (!o.overwrite && existsSync(join(o.out, SETTINGS_FILE))) {
    throw new UsageError(`--out: expected a folder without a previous run, got '${o.out}', which holds one (${SETTINGS_FILE}); replace it with --overwrite or choose another folder`);
  }
  const claim = claimOutDir(o.out, { settings, overwrite: o.overwrite, name: '--out' });
  try {
    return await runAll(o, t0);
  } finally {
    claim.release();
  }
}

async function runAll(o: DemoOptions, t0: number): Promise<DemoSummary> {
  const all: Done[] = [];
  for (const name of o.tasks) {
    const sizes: (number | 'stream' | null)[] = name === 'path' ? (o.nTrain ?? [TASK_DEFAULTS.path.nTrain ?? 2000]) : [null];
    for (const nTrain of sizes) {
      for (const seed of o.seeds) {
        const task = makeTask(name, seed, { entities: o.entities, testSize: o.testSize, nTrain: nTrain ?? undefined, path: o.path });
        for (const arm of o.arms) {
          const cfg = armConfig(o, name, arm, seed);
          const dir = `${name}-${arm}-seed${seed}${sizes.length > 1 ? `-n${nTrain}` : ''}`;
          const r = await runArm(arm, task, cfg, join(o.out, dir), o.overwrite);
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

/** Types a chart's options where they are written (the y range as a pair). */
const chart = (c: LineChartOptions): LineChartOptions => c;

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
  const sections: ReportSection[] = [];
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
        markdownTable(rows.flatMap(({ arm, d }) => d.map((x) => ({ arm: LABEL[arm], 'planning distance': x.distance, 'test rows (all seeds)': x.n, 'branch choice %': pctOf(x.decision), 'exact match %': pctOf(x.exact) })))),
      charts: chart({
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
        charts: chart({
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
    sections.push({ heading: `${task}: accuracy over training`, charts: chart({ series, xLabel: 'step', yLabel: 'accuracy', yRange: [0, 1] }) });
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
  await cli.run(async (v) => console.log(JSON.stringify(await main(options(v)))));
}
