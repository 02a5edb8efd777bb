/**
 * Quickstart: train a small MLP to classify two interleaved spirals with AdamW, printing the
 * loss as it falls. Run: npx tsx examples/quickstart/main.ts
 */
import * as g from '@grokkit/core';

const r = g.rng(0);

// two spirals, 200 points each
const n = 200;
const xs: number[] = [];
const ys: number[] = [];
for (let c = 0; c < 2; c++) {
  for (let i = 0; i < n; i++) {
    const t = (i / n) * 3 * Math.PI + 0.5;
    const a = t + c * Math.PI;
    xs.push((t * Math.cos(a)) / 10 + 0.02 * r.normal(), (t * Math.sin(a)) / 10 + 0.02 * r.normal());
    ys.push(c);
  }
}
const x = g.tensor(Float32Array.from(xs), { shape: [2 * n, 2] });
const y = g.tensor(Int32Array.from(ys));

const model = new g.Sequential(
  new g.Linear(2, 64, { rng: r }),
  new g.Activation('gelu'),
  new g.Linear(64, 64, { rng: r }),
  new g.Activation('gelu'),
  new g.Linear(64, 2, { rng: r }),
);
const opt = new g.Optimizer(model.namedParameters(), g.adamw({ lr: 1e-2, weightDecay: 1e-4 }));

for (let step = 0; step <= 500; step++) {
  const [loss, acc] = g.tidy(() => {
    const logits = model.forward(x);
    const l = g.crossEntropy(logits, y);
    l.backward();
    opt.update();
    opt.zeroGrad();
    return [l.item(), logits.argmax(1).eq(y).float().mean().item()];
  });
  if (step % 50 === 0) console.log(`step ${String(step).padStart(3)}  loss ${loss.toFixed(4)}  train acc ${(acc * 100).toFixed(1)}%`);
}
console.log(`live tensors after training: ${g.liveTensors()} (the model's ${model.parameters().length} parameters + the data + optimizer state)`);
