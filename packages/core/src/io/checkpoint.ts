import { fmt } from '../shape.js';
import { Tensor, noGrad, tensorsIn } from '../tensor.js';
import { checkSameTree, type Params, type State } from '../optim/transform.js';
import { loadSafetensors, saveSafetensors, type SafetensorsContents } from './safetensors.js';

/**
 * A checkpoint holds parameters, a transform state (any tree of tensors and JSON values) and
 * free-form JSON (step, RNG state, config). Tensors are stored as `params/<name>` and
 * `state/<path>`; the state's skeleton and the JSON go to the safetensors metadata.
 */
export interface Checkpoint {
  params: Params;
  state?: State;
  extra?: Record<string, unknown>;
}

type Skeleton = { $t: string } | number | string | boolean | null | Skeleton[] | { [k: string]: Skeleton };

function flatten(state: State, path: string, out: Record<string, Tensor>): Skeleton {
  if (state instanceof Tensor) {
    out[path] = state;
    return { $t: path };
  }
  if (Array.isArray(state)) return state.map((s, i) => flatten(s, `${path}/${i}`, out));
  if (state && typeof state === 'object') {
    const o: Record<string, Skeleton> = {};
    for (const [k, v] of Object.entries(state)) o[k] = flatten(v, `${path}/${k}`, out);
    return o;
  }
  return state;
}

function unflatten(s: Skeleton, tensors: Record<string, Tensor>): State {
  if (Array.isArray(s)) return s.map((x) => unflatten(x, tensors));
  if (s && typeof s === 'object') {
    if ('$t' in s && typeof s.$t === 'string') {
      const t = tensors[s.$t];
      if (!t) throw new Error(`checkpoint: state tensor '${s.$t}' is missing from the file`);
      return t;
    }
    const o: Record<string, State> = {};
    for (const [k, v] of Object.entries(s)) o[k] = unflatten(v as Skeleton, tensors);
    return o;
  }
  return s;
}

export async function saveCheckpoint(ckpt: Checkpoint): Promise<Uint8Array> {
  const tensors: Record<string, Tensor> = {};
  for (const [k, p] of Object.entries(ckpt.params)) tensors[`params/${k}`] = p;
  const skeleton = ckpt.state === undefined ? null : flatten(ckpt.state, 'state', tensors);
  return saveSafetensors(tensors, {
    format: 'grokkit-checkpoint-1',
    state: JSON.stringify(skeleton),
    extra: JSON.stringify(ckpt.extra ?? {}),
  });
}

export interface LoadedCheckpoint {
  params: Params;
  state: State;
  extra: Record<string, unknown>;
}

/** Parse a checkpoint made by `saveCheckpoint`. */
export function loadCheckpoint(bytes: Uint8Array, device?: string): LoadedCheckpoint {
  const { tensors, metadata }: SafetensorsContents = loadSafetensors(bytes, device);
  if (metadata.format !== 'grokkit-checkpoint-1') throw new Error(`checkpoint: not a grokkit checkpoint (format ${JSON.stringify(metadata.format)})`);
  const params: Params = {};
  for (const [k, t] of Object.entries(tensors)) if (k.startsWith('params/')) params[k.slice(7)] = t;
  const state = unflatten(JSON.parse(metadata.state ?? 'null') as Skeleton, tensors);
  return { params, state, extra: JSON.parse(metadata.extra ?? '{}') as Record<string, unknown> };
}

/** Copy checkpointed values into live parameters; names, shapes and dtypes are all checked before any is changed. */
export function restoreParams(target: Params, saved: Params): void {
  checkSameTree('checkpoint', target, saved);
  noGrad(() => {
    for (const k of Object.keys(target)) target[k]!.assign(saved[k]!);
  });
}

/** Check that a restored transform state has the structure (and tensor shapes) of a freshly initialised one. */
export function checkStateShape(expected: State, given: State, path = 'state'): void {
  if (expected instanceof Tensor) {
    if (!(given instanceof Tensor)) throw new Error(`checkpoint: ${path} should be a tensor ${fmt(expected.shape)}, got ${JSON.stringify(given)}`);
    if (given.shape.join() !== expected.shape.join() || given.dtype !== expected.dtype) {
      throw new Error(`checkpoint: ${path} expected ${fmt(expected.shape)} ${expected.dtype}, got ${fmt(given.shape)} ${given.dtype}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(given) || given.length !== expected.length) throw new Error(`checkpoint: ${path} should be a list of ${expected.length}`);
    expected.forEach((e, i) => checkStateShape(e, given[i]!, `${path}/${i}`));
    return;
  }
  if (expected && typeof expected === 'object') {
    if (!given || typeof given !== 'object' || given instanceof Tensor || Array.isArray(given)) throw new Error(`checkpoint: ${path} should be an object`);
    const ek = Object.keys(expected);
    const gk = Object.keys(given);
    const missing = ek.filter((k) => !(k in given));
    const extra = gk.filter((k) => !(k in expected));
    if (missing.length || extra.length) {
      throw new Error(`checkpoint: ${path} keys differ (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`);
    }
    for (const k of ek) checkStateShape(expected[k]!, (given as Record<string, State>)[k]!, `${path}/${k}`);
    return;
  }
  // a leaf value: the same kind (null, number, string, boolean), never a tensor or a tree
  const kind = (v: State) => (v === null ? 'null' : v instanceof Tensor ? 'tensor' : Array.isArray(v) ? 'list' : typeof v);
  if (kind(given) !== kind(expected)) throw new Error(`checkpoint: ${path} should be ${kind(expected)}, got ${kind(given)}`);
}

/**
 * Restore a loaded checkpoint into live parameters and (optionally) an optimizer. Everything is
 * validated first (names, shapes, dtypes, state structure), so a mismatch changes nothing. The
 * restore takes ownership of `loaded`: its parameter tensors are released once copied (and all of
 * its tensors when validation fails); its state tensors become the optimizer's state.
 *
 * The optimizer's `step` (the number of updates it has applied) is set to `extra.optimizerStep`, so
 * save it as `extra: { optimizerStep: opt.step }`; a checkpoint without it restores step 0, and a
 * value that is not a whole number ≥ 0 is refused. The transforms' own counters (Adam's bias
 * correction, learning-rate schedules, filter histories) live in the state and are restored
 * whatever `optimizerStep` says. Other fields of `extra` (a training loop's step, RNG states) are the
 * caller's to restore.
 */
export function restoreCheckpoint(loaded: LoadedCheckpoint, target: { params: Params; optimizer?: { state: State; setState(s: State, step: number): void } }): void {
  let step = 0;
  try {
    checkSameTree('checkpoint', target.params, loaded.params);
    if (target.optimizer) {
      checkStateShape(target.optimizer.state, loaded.state);
      step = optimizerStep(loaded.extra);
    }
  } catch (e) {
    for (const t of tensorsIn(loaded)) t.dispose();
    throw e;
  }
  restoreParams(target.params, loaded.params);
  for (const t of Object.values(loaded.params)) t.dispose();
  if (target.optimizer) {
    target.optimizer.setState(loaded.state, step);
  } else {
    for (const t of tensorsIn(loaded.state)) t.dispose();
  }
}

/** `extra.optimizerStep` of a checkpoint: a whole number ≥ 0, or 0 when absent. */
function optimizerStep(extra: Record<string, unknown>): number {
  const v = extra.optimizerStep;
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new Error(`checkpoint: extra.optimizerStep should be a whole number ≥ 0 (the optimizer's step), got ${JSON.stringify(v)}`);
  }
  return v;
}
