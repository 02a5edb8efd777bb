import { palette, type ChartMarker, type LineChartOptions, type Series } from './charts.js';
import { curve, stepsToThreshold } from './metrics.js';

type Records = readonly Record<string, unknown>[];

export interface RunChartOptions {
  title?: string;
  /** Keys of the two accuracy curves (default 'trainAcc' and 'valAcc'). */
  train?: string;
  val?: string;
  /** Keys drawn on the right (log) axis; default: whichever of 'trainLoss' and 'valLoss' the records have. */
  loss?: readonly string[];
  /** Accuracy whose first crossing is marked on each curve (default 0.95). */
  threshold?: number;
  /** Colour of the accuracy curves (default the palette's first). */
  color?: string;
  logX?: boolean;
  xLabel?: string;
}

const has = (records: Records, key: string) => records.some((r) => typeof r[key] === 'number');
const points = (records: Records, key: string) => records.map((r) => ({ x: Number(r.step), y: typeof r[key] === 'number' ? (r[key] as number) : null }));
const pct = (t: number) => (t <= 1 ? `${Number((100 * t).toPrecision(4))}%` : String(t));
const nameOf = (key: string) => key.replace(/Acc$/, ' acc').replace(/Loss$/, ' loss');

/** The marker at the first evaluated step where `key` reaches `threshold`, or none. */
export function crossingMarker(records: Records, key: string, threshold: number, label: string, color?: string): ChartMarker[] {
  const step = stepsToThreshold(curve(records, key), threshold);
  return step === null ? [] : [{ x: step, y: threshold, label: `${label} ≥ ${pct(threshold)} at ${step}`, color }];
}

/**
 * One run on one chart: train accuracy (dashed) and validation accuracy (solid) on the left axis,
 * losses on a right log axis, and a marker where each accuracy first reaches the threshold, so
 * the gap between memorising and generalising reads off one plot. `records` are eval records
 * (`{ step, trainAcc, valAcc, valLoss, … }`).
 */
export function runChart(records: Records, o: RunChartOptions = {}): LineChartOptions {
  const train = o.train ?? 'trainAcc';
  const val = o.val ?? 'valAcc';
  const threshold = o.threshold ?? 0.95;
  const color = o.color ?? palette[0]!;
  const loss = (o.loss ?? ['trainLoss', 'valLoss']).filter((k) => has(records, k));
  const series: Series[] = [
    { name: nameOf(train), points: points(records, train), color, dashed: true },
    { name: nameOf(val), points: points(records, val), color },
    ...loss.map((k, i): Series => ({ name: nameOf(k), points: points(records, k), color: i % 2 ? '#777' : '#aaa', dashed: /^train/.test(k), axis: 'right' })),
  ];
  return {
    title: o.title,
    series,
    xLabel: o.xLabel ?? (o.logX ? 'step (log scale)' : 'step'),
    yLabel: 'accuracy',
    yRange: [0, 1],
    ...(loss.length ? { y2Label: 'loss (log scale)', logY2: true } : {}),
    logX: o.logX,
    markers: [...crossingMarker(records, train, threshold, 'train', color), ...crossingMarker(records, val, threshold, 'val', color)],
  };
}

export interface CompareRun {
  name: string;
  records: Records;
  color?: string;
  dashed?: boolean;
}

/**
 * One metric of several runs on one chart (e.g. validation accuracy of every arm), with a marker
 * in each run's colour where it first reaches the threshold.
 */
export function compareChart(runs: readonly CompareRun[], o: { key?: string; threshold?: number; title?: string; yLabel?: string; logX?: boolean; xLabel?: string } = {}): LineChartOptions {
  const key = o.key ?? 'valAcc';
  const threshold = o.threshold ?? 0.95;
  const color = (r: CompareRun, i: number) => r.color ?? palette[i % palette.length]!;
  return {
    title: o.title,
    series: runs.map((r, i) => ({ name: r.name, points: points(r.records, key), color: color(r, i), dashed: r.dashed })),
    xLabel: o.xLabel ?? (o.logX ? 'step (log scale)' : 'step'),
    yLabel: o.yLabel ?? nameOf(key),
    yRange: [0, 1],
    logX: o.logX,
    markers: runs.flatMap((r, i) => crossingMarker(r.records, key, threshold, r.name, color(r, i))),
  };
}
