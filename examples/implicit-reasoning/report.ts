/**
 * The implicit-reasoning report: the summary table (final accuracies, steps to ID 90% per task,
 * filter and φ), one chart per run with its train / ID / OOD curves, and the per-seed numbers.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { markdownTable, palette, type LineChartOptions } from '@grokkit/eval';
import { writeReport } from '@grokkit/eval/node';
import type { ReasoningConfig, RunResult } from './run.js';
import type { ArmStats, ByPhi, MeanStd, StepStats } from './summary.js';

const LABEL = { none: 'AdamW', ema: 'Grokfast-EMA + AdamW' } as const;

const pct = (m: MeanStd) => (m.mean === null ? '—' : `${(100 * m.mean).toFixed(1)}${m.std === null ? '' : ` ± ${(100 * m.std).toFixed(1)}`}`);
const steps = (s: StepStats, digits = 0) => {
  const f = (x: number) => x.toFixed(digits);
  const range = s.min === null ? '' : s.min === s.max ? '' : ` (${f(s.min)}–${f(s.max!)})`;
  return `${s.median === null ? '—' : f(s.median)}${range}, ${s.reached}/${s.runs}`;
};
const acc = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1) : '—');

/** One chart of a run: train (inferred facts in train), ID and OOD accuracy against the step. */
export function accuracyChart(r: RunResult): LineChartOptions {
  const pts = (k: 'train' | 'id' | 'ood') => r.history.map((h) => ({ x: h.step, y: Number.isFinite(h[k]) ? h[k] : null }));
  return {
    title: `${r.task}, φ = ${r.phi}, ${LABEL[r.filter]}, seed ${r.seed}`,
    xLabel: 'step',
    yLabel: 'accuracy',
    yRange: [0, 1],
    series: [
      { name: 'train (inferred)', points: pts('train'), color: palette[0], dashed: true },
      { name: 'test ID', points: pts('id'), color: palette[1] },
      { name: 'test OOD', points: pts('ood'), color: palette[2] },
    ],
  };
}

export interface ReportInput {
  out: string;
  /** Every config run (one per task × φ × filter). */
  configs: readonly ReasoningConfig[];
  runs: readonly RunResult[];
  byPhi: ByPhi;
  wallSeconds: number;
  command?: string;
  /** Runs that threw, one line each. */
  errors: string[];
}

export async function writeReasoningReport(o: ReportInput): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const [task, filters] of Object.entries(o.byPhi)) {
    for (const [filter, phis] of Object.entries(filters as Record<string, Record<string, ArmStats>>)) {
      for (const s of Object.values(phis).sort((a, b) => a.phi - b.phi)) {
        rows.push({
          task, φ: s.phi, update: LABEL[filter as keyof typeof LABEL], seeds: s.runs,
          'train %': pct(s.train), 'ID %': pct(s.id), 'OOD %': pct(s.ood),
          'steps to train 95%': steps(s.stepsToTrain95), 'steps to ID 90%': steps(s.stepsToId90), 'ID 90% / train 95%': steps(s.delayRatio, 1),
        });
      }
    }
  }
  const perSeed = o.runs.map((r) => ({
    task: r.task, φ: r.phi, update: LABEL[r.filter], seed: r.seed, steps: r.steps,
    'train %': acc(r.train), 'ID %': acc(r.id), 'OOD %': acc(r.ood),
    'train 95% at': r.stepsToTrain95 ?? '—', 'ID 90% at': r.stepsToId90 ?? '—', 's': r.seconds.toFixed(0), 'ms/step': r.msPerStep.toFixed(0),
  }));
  const c = o.configs[0]!;
  const intro = [
    'Wang et al. (2024), “Grokked transformers are implicit reasoners”: a causal decoder learns every atomic fact and a fraction φ',
    '(inferred facts per ID atomic fact) of the inferred facts; ID test facts are held-out inferred facts over atomic facts',
    'that appear composed in training, OOD ones are built from atomic facts seen only alone. “Steps to ID 90%” is the first',
    'evaluation at or above 90% (median over seeds, range, how many seeds got there); train accuracy is measured on inferred facts in train.',
    '',
    `- data: |E| = ${c.entities}; composition |R| = ${c.relations}, ${c.degree} relations per entity; comparison ${c.attributes} attributes × ${c.values} values; OOD fraction of atomic facts ${c.oodFraction}; held-out sets capped at ${c.testSize}`,
    `- model: causal decoder, width ${c.dim}, ${c.depth} blocks, ${c.heads} heads; cross-entropy on the answer only, predicted after the last token of the query (after r for an atomic fact, after the third token for an inferred one)`,
    `- update: clip ${c.clip}, [Grokfast-EMA α ${c.alpha}, λ ${c.lamb}], AdamW lr ${c.lr} (warmup ${c.warmup}), betas (0.9, 0.98), weight decay ${c.weightDecay}; batch ${c.batch}; evaluation every ${c.evalEvery} steps`,
    `- seeds ${[...new Set(o.runs.map((r) => r.seed))].join(', ')}; wall time ${o.wallSeconds.toFixed(0)} s`,
    ...(o.errors.length ? [`- **failed runs:** ${o.errors.join('; ')}`] : []),
  ].join('\n');
  await writeReport(o.out, {
    title: 'Implicit reasoning: composition and comparison',
    intro,
    ...(o.command && { setup: { command: o.command } }),
    sections: [
      { heading: 'Summary (mean ± std over seeds at the last step; steps: median (range), seeds that got there)', markdown: markdownTable(rows) },
      { heading: 'Curves, one chart per run', charts: o.runs.map(accuracyChart) },
      { heading: 'Per seed', markdown: markdownTable(perSeed) },
    ],
  });
  await writeFile(join(o.out, 'runs.json'), JSON.stringify({ configs: o.configs, command: o.command ?? null, wallSeconds: o.wallSeconds, runs: o.runs }));
}
