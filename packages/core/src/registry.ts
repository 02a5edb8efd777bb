/**
 * The backend registry, keyed by backend name. Nothing registers on import: the two cpu backends
 * are created the first time they are asked for, and other backends register when created.
 */
import type { Backend } from './backend.js';
import { createCpuBackend, createCpuReferenceBackend } from './cpu/backend.js';

/** The backends core always has: 'cpu' (the default, fast kernels) and 'cpu-reference' (plain TypeScript, the oracle). */
const BUILT_IN: Record<string, () => Backend<any>> = {
  cpu: () => createCpuBackend(),
  'cpu-reference': () => createCpuReferenceBackend(),
};

const registry = new Map<string, Backend<any>>();
let current = 'cpu';

/** Add `backend` under its name (replacing one of the same name). */
export function registerBackend<H>(backend: Backend<H>): void {
  registry.set(backend.name, backend);
}

export function getBackend(name: string = current): Backend {
  let b = registry.get(name);
  if (!b && BUILT_IN[name]) registry.set(name, (b = BUILT_IN[name]()));
  if (!b) throw new Error(`backend '${name}' is not registered (registered: ${listBackends().join(', ')})`);
  return b;
}

/** Make `name` the default device of new tensors. */
export function setBackend(name: string): void {
  getBackend(name);
  current = name;
}

export function currentBackend(): string {
  return current;
}

export function listBackends(): string[] {
  return [...new Set([...Object.keys(BUILT_IN), ...registry.keys()])];
}
