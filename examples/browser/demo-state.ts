/**
 * What the page publishes as `window.grokkitDemo`: a read-only summary of its state, for the
 * end-to-end test and for poking at from the developer console.
 */
import type { FilterSettings } from './trainer.js';

export interface DemoState {
  /** True once the backend is chosen and the controls are enabled. */
  ready: boolean;
  /** The backend that trains: 'webgpu' where an adapter was found, else 'cpu'. */
  backend: 'webgpu' | 'cpu' | null;
  /** The WebGPU adapter ('vendor architecture'), or why the page fell back to cpu. */
  backendNote: string;
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
  /** The last error, if training stopped on one. */
  error: string | null;
}

declare global {
  interface Window {
    grokkitDemo?: DemoState;
  }
}
