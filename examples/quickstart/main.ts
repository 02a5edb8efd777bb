/**
 * Quickstart: train a small MLP to classify two interleaved spirals with AdamW, printing the
 * loss as it falls. Run: npx tsx examples/quickstart/main.ts (--help lists the options).
 */
import * as g from '@grokkit/core';
import { defineCli } from '@grokkit/eval/node';

const cli = defineCli({
  name: 'quickstart',
  usage: 'npx tsx examples/quickstart/main.ts [options]',
  description: 'Quickstart: a small MLP (2 → width → width → 2, GELU) learns to tell two interleaved spirals apart with AdamW.',
  options: {
    steps: { type: 'int', min: 1, default: 500, description: 'full-batch AdamW steps' },
    lr: { type: 'number', above: 0, default: 1e-2, description: 'learning rate' },
    weightDecay: { type: 'number', min: 0, default: 1e-4, description: 'decoupled weight decay' },
    width: { type: 'int', min: 1, default: 64, description: 'hidden width' },
    points: { type: 'int', min: 1, default: 200, description: 'points per spiral' },
    noise: { type: 'number', min: 0, default: 0.02, description: 'standard deviation of the noise added to each point' },
    seed: { type: 'int', min: 0, default: 0, description: 'seed of the data and the initialisation' },
    logEvery: { type: 'int', min: 1, default: 50, description: 'print the loss every this many steps' },
  },
});

await cli.run(({ steps, lr, weightDecay, width, points: n, noise, seed, logEvery }) => {
  const r = g.rng(seed);
  // two spirals, n points each
  const xs: number[] = [];
  const ys: number[] = [];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < n; i++) {
      const t = (i / n) * 3 * Math.PI + 0.5;
      const a = t + c * Math.PI;
      xs.push((t * Math.cos(a)) / 10 + noise * r.normal(), (t * Math.sin(a)) / 10 + noise * r.normal());
      ys.push(c);
    }
  }
  const x = g.tensor(Float32Array.from(xs), { shape: [2 * n, 2] });
  const y = g.tensor(Int32Array.from(ys));

  const model = new g.Sequential(
    new g.Linear(2, width, { rng: r }),
    new g.Activation('gelu'),
    new g.Linear(width, width, { rng: r }),
    new g.Activation('gelu'),
    new g.Linear(width, 2, { rng: r }),
  );
  const opt = new g.Optimizer(model.namedParameters(), g.adamw({ lr, weightDecay }));

  for (let step = 0; step <= steps; step++) {
    const [loss, acc] = g.tidy(() => {
      const logits = model.forward(x);
      const l = g.crossEntropy(logits, y);
      // the loss and accuracy after `step` updates; then the next update (none after the last)
      if (step < steps) {
        l.backward();
        opt.update();
        opt.zeroGrad();
      }
      return [l.item(), logits.argmax(1).eq(y).float().mean().item()];
    });
    if (step % logEvery === 0 || step === steps) console.log(`step ${String(step).padStart(String(steps).length)}  loss ${loss.toFixed(4)}  train acc ${(acc * 100).toFixed(1)}%`);
  }
  console.log(`live tensors after training: ${g.liveTensors()} (the model's ${model.parameters().length} parameters + the data + optimizer state)`);
});
