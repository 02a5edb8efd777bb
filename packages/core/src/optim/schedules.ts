/** A learning-rate schedule: the value for 0-based step `t`. */
export type Schedule = (step: number) => number;
export type ScheduleLike = number | Schedule;

export function asSchedule(s: ScheduleLike): Schedule {
  return typeof s === 'number' ? () => s : s;
}

export const constantSchedule = (value: number): Schedule => () => value;

/** Linear from `init` to `end` over `steps` steps, then `end`. */
export const linearSchedule = (init: number, end: number, steps: number): Schedule => (t) =>
  steps <= 0 ? end : init + (end - init) * Math.min(1, Math.max(0, t) / steps);

/** Cosine decay from `init` to `init·alpha` over `steps`. */
export const cosineDecay = (init: number, steps: number, alpha = 0): Schedule => (t) => {
  const p = Math.min(1, Math.max(0, t) / Math.max(1, steps));
  return init * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * p)) + alpha);
};

/**
 * Linear warmup to `peak` over `warmup` steps. Step t gets peak·min(1, (t+1)/warmup), PyTorch's
 * LambdaLR(lambda t: min(1, (t+1)/warmup)) as used by Grokfast; then `after(t - warmup)` if given.
 */
export const linearWarmup = (peak: number, warmup: number, after?: Schedule): Schedule => (t) =>
  t < warmup ? (peak * (t + 1)) / warmup : after ? after(t - warmup) : peak;

/** Warmup then cosine decay to `peak·alpha` at `total` steps. */
export const warmupCosine = (peak: number, warmup: number, total: number, alpha = 0): Schedule =>
  linearWarmup(peak, warmup, cosineDecay(peak, Math.max(1, total - warmup), alpha));
