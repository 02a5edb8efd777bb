/**
 * @grokkit/eval: a training runner (progress, bit-exact resume from checkpoint bytes, early
 * stopping), accuracy and grokking metrics, sweep summaries, and reports as Markdown tables, SVG
 * line charts and self-contained HTML pages with interactive charts. Everything here runs in a
 * browser too; files, worker threads and the sweep runner are in `@grokkit/eval/node`.
 */
export {
  train, sustained,
  type TrainOptions, type TrainContext, type TrainHooks, type TrainResult, type EvalRecord,
} from './train.js';
export { Progress, formatDuration, type ProgressMode, type ProgressOptions, type ProgressStream, type ProgressInfo } from './progress.js';
export { accuracy } from './accuracy.js';
export { meanOverChunks } from './chunks.js';
export {
  stepsToThreshold, grokkingDelay, curve, summarize, formatSummary, formatNumber,
  type CurvePoint, type Summary,
} from './metrics.js';
export { grokkingSummary, type GrokkingOptions, type GrokkingSummary } from './grokking.js';
export { markdownTable, markdownToHtml, formatCell, escapeHtml, type Column, type Align } from './markdown.js';
export { niceStep, linearScale, logScale, logThreshold, formatTick, tickLabels, type Scale } from './scales.js';
export {
  lineChart, chartExtents, seriesFromRecords, palette, seriesColor,
  type LineChartOptions, type Series, type ChartPoint, type ChartMarker,
} from './charts.js';
export { runChart, compareChart, crossingMarker, type RunChartOptions, type CompareRun } from './run-charts.js';
export { setupMarkdown, type ReportSetup, type Environment } from './setup.js';
export { htmlReport, type HtmlReportOptions, type ReportSection } from './html.js';
export { renderReport, slug, type RenderedReport, type ReportOptions } from './report.js';
export { aggregate, sweepTable, type SweepRun, type SweepResult, type ConfigSummary, type RunFn, type RunContext } from './sweep-summary.js';
export { toJsonl, parseJsonl } from './jsonl.js';
