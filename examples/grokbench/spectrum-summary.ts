/**
 * Reading the gradient spectrum against the accuracy curves: for each run, the low/high-frequency
 * power ratio of the raw gradients at the moments that matter (memorisation, the start of the
 * validation rise, 95%) and where it peaked, so "does the slow component grow before the model
 * generalises?" is answered from numbers rather than from the look of a chart.
 */
import type { BenchPoint, BenchRun } from './run.js';

export interface SpectrumRow {
  method: string;
  seed: number;
  /** First evaluation with training accuracy ≥ 99%, validation accuracy ≥ 50% and ≥ 95% (null: never). */
  memorisedAt: number | null;
  val50At: number | null;
  val95At: number | null;
  /** The ratio at the first evaluation that has one, at those steps, and its maximum (with its step). */
  first: number | null;
  atMemorised: number | null;
  atVal50: number | null;
  atVal95: number | null;
  max: number | null;
  maxAt: number | null;
}

const firstStep = (h: readonly BenchPoint[], ok: (p: BenchPoint) => boolean) => h.find(ok)?.step ?? null;
const ratioAt = (h: readonly BenchPoint[], step: number | null) => (step === null ? null : (h.find((p) => p.step === step)?.lowHigh ?? null));

export function spectrumRow(r: BenchRun): SpectrumRow {
  const h = r.history;
  const withRatio = h.filter((p) => p.lowHigh !== undefined);
  const memorisedAt = firstStep(h, (p) => p.trainAcc >= 0.99);
  const val50At = firstStep(h, (p) => p.valAcc >= 0.5);
  const val95At = firstStep(h, (p) => p.valAcc >= 0.95);
  const best = withRatio.reduce<BenchPoint | null>((b, p) => (b === null || p.lowHigh! > b.lowHigh! ? p : b), null);
  return {
    method: r.method,
    seed: r.seed,
    memorisedAt,
    val50At,
    val95At,
    first: withRatio[0]?.lowHigh ?? null,
    atMemorised: ratioAt(h, memorisedAt),
    atVal50: ratioAt(h, val50At),
    atVal95: ratioAt(h, val95At),
    max: best?.lowHigh ?? null,
    maxAt: best?.step ?? null,
  };
}
