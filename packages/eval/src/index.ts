/**
 * @grokkit/eval: a training runner (progress, JSONL logs, checkpoints, bit-exact resume, early
 * stopping), accuracy and grokking metrics, sweeps over configs × seeds on worker threads, and
 * reports as Markdown tables, SVG line charts and self-contained HTML pages.
 */
export {
  train, sustained, CHECKPOINT_FILE, LOG_FILE,
  type TrainOptions, type TrainContext, type TrainHooks, type TrainResult, type EvalRecord,
} from './train.js';
export { Progress, formatDuration, type ProgressMode, type ProgressOptions, type ProgressStream, type ProgressInfo } from './progress.js';
export {
  accuracy, stepsToThreshold, grokkingDelay, curve, summarize, formatSummary, formatNumber,
  type CurvePoint, type Summary,
} from './metrics.js';
export { grokkingSummary, type GrokkingOptions, type GrokkingSummary } from './grokking.js';
export { markdownTable, markdownToHtml, formatCell, escapeHtml, type Column, type Align } from './markdown.js';
export {
  lineChart, seriesFromRecords, linearScale, logScale, niceStep, formatTick, palette,
  type LineChartOptions, type Series, type ChartPoint, type Scale,
} from './charts.js';
export { htmlReport, type HtmlReportOptions, type ReportSection } from './html.js';
export { writeReport, slug, type WrittenReport } from './report.js';
export { sweep, aggregate, sweepTable, type SweepOptions, type SweepRun, type SweepResult, type ConfigSummary, type RunFn } from './sweep.js';
export { toJsonl, parseJsonl, appendJsonl, writeJsonl, readJsonl } from './jsonl.js';
