/** The bench's report: the table, per-run details, validation curves and the gradient-spectrum view. */
import { lineChart, markdownTable, palette, type Series } from '@grokkit/eval';
import { writeReport } from '@grokkit/eval/node';
import type { BenchRun, Task } from './run.js';
import { TASK_SYMBOL } from './run.js';
import { spectrumRow } from './spectrum-summary.js';
import { formatSpeedup, formatSteps, type Cell } from './summary.js';

export interface ReportInput {
  out: string;
  command: string;
  runs: BenchRun[];
  cells: Cell[];
  methods: string[];
  tasks: Task[];
  seeds: number[];
  wallSeconds: number;
  cpuSeconds: number;
  workers: number;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const fixed = (x: number | null, d = 2) => (x === null ? '—' : x.toFixed(d));

/**
 * One line per run. Runs share their method's colour, except on a chart of one method, where the
 * seed picks it (else its seeds could not be told apart, nor matched from one chart to the next).
 */
export function curves(runs: readonly BenchRun[], methods: readonly string[], key: 'valAcc' | 'lowHigh'): Series[] {
  const oneMethod = new Set(runs.map((r) => r.method)).size === 1;
  return runs.map((r) => {
    const i = oneMethod ? r.seed : methods.indexOf(r.method);
    return {
      name: `${r.method} s${r.seed}`,
      color: palette[i % palette.length],
      dashed: i >= palette.length,
      points: r.history.filter((h) => h.step > 0 && (key === 'valAcc' || h.lowHigh !== undefined)).map((h) => ({ x: h.step, y: h[key]! })),
    };
  });
}

export async function writeBenchReport(o: ReportInput) {
  const table = markdownTable(
    o.cells.map((c) => ({
      method: c.method,
      task: TASK_SYMBOL[c.task],
      'steps to 95% val: median (range)': formatSteps(c),
      'speed-up vs baseline': formatSpeedup(c),
      'final val acc (mean)': pct(c.finalValAcc.mean),
      'wall s / run': Math.round(c.wallSeconds),
      'ms / step': Math.round(c.msPerStep),
    })),
  );
  const details = markdownTable(
    [...o.runs]
      .sort((a, b) => o.tasks.indexOf(a.task) - o.tasks.indexOf(b.task) || o.methods.indexOf(a.method) - o.methods.indexOf(b.method) || a.seed - b.seed)
      .map((r) => ({
        method: r.method,
        task: TASK_SYMBOL[r.task],
        seed: r.seed,
        'steps to 95%': r.stepsTo95 ?? `> ${r.steps}`,
        'final val': pct(r.finalValAcc),
        'final train': pct(r.finalTrainAcc),
        'compression on at': r.compressionOnAt ?? '—',
        'wall s': Math.round(r.wallSeconds),
      })),
  );
  const sections = [
    { heading: 'Steps to 95% validation accuracy', markdown: `${table}\nMedian and range over seeds ${o.seeds.join(', ')}; "> N": not reached within the N-step cap (such a run counts as slower than any that got there). Speed-up: baseline median ÷ method median on the same task; "≥" when the baseline median is itself "> N", so the cap stands in for it.` },
    { heading: 'Every run', markdown: details },
    ...o.tasks.map((t) => ({
      heading: `Validation accuracy, ${TASK_SYMBOL[t]}`,
      svg: lineChart({ series: curves(o.runs.filter((r) => r.task === t), o.methods, 'valAcc'), xLabel: 'step', yLabel: 'val acc', yRange: [0, 1] }),
    })),
  ];
  const spectral = o.runs.filter((r) => r.task === 'mul' && (r.method === 'baseline' || r.method === 'grokfast-ema'));
  if (spectral.length) {
    const rows = spectral.map(spectrumRow);
    sections.push(
      {
        heading: 'Gradient spectrum on x·y: low/high-frequency power ratio',
        svg: lineChart({ series: curves(spectral, o.methods, 'lowHigh'), xLabel: 'step', yLabel: 'low/high power', logY: true }),
      },
      {
        heading: 'Validation accuracy of the same runs',
        svg: lineChart({ series: curves(spectral, o.methods, 'valAcc'), xLabel: 'step', yLabel: 'val acc', yRange: [0, 1] }),
      },
      {
        heading: 'The ratio at the moments that matter',
        markdown:
          markdownTable(
            rows.map((s) => ({
              method: s.method,
              seed: s.seed,
              'train ≥ 99% at': s.memorisedAt ?? '—',
              'val ≥ 50% at': s.val50At ?? '—',
              'val ≥ 95% at': s.val95At ?? '—',
              'ratio: first': fixed(s.first),
              'at train 99%': fixed(s.atMemorised),
              'at val 50%': fixed(s.atVal50),
              'at val 95%': fixed(s.atVal95),
              'max (step)': s.max === null ? '—' : `${s.max.toFixed(2)} (${s.maxAt})`,
            })),
          ) + '\nRatio: power below 1/16 of the Nyquist frequency over power above it, of the raw gradients (before any filter) projected on 4 fixed random directions per parameter, summed over parameters, over the last 128 steps (fewer at the start).',
      },
    );
  }
  const intro =
    `Command: \`${o.command}\`. ${o.runs.length} runs, ${o.workers} worker${o.workers === 1 ? '' : 's'}, ` +
    `${Math.round(o.wallSeconds)} s wall, ${Math.round(o.cpuSeconds)} s CPU for the runs done by this invocation. ` +
    'Model, data and schedule of examples/grokfast: causal transformer width 128, 2 layers, 4 heads; x∘y mod 97 for x in 0..96, y in 1..96, ' +
    '50/50 split by seed; batch 512; evaluation on all held-out equations every 10 steps.';
  return writeReport(o.out, { title: 'GrokBench: grokking accelerators side by side', intro, sections });
}
