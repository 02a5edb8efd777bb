/**
 * Hyper-parameter checks for optimizers and schedules, made when they are constructed (as
 * PyTorch's "Invalid learning rate" checks are). Each error names the optimizer and the option,
 * and says what was expected and what was given.
 */

function fail(op: string, name: string, expected: string, got: unknown): never {
  throw new Error(`${op}: invalid ${name}: expected ${expected}, got ${typeof got === 'number' ? got : JSON.stringify(got) ?? String(got)}`);
}

/** A finite number. */
export function checkFiniteNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(op, name, 'a finite number', v);
  return v;
}

/** A finite number ≥ 0 (learning rates, weight decay, momentum, step counts). */
export function checkNonNegative(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(op, name, 'a finite number ≥ 0', v);
  return v;
}

/** A finite number > 0 (eps). */
export function checkPositive(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(op, name, 'a finite number > 0', v);
  return v;
}

/** A decay rate in [0, 1) (Adam's betas). */
export function checkDecay(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail(op, name, `0 ≤ ${name} < 1`, v);
  return v;
}

/** A learning rate: a finite number ≥ 0 or a schedule (a function of the step, checked at each step). */
export function checkLearningRate(op: string, lr: unknown): void {
  if (typeof lr === 'function') return;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) fail(op, 'learning rate', 'a finite number ≥ 0 or a schedule function', lr);
}
