/**
 * The small MLP the gpujs browser test trains: the same seed and shapes give the same model and
 * data on every backend, so the losses can be compared step by step.
 */
import * as g from '@grokkit/core';

export interface TrainConfig {
  steps: number;
  seed: number;
}

/** The MLP the test trains, here and in Node (same seed, same shapes). */
export async function train(device: string, { steps, seed }: TrainConfig): Promise<number[]> {
  const prev = g.getBackend().name;
  g.setBackend(device);
  try {
    const r = g.rng(seed);
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
    return losses;
  } finally {
    g.setBackend(prev);
  }
}
