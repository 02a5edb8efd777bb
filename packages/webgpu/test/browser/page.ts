/**
 * Bundled into the browser test's page: trains a small MLP for a few steps on a device and
 * returns its losses, so the test can compare WebGPU in the browser with cpu.
 */
import * as g from '@grokkit/core';
import { createWebGPUBackend } from '../../src/index.js';

async function train(device: string, steps: number): Promise<number[]> {
  g.setBackend(device);
  const r = g.rng(0);
  const model = new g.Sequential(new g.Linear(6, 32, { rng: r }), new g.Activation('gelu'), new g.Linear(32, 4, { rng: r }));
  const x = g.randn([64, 6], { rng: r });
  const y = g.randint(0, 4, [64], { rng: r });
  const opt = new g.Optimizer(model.namedParameters(), g.adamw({ lr: 1e-2 }));
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = g.tidy(() => {
      const l = g.crossEntropy(model.forward(x), y);
      l.backward();
      opt.update();
      opt.zeroGrad();
      return l;
    });
    losses.push((await loss.data())[0]!);
    loss.dispose();
  }
  g.setBackend('cpu');
  return losses;
}

/** What the page exposes on globalThis for the test to call. */
export interface PageApi {
  runTraining(steps: number): Promise<{ adapter: string; webgpu: number[]; cpu: number[] }>;
}

(globalThis as unknown as PageApi).runTraining = async (steps) => {
  const backend = await createWebGPUBackend();
  const webgpu = await train('webgpu', steps);
  const cpu = await train('cpu', steps);
  return { adapter: `${backend.adapter.vendor}/${backend.adapter.architecture}`, webgpu, cpu };
};
