/**
 * One GrokBench run: a method on a task with a seed, on the Grokfast experiment's model, data,
 * batch order, warmup and evaluation (examples/grokfast/experiment.ts), with a gradient spectrum
 * recorded from the raw gradients. `sweep()` workers import this module and call `run`.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILE, LOG_FILE, makeDir, SETTINGS_FILE } from '@grokkit/eval/node';
import { GradientSpectrum, type GradientSpectrumState } from '@grokkit/filters';
import { tokenLoss } from '@grokkit/transformer';
import { DEFAULTS, runArm } from '../grokfast/experiment.js';
import { frobeniusPenalty } from './compression.js';
import { penaltyOf, recipeOf, transformOf } from './methods.js';

export const TASKS = { mul: 'mul', add: 'add', sub: 'sub', div: 'div' } as const;
export type Task = keyof typeof TASKS;
export const TASK_SYMBOL: Record<Task, string> = { mul: 'x·y', add: 'x+y', sub: 'x−y', div: 'x÷y' };

export interface BenchConfig {
  method: string;
  task: Task;
  /** Modulus (97). */
  p: number;
  /** Step cap. */
  steps: number;
  /** Stop at this validation accuracy (0.95; 1 or more: run to the cap). */
  until: number;
  evalEvery: number;
  batchSize: number;
  dim: number;
  depth: number;
  /** Gradient-spectrum window (a power of two) and the low/high cut-off as a fraction of Nyquist. */
  spectrumWindow: number;
  spectrumCutoff: number;
  /** Folder for this run's log.jsonl (none: no files). */
  outDir?: string;
}

export const BENCH_DEFAULTS: Omit<BenchConfig, 'method' | 'task'> = {
  p: DEFAULTS.p,
  steps: 3000,
  until: 0.95,
  evalEvery: DEFAULTS.evalEvery,
  batchSize: DEFAULTS.batchSize,
  dim: DEFAULTS.dim,
  depth: DEFAULTS.depth,
  spectrumWindow: 128,
  spectrumCutoff: 1 / 16,
};

export interface BenchPoint {
  step: number;
  trainAcc: number;
  valAcc: number;
  valLoss: number;
  /** √Σ‖W‖²_F over the weights (what delayed compression penalises); absent in runs saved before it was recorded. */
  weightNorm?: number;
  /** Low/high-frequency power ratio of the raw gradients over the last window (absent before 32 steps). */
  lowHigh?: number;
}

export interface BenchRun {
  method: string;
  task: Task;
  seed: number;
  /** First evaluated step with validation accuracy ≥ 95% (null: not within `steps`). */
  stepsTo95: number | null;
  steps: number;
  finalValAcc: number;
  finalTrainAcc: number;
  wallSeconds: number;
  msPerStep: number;
  /** Step at which delayed compression switched on (null: never, or not a compression method). */
  compressionOnAt: number | null;
  history: BenchPoint[];
}

/** A run in a folder checkpoints every this many steps, so an interrupted run loses at most these. */
export const CHECKPOINT_EVERY = 250;

/** The settings a run's results depend on: all but the step cap, which a later request may raise. */
export const settingsKey = (c: BenchConfig, seed: number): string =>
  JSON.stringify([c.method, c.task, seed, c.p, c.until, c.evalEvery, c.batchSize, c.dim, c.depth, c.spectrumWindow, c.spectrumCutoff]);

/**
 * Make a run's folder ready to continue: a run there with the same settings (its settings.json)
 * resumes from its checkpoint; anything else there is removed before the new settings are written,
 * so a checkpoint is never continued under other settings, even after a kill at any point.
 */
function prepareFolder(dir: string, key: string): void {
  makeDir(dir);
  const file = join(dir, SETTINGS_FILE);
  if (existsSync(file) && readFileSync(file, 'utf8') === key) return;
  for (const f of [CHECKPOINT_FILE, LOG_FILE]) rmSync(join(dir, f), { force: true });
  writeFileSync(file, key);
}

/** What a run checkpoints besides the model and the update rule's state. */
interface HookState {
  penalty: unknown;
  spectrum: GradientSpectrumState;
}

/** x ∘ y for x in 0..p−1 and y in 1..p−1 for every task (the Grokfast code's domain, so all four tasks share one split size). */
export async function run(config: BenchConfig, seed: number): Promise<BenchRun> {
  const c = { ...BENCH_DEFAULTS, ...config };
  if (!(c.task in TASKS)) throw new Error(`grokbench: expected a task in ${Object.keys(TASKS).join(', ')}, got '${c.task}'`);
  const recipe = recipeOf(c.method);
  const spectrum = new GradientSpectrum({ window: c.spectrumWindow, seed });
  const penalty = penaltyOf(recipe);
  const output = recipe.output;
  if (c.outDir) prepareFolder(c.outDir, settingsKey(c, seed));
  try {
    const r = await runArm(
      {
        ...DEFAULTS,
        filter: 'none',
        p: c.p,
        op: TASKS[c.task],
        yMin: 1,
        seed,
        steps: c.steps,
        until: c.until,
        batchSize: c.batchSize,
        evalEvery: c.evalEvery,
        dim: c.dim,
        depth: c.depth,
        outDir: c.outDir,
        // a run interrupted, or made under a smaller cap, continues from its last checkpoint
        resume: c.outDir !== undefined,
        checkpointEvery: c.outDir === undefined ? undefined : CHECKPOINT_EVERY,
        progress: false,
        label: `${c.method} ${c.task} seed ${seed}`,
      },
      {
        transform: transformOf(recipe, spectrum.transform()),
        loss: output === 'softmax' ? undefined : (logits, targets) => tokenLoss(logits, targets, { output }),
        penalty: penalty ? (params) => penalty.term(params) : undefined,
        state: {
          get: (): HookState => ({ penalty: penalty?.state() ?? null, spectrum: spectrum.state() }),
          set: (s) => {
            const v = s as HookState;
            spectrum.setState(v.spectrum);
            penalty?.setState(v.penalty);
          },
        },
        afterEval: (m, step, params): Record<string, number> => {
          penalty?.observe(m.trainAcc, step);
          const weightNorm = Math.sqrt(frobeniusPenalty(params).item());
          return spectrum.steps >= 32 ? { weightNorm, lowHigh: spectrum.lowHighRatio(c.spectrumCutoff) } : { weightNorm };
        },
      },
    );
    return {
      method: c.method,
      task: c.task,
      seed,
      stepsTo95: r.stepsTo95,
      steps: r.steps,
      finalValAcc: r.finalValAcc,
      finalTrainAcc: r.finalTrainAcc,
      wallSeconds: r.wallSeconds,
      msPerStep: r.msPerStep,
      compressionOnAt: penalty?.onAt ?? null,
      history: r.history.map((h) => ({
        step: h.step,
        trainAcc: h.trainAcc!,
        valAcc: h.valAcc!,
        valLoss: h.valLoss!,
        weightNorm: h.weightNorm!,
        ...(h.lowHigh === undefined ? {} : { lowHigh: h.lowHigh }),
      })),
    };
  } finally {
    spectrum.dispose();
  }
}

/** A (config, seed) pair: the unit a sweep worker runs. */
export interface BenchJob {
  config: BenchConfig;
  seed: number;
}

/** `sweep()` entry point: one job per config (its seed list is a placeholder). */
export function runJob(job: BenchJob): Promise<BenchRun> {
  return run(job.config, job.seed);
}
