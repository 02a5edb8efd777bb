import { fmt } from '../shape.js';
import { Tensor, noGrad, tensorsIn } from '../tensor.js';
import { checkSameTree, emptyParams, type Params, type State } from '../optim/transform.js';
import { CHECKSUM_KEY, readSafetensorsLayout, saveSafetensors, tensorsFromLayout } from './safetensors.js';

/**
 * A checkpoint holds parameters, a transform state (any tree of tensors and JSON values) and
 * free-form JSON (step, RNG state, config). Tensors are stored as `params/<name>` and
 * `state/<path>`; the state's skeleton and the JSON go to the safetensors metadata, with a CRC-32
 * of the whole file (see `CHECKSUM_KEY`).
 */
export interface Checkpoint {
  params: Params;
  state?: State;
  /** Free-form JSON. `step` and `optimizerStep`, when present, must be integers ≥ 0. */
  extra?: Record<string, unknown>;
}

const FORMAT = 'grokkit-checkpoint-1';
const METADATA_KEYS = ['format', 'state', 'extra', CHECKSUM_KEY];
/** Entries of `extra` that count steps: when present they must be integers ≥ 0. */
const COUNTERS = ['step', 'optimizerStep'];
const MAX_DEPTH = 1000;

type Skeleton = { $t: string } | number | string | boolean | null | Skeleton[] | { [k: string]: Skeleton };

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tensor);

function fail(why: string): never {
  throw new Error(`checkpoint: ${why}`);
}

function checkCounters(extra: Record<string, unknown>): void {
  for (const k of COUNTERS) {
    if (!Object.hasOwn(extra, k)) continue;
    const v = extra[k];
    if (!Number.isSafeInteger(v) || (v as number) < 0) fail(`extra.${k} must be an integer ≥ 0, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  }
}

function flatten(state: State, path: string, out: Record<string, Tensor>, depth = 0): Skeleton {
  if (depth > MAX_DEPTH) fail(`state nests deeper than ${MAX_DEPTH} levels at ${path}`);
  if (state instanceof Tensor) {
    out[path] = state;
    return { $t: path };
  }
  if (Array.isArray(state)) return state.map((s, i) => flatten(s, `${path}/${i}`, out, depth + 1));
  if (state && typeof state === 'object') {
    if (Object.hasOwn(state, '$t')) fail(`${path} has a key '$t', which checkpoints reserve for tensor references`);
    const o: Record<string, Skeleton> = Object.create(null);
    for (const [k, v] of Object.entries(state)) o[k] = flatten(v, `${path}/${k}`, out, depth + 1);
    return o;
  }
  if (typeof state === 'number' && !Number.isFinite(state)) fail(`${path} is ${state}, which JSON cannot hold`);
  return state;
}

/** Validate a skeleton read from a file: leaves are JSON values, and each `{ $t }` names a distinct `state/` tensor of the file. */
function checkSkeleton(s: unknown, path: string, names: Set<string>, refs: Set<string>, depth = 0): void {
  if (depth > MAX_DEPTH) fail(`state nests deeper than ${MAX_DEPTH} levels at ${path}`);
  if (s === null || typeof s === 'string' || typeof s === 'boolean') return;
  if (typeof s === 'number') {
    if (!Number.isFinite(s)) fail(`${path} is ${s}, expected a finite number`);
    return;
  }
  if (Array.isArray(s)) {
    s.forEach((x, i) => checkSkeleton(x, `${path}/${i}`, names, refs, depth + 1));
    return;
  }
  if (!isPlainObject(s)) fail(`${path} is not a JSON value`);
  if (Object.hasOwn(s, '$t')) {
    const t = s.$t;
    if (Object.keys(s).length !== 1 || typeof t !== 'string') fail(`${path} is a malformed tensor reference ${JSON.stringify(s)}`);
    if (!t.startsWith('state/') || !names.has(t)) fail(`${path} refers to tensor '${t}', which is not a state tensor of the file`);
    if (refs.has(t)) fail(`${path} refers to tensor '${t}' a second time`);
    refs.add(t);
    return;
  }
  for (const [k, v] of Object.entries(s)) checkSkeleton(v, `${path}/${k}`, names, refs, depth + 1);
}

function unflatten(s: Skeleton, tensors: Record<string, Tensor>): State {
  if (Array.isArray(s)) return s.map((x) => unflatten(x, tensors));
  if (s && typeof s === 'object') {
    if (Object.hasOwn(s, '$t')) return tensors[(s as { $t: string }).$t]!;
    const o: Record<string, State> = Object.create(null);
    for (const [k, v] of Object.entries(s)) o[k] = unflatten(v as Skeleton, tensors);
    return o;
  }
  return s;
}

function parseJson(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(`metadata '${key}' is not valid JSON (${(e as Error).message})`);
  }
}

/** Serialise a checkpoint (with a checksum); the inputs are validated first. */
export async function saveCheckpoint(ckpt: Checkpoint): Promise<Uint8Array> {
  if (!isPlainObject(ckpt) || !isPlainObject(ckpt.params)) fail('expected { params, state?, extra? } with params a map of named tensors');
  const extra = ckpt.extra ?? {};
  if (!isPlainObject(extra)) fail(`extra must be a plain object, got ${JSON.stringify(extra)}`);
  checkCounters(extra);
  const tensors: Record<string, Tensor> = Object.create(null);
  for (const [k, p] of Object.entries(ckpt.params)) {
    if (!(p instanceof Tensor)) fail(`params['${k}'] is not a tensor`);
    tensors[`params/${k}`] = p;
  }
  const skeleton = ckpt.state === undefined ? null : flatten(ckpt.state, 'state', tensors);
  let extraJson: string;
  try {
    extraJson = JSON.stringify(extra);
  } catch (e) {
    return fail(`extra is not JSON-serialisable (${(e as Error).message})`);
  }
  return saveSafetensors(tensors, { format: FORMAT, state: JSON.stringify(skeleton), extra: extraJson }, { checksum: true });
}

export interface LoadedCheckpoint {
  params: Params;
  state: State;
  extra: Record<string, unknown>;
}

/**
 * Parse a checkpoint made by `saveCheckpoint`. Everything is validated before any tensor is made
 * (the safetensors layout, the checksum when present, the metadata, the state skeleton, `extra`'s
 * step counters), so a rejected file leaves no tensor behind; errors start with "checkpoint: ".
 */
export function loadCheckpoint(bytes: Uint8Array, device?: string): LoadedCheckpoint {
  let layout;
  try {
    layout = readSafetensorsLayout(bytes);
  } catch (e) {
    throw new Error(`checkpoint: ${(e as Error).message}`, { cause: e });
  }
  const { metadata, entries } = layout;
  if (metadata.format !== FORMAT) fail(`not a grokkit checkpoint (format ${JSON.stringify(metadata.format)}, expected "${FORMAT}")`);
  const unknown = Object.keys(metadata).filter((k) => !METADATA_KEYS.includes(k));
  if (unknown.length) fail(`unexpected metadata ${unknown.map((k) => `'${k}'`).join(', ')} (expected only ${METADATA_KEYS.join(', ')})`);
  const skeleton = parseJson('state', metadata.state ?? 'null');
  const extra = parseJson('extra', metadata.extra ?? '{}');
  if (!isPlainObject(extra)) fail(`metadata 'extra' must be a JSON object, got ${JSON.stringify(extra)}`);
  checkCounters(extra);
  const names = new Set(entries.map((e) => e.name));
  const refs = new Set<string>();
  checkSkeleton(skeleton, 'state', names, refs);
  for (const name of names) {
    if (name.startsWith('params/')) continue;
    if (!name.startsWith('state/')) fail(`tensor '${name}' is neither a parameter (params/…) nor state (state/…)`);
    if (!refs.has(name)) fail(`state tensor '${name}' is not part of the saved state`);
  }
  let tensors: Record<string, Tensor>;
  try {
    tensors = tensorsFromLayout(bytes, layout, device);
  } catch (e) {
    throw new Error(`checkpoint: ${(e as Error).message}`, { cause: e });
  }
  const params = emptyParams();
  for (const [k, t] of Object.entries(tensors)) if (k.startsWith('params/')) params[k.slice(7)] = t;
  return { params, state: unflatten(skeleton as Skeleton, tensors), extra };
}

/** Throw unless `saved` can be copied into `target`: the same names, shapes, dtypes and devices. */
function checkRestorable(target: Params, saved: Params): void {
  checkSameTree('checkpoint', target, saved);
  for (const [k, t] of Object.entries(target)) {
    if (t.device !== saved[k]!.device) fail(`'${k}' is on '${t.device}', the checkpoint's copy on '${saved[k]!.device}' (load it with that device)`);
  }
}

/** Copy checkpointed values into live parameters; names, shapes, dtypes and devices are all checked before any is changed. */
export function restoreParams(target: Params, saved: Params): void {
  checkRestorable(target, saved);
  noGrad(() => {
    for (const k of Object.keys(target)) target[k]!.assign(saved[k]!);
  });
}

/** Check that a restored transform state has the structure (tensor shapes, dtypes, devices) of a freshly initialised one. */
export function checkStateShape(expected: State, given: State, path = 'state'): void {
  if (expected instanceof Tensor) {
    if (!(given instanceof Tensor)) fail(`${path} should be a tensor ${fmt(expected.shape)}, got ${JSON.stringify(given)}`);
    if (given.shape.join() !== expected.shape.join() || given.dtype !== expected.dtype) {
      fail(`${path} expected ${fmt(expected.shape)} ${expected.dtype}, got ${fmt(given.shape)} ${given.dtype}`);
    }
    if (given.device !== expected.device) fail(`${path} expected a tensor on '${expected.device}', got one on '${given.device}'`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(given) || given.length !== expected.length) fail(`${path} should be a list of ${expected.length}`);
    expected.forEach((e, i) => checkStateShape(e, given[i]!, `${path}/${i}`));
    return;
  }
  if (expected && typeof expected === 'object') {
    if (!isPlainObject(given)) fail(`${path} should be an object`);
    const ek = Object.keys(expected);
    const gk = Object.keys(given);
    const missing = ek.filter((k) => !Object.hasOwn(given, k));
    const extra = gk.filter((k) => !Object.hasOwn(expected, k));
    if (missing.length || extra.length) {
      fail(`${path} keys differ (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`);
    }
    for (const k of ek) checkStateShape(expected[k]!, (given as Record<string, State>)[k]!, `${path}/${k}`);
    return;
  }
  // a leaf value: the same kind (null, number, string, boolean), never a tensor or a tree
  const kind = (v: State) => (v === null ? 'null' : v instanceof Tensor ? 'tensor' : Array.isArray(v) ? 'list' : typeof v);
  if (kind(given) !== kind(expected)) fail(`${path} should be ${kind(expected)}, got ${kind(given)}`);
}

export interface RestoreTarget {
  params: Params;
  optimizer?: { state: State; setState(s: State, step: number): void };
  /**
   * Restores whatever else the caller keeps (RNGs, user state). It runs after every check has
   * passed and before anything is assigned, so if it throws, nothing has changed.
   */
  alsoRestore?: () => void;
}

/**
 * Restore a loaded checkpoint into live parameters and (optionally) an optimizer, all or nothing:
 * names, shapes, dtypes, devices, the state's structure and `extra.optimizerStep` are validated and
 * `alsoRestore` is run before any parameter or state is changed. The restore takes ownership of
 * `loaded`: its parameter tensors are released once copied (and all of its tensors when anything
 * fails); its state tensors become the optimizer's state.
 *
 * The optimizer's `step` (the number of updates it has applied) is set to `extra.optimizerStep`, so
 * save it as `extra: { optimizerStep: opt.step }`; a checkpoint without it restores step 0, and a
 * value that is not a whole number ≥ 0 is refused. The transforms' own counters (Adam's bias
 * correction, learning-rate schedules, filter histories) live in the state and are restored
 * whatever `optimizerStep` says. Other fields of `extra` (a training loop's step, RNG states) are the
 * caller's to restore (`alsoRestore` runs after every check and before anything changes).
 */
export function restoreCheckpoint(loaded: LoadedCheckpoint, target: RestoreTarget): void {
  let step = 0;
  try {
    checkRestorable(target.params, loaded.params);
    if (target.optimizer) {
      checkStateShape(target.optimizer.state, loaded.state);
      checkCounters(loaded.extra);
      step = (loaded.extra.optimizerStep as number | undefined) ?? 0;
    }
    target.alsoRestore?.();
  } catch (e) {
    for (const t of tensorsIn(loaded)) t.dispose();
    throw e;
  }
  // every check passed: nothing below can fail
  noGrad(() => {
    for (const k of Object.keys(target.params)) target.params[k]!.assign(loaded.params[k]!);
  });
  for (const t of Object.values(loaded.params)) t.dispose();
  if (target.optimizer) target.optimizer.setState(loaded.state, step);
  else for (const t of tensorsIn(loaded.state)) t.dispose();
}
