import { checkFiniteNumber, checkNonNegative } from './checks.js';

/** A learning-rate schedule: the value for 0-based step `t`. */
export type Schedule = (step: number) => number;
export type ScheduleLike = number | Schedule;

export function asSchedule(s: ScheduleLike): Schedule {
  return typeof s === 'number' ? () => s : s;
}

export function constantSchedule(value: number): Schedule {
  checkFiniteNumber('constantSchedule', 'value', value);
  return () => value;
}

/** Linear from `init` to `end` over `steps` steps, then `end`. */
export function linearSchedule(init: number, end: number, steps: number): Schedule {
  checkFiniteNumber('linearSchedule', 'init', init);
  checkFiniteNumber('linearSchedule', 'end', end);
  checkNonNegative('linearSchedule', 'steps', steps);
  return (t) => (steps <= 0 ? end : init + (end - init) * Math.min(1, Math.max(0, t) / steps));
}

/** Cosine decay from `init` to `init·alpha` over `steps`. */
export function cosineDecay(init: number, steps: number, alpha = 0): Schedule {
  checkFiniteNumber('cosineDecay', 'init', init);
  checkNonNegative('cosineDecay', 'steps', steps);
  checkFiniteNumber('cosineDecay', 'alpha', alpha);
  return (t) => {
    const p = Math.min(1, Math.max(0, t) / Math.max(1, steps));
    return init * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * p)) + alpha);
  };
}

/**
 * Linear warmup to `peak` over `warmup` steps. Step t gets peak·min(1, (t+1)/warmup), PyTorch's
 * LambdaLR(lambda t: min(1, (t+1)/warmup)) as used by Grokfast; then `after(t - warmup)` if given.
 */
export function linearWarmup(peak: number, warmup: number, after?: Schedule): Schedule {
  checkFiniteNumber('linearWarmup', 'peak', peak);
  checkNonNegative('linearWarmup', 'warmup', warmup);
  if (after !== undefined && typeof after !== 'function') throw new Error(`linearWarmup: invalid after: expected a schedule function, got ${String(after)}`);
  return (t) => (t < warmup ? (peak * (t + 1)) / warmup : after ? after(t - warmup) : peak);
}

/** Warmup then cosine decay to `peak·alpha` at `total` steps. */
export function warmupCosine(peak: number, warmup: number, total: number, alpha = 0): Schedule {
  checkNonNegative('warmupCosine', 'total', total);
  return linearWarmup(peak, warmup, cosineDecay(peak, Math.max(1, total - warmup), alpha));
}
