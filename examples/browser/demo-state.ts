/**
 * What the page publishes as `window.grokkitDemo`: a read-only summary of its state, for the
 * end-to-end test and for poking at from the developer console.
 */
import type { AdapterDescription } from '@grokkit/webgpu';
import type { FilterSettings } from './trainer.js';

export interface DemoState {
  /** True once the backend is chosen and the controls are enabled. */
  ready: boolean;
  /** The backend that trains: 'webgpu' where a hardware adapter was found (or `?backend=webgpu`), else 'cpu'. */
  backend: 'webgpu' | 'cpu' | null;
  /** The WebGPU adapter ('vendor architecture'), or why the page trains on cpu. */
  backendNote: string;
  /** The WebGPU adapter the browser offered (null with none, or when `?backend=cpu` skipped the probe). */
  adapter: AdapterDescription | null;
  running: boolean;
  /** Optimizer steps of the current session. */
  step: number;
  /** Evaluations plotted so far. */
  points: number;
  /** The latest evaluation (null before the first). */
  trainAcc: number | null;
  valAcc: number | null;
  valLoss: number | null;
  /** The filter in use (or to be used by the next step). */
  filter: FilterSettings;
  /** First evaluated step with validation accuracy ≥ 95% (null until then). */
  grokkedAt: number | null;
  /** Tensors alive now (constant from step to step while training: nothing leaks). */
  liveTensors: number;
  /** True while the first step of a session runs (it builds every kernel; minutes on a software WebGPU adapter). */
  compiling: boolean;
  /** The last error, if training stopped on one. */
  error: string | null;
}

declare global {
  interface Window {
    grokkitDemo?: DemoState;
  }
}
