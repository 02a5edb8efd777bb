/**
 * Diffusion vs autoregressive: train a causal `Decoder` (cross-entropy on the answer tokens,
 * greedy left-to-right decoding) and a masked-diffusion `Encoder` of the same size (MDLM loss on
 * the answer positions, confidence-ordered decoding) on the same data, and report train, ID and
 * OOD exact-match accuracy over training.
 *
 *   npx tsx examples/diffusion-vs-ar/main.ts [--task composition|comparison|path[,…]] [--steps N] [--seeds 3 | --seed S]
 *       [--arm ar|diffusion] [--time-limit SECONDS] [--out DIR] [--batch B] [--eval-every N] [--eval-size N] [--dim 64] [--depth 2] [--heads 4]
 *       [--lr 1e-3] [--weight-decay 0.1] [--entities 100] [--n-train 2000] [--test-size 500] [--progress auto|lines|false]
 *
 * Without --task all three run. The last line on stdout is one JSON object:
 * {"runs":[{"task","arm","seed","train","id","ood",…}],"summary":{task:{ar:{…},diffusion:{…}}},"wallSeconds"}.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { markdownTable, summarize, type ProgressMode, type Series, type Summary } from '@grokkit/eval';
import { writeReport } from '@grokkit/eval/node';
import { ARMS, runArm, type ArmConfig, type ArmKind, type ArmResult } from './arms.js';
import { TASKS, makeTask, type TaskName, type TaskSize } from './tasks.js';

/** Per-task CPU-sized defaults: a few minutes per task per seed for both arms together. */
export const TASK_DEFAULTS: Record<TaskName, { steps: number; batchSize: number; evalEvery: number }> = {
  composition: { steps: 1000, batchSize: 128, evalEvery: 100 },
  comparison: { steps: 1000, batchSize: 128, evalEvery: 100 },
  path: { steps: 400, batchSize: 64, evalEvery: 100 },
};

export interface DemoOptions {
  tasks: TaskName[];
  arms: ArmKind[];
  seeds: number[];
  out: string;
  /** Overrides of the per-task step budget, batch size and eval interval. */
  steps?: number;
  batchSize?: number;
  evalEvery?: number;
  size: TaskSize;
  model: Omit<ArmConfig, 'steps' | 'batchSize' | 'evalEvery' | 'seed'>;
}

function fail(msg: string): never {
  console.error(`diffusion-vs-ar: ${msg}`);
  process.exit(2);
}

function num(name: string, v: string | undefined, check: (x: number) => boolean = Number.isFinite): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!check(x)) fail(`--${name} got '${v}', which is not allowed`);
  return x;
}
const posInt = (x: number) => Number.isInteger(x) && x > 0;

export function parse(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      task: { type: 'string' }, steps: { type: 'string' }, seeds: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
      arm: { type: 'string' }, 'time-limit': { type: 'string' },
      batch: { type: 'string' }, 'eval-every': { type: 'string' }, 'eval-size': { type: 'string' },
      dim: { type: 'string' }, depth: { type: 'string' }, heads: { type: 'string' }, lr: { type: 'string' },
      'weight-decay': { type: 'string' }, entities: { type: 'string' }, 'n-train': { type: 'string' },
      'test-size': { type: 'string' }, progress: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npx tsx examples/diffusion-vs-ar/main.ts [--task composition|comparison|path[,…]] [--steps N] [--seeds 3 | --seed S] [--out DIR]\n' +
        '       [--arm ar|diffusion] [--time-limit SECONDS]\n' +
        '       [--batch B] [--eval-every N] [--eval-size 256] [--dim 64] [--depth 2] [--heads 4] [--lr 1e-3] [--weight-decay 0.1]\n' +
        '       [--entities 100] [--n-train 2000] [--test-size 500] [--progress auto|bar|lines|false]',
    );
    process.exit(0);
  }
  const tasks = (values.task?.split(',').map((t) => t.trim()) ?? [...TASKS]) as TaskName[];
  for (const t of tasks) if (!TASKS.includes(t)) fail(`--task expects composition, comparison or path, got '${t}'`);
  const arms = (values.arm?.split(',').map((a) => a.trim()) ?? [...ARMS]) as ArmKind[];
  for (const a of arms) if (!ARMS.includes(a)) fail(`--arm expects ar or diffusion, got '${a}'`);
  const nSeeds = num('seeds', values.seeds, posInt) ?? 1;
  const one = num('seed', values.seed, (x) => Number.isInteger(x) && x >= 0);
  const progress = values.progress ?? 'auto';
  if (!['auto', 'bar', 'lines', 'false'].includes(progress)) fail(`--progress expects auto, bar, lines or false, got '${progress}'`);
  return {
    tasks,
    arms,
    seeds: one !== undefined ? [one] : Array.from({ length: nSeeds }, (_, i) => i),
    out: resolve(values.out ?? 'runs/diffusion-vs-ar'),
    steps: num('steps', values.steps, posInt),
    batchSize: num('batch', values.batch, posInt),
    evalEvery: num('eval-every', values['eval-every'], posInt),
    size: { entities: num('entities', values.entities, posInt), nTrain: num('n-train', values['n-train'], posInt), testSize: num('test-size', values['test-size'], posInt) },
    model: {
      ...MODEL_DEFAULTS,
      evalSize: num('eval-size', values['eval-size'], posInt) ?? MODEL_DEFAULTS.evalSize,
      dim: num('dim', values.dim, posInt) ?? MODEL_DEFAULTS.dim,
      depth: num('depth', values.depth, posInt) ?? MODEL_DEFAULTS.depth,
      heads: num('heads', values.heads, posInt) ?? MODEL_DEFAULTS.heads,
      lr: num('lr', values.lr, (x) => x > 0) ?? MODEL_DEFAULTS.lr,
      weightDecay: num('weight-decay', values['weight-decay'], (x) => x >= 0) ?? MODEL_DEFAULTS.weightDecay,
      timeLimit: num('time-limit', values['time-limit'], (x) => x > 0),
      progress: progress === 'false' ? false : (progress as ProgressMode),
    },
  };
}

export const MODEL_DEFAULTS: DemoOptions['model'] = {
  evalSize: 256, dim: 64, depth: 2, heads: 4, lr: 1e-3, weightDecay: 0.1, warmup: 50, progress: 'auto', timeLimit: undefined,
};

const LABEL: Record<ArmKind, string> = { ar: 'autoregressive', diffusion: 'masked diffusion' };
const round = (x: number | null, d = 4) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

export interface RunSummary {
  task: TaskName;
  arm: ArmKind;
  seed: number;
  params: number;
  steps: number;
  train: number;
  id: number;
  ood: number | null;
  idPerPosition: number[];
  wallSeconds: number;
  msPerStep: number;
}

export interface DemoSummary {
  runs: RunSummary[];
  /** Mean (and std over seeds) of the final accuracies, per task and arm. */
  summary: Record<string, Partial<Record<ArmKind, { train: Summary; id: Summary; ood: Summary | null }>>>;
  wallSeconds: number;
}

/** Run every task × seed × arm, write the report, return the summary printed last. */
export async function main(o: DemoOptions): Promise<DemoSummary> {
  const t0 = performance.now();
  await mkdir(o.out, { recursive: true });
  const all: { task: TaskName; r: ArmResult }[] = [];
  for (const name of o.tasks) {
    const d = TASK_DEFAULTS[name];
    for (const seed of o.seeds) {
      const task = makeTask(name, seed, o.size);
      for (const arm of o.arms) {
        const cfg: ArmConfig = { ...o.model, steps: o.steps ?? d.steps, batchSize: o.batchSize ?? d.batchSize, evalEvery: o.evalEvery ?? d.evalEvery, seed };
        const r = await runArm(arm, task, cfg, join(o.out, `${name}-${arm}-seed${seed}`));
        all.push({ task: name, r });
        const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
        console.log(`${name} ${LABEL[arm]} (seed ${seed}): train ${pct(r.final.train)}, ID ${pct(r.final.id)}, OOD ${pct(r.final.ood)}; ${r.wallSeconds.toFixed(0)} s (${r.msPerStep.toFixed(0)} ms/step)`);
      }
    }
  }
  const runs: RunSummary[] = all.map(({ task, r }) => ({
    task, arm: r.arm, seed: r.seed, params: r.params, steps: r.steps,
    train: round(r.final.train)!, id: round(r.final.id)!, ood: round(r.final.ood),
    idPerPosition: r.idPerPosition.map((x) => round(x)!), wallSeconds: round(r.wallSeconds, 1)!, msPerStep: round(r.msPerStep, 1)!,
  }));
  const summary: DemoSummary['summary'] = {};
  for (const name of o.tasks) {
    const per: DemoSummary['summary'][string] = {};
    for (const arm of o.arms) {
      const rs = runs.filter((r) => r.task === name && r.arm === arm);
      per[arm] = { train: summarize(rs.map((r) => r.train)), id: summarize(rs.map((r) => r.id)), ood: rs.some((r) => r.ood !== null) ? summarize(rs.map((r) => r.ood)) : null };
    }
    summary[name] = per;
  }
  await report(o, all, runs, summary);
  return { runs, summary, wallSeconds: round((performance.now() - t0) / 1000, 1)! };
}

async function report(o: DemoOptions, all: { task: TaskName; r: ArmResult }[], runs: RunSummary[], summary: DemoSummary['summary']) {
  const pct = (s: Summary | null) => (s === null || s.n === 0 ? '—' : `${(100 * s.mean).toFixed(1)}${s.n > 1 ? ` ± ${(100 * s.std).toFixed(1)}` : ''}`);
  const table = markdownTable(
    o.tasks.flatMap((task) =>
      o.arms.map((arm) => ({
        task, arm: LABEL[arm], seeds: summary[task]![arm]!.id.n,
        'train %': pct(summary[task]![arm]!.train), 'ID %': pct(summary[task]![arm]!.id), 'OOD %': pct(summary[task]![arm]!.ood),
      })),
    ),
  );
  const perSeed = markdownTable(
    runs.map((r) => ({
      task: r.task, arm: r.arm, seed: r.seed, params: r.params, steps: r.steps, train: r.train, ID: r.id, OOD: r.ood,
      'ID per answer position': r.idPerPosition.join(' / '), 'ms/step': Math.round(r.msPerStep), 'wall s': Math.round(r.wallSeconds),
    })),
  );
  const sections = o.tasks.map((task) => {
    const keys = [['trainAcc', 'train'], ['idAcc', 'ID'], ['oodAcc', 'OOD']] as const;
    const series: Series[] = [];
    for (const { r } of all.filter((a) => a.task === task)) {
      for (const [k, label] of keys) {
        if (!r.history.some((h) => typeof h[k] === 'number')) continue;
        series.push({
          name: `${r.arm === 'ar' ? 'AR' : 'diffusion'} ${label}${o.seeds.length > 1 ? ` s${r.seed}` : ''}`,
          color: r.arm === 'ar' ? (k === 'oodAcc' ? '#E69F00' : '#D55E00') : k === 'oodAcc' ? '#56B4E9' : '#0072B2',
          dashed: k === 'trainAcc',
          points: r.history.map((h) => ({ x: h.step, y: h[k] ?? null })),
        });
      }
    }
    return { heading: `${task}: accuracy over training`, charts: { series, xLabel: 'step', yLabel: 'exact-match accuracy', yRange: [0, 1] as const } };
  });
  const m = o.model;
  const written = await writeReport(o.out, {
    title: 'Masked diffusion vs autoregressive',
    intro:
      `Both arms: width ${m.dim}, ${m.depth} layers, ${m.heads} heads, 4× GELU MLP, learned positions; AdamW lr ${m.lr} ` +
      `(betas 0.9, 0.98, ${m.warmup}-step warmup), weight decay ${m.weightDecay}, gradient clipping at 1. AR: causal decoder, ` +
      `cross-entropy on the answer tokens, greedy decoding. Diffusion: bidirectional encoder, MDLM loss on the answer positions ` +
      `(prompt never masked), confidence-ordered greedy decoding, one token per step. Accuracy is exact match of the whole answer; ` +
      `curves use ${m.evalSize} examples per split, the final table the whole test sets. Seeds: ${o.seeds.join(', ')}.`,
    sections: [
      { heading: 'Final accuracy (mean ± std over seeds)', markdown: table },
      { heading: 'Per run', markdown: perSeed },
      ...sections,
    ],
  });
  console.log(`report: ${written.html}`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('examples/diffusion-vs-ar/main.ts')) {
  const summary = await main(parse(process.argv.slice(2)));
  console.log(JSON.stringify(summary));
}
