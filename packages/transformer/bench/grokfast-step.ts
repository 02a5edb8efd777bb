/**
 * Forward + backward time of the Grokfast model (width 128, 2 layers, 4 heads, vocab 99, T = 4)
 * at batch 512 on the current backend, loss on the last position. Prints JSON.
 * Run: npx tsx bench/grokfast-step.ts [steps=7] [batch=512]
 */
import { liveTensors, randint, rng, tidy } from '@grokkit/core';
import { Decoder, grokfastConfig } from '../src/index.js';

const steps = Number(process.argv[2] ?? 7);
const batch = Number(process.argv[3] ?? 512);
const model = new Decoder({ ...grokfastConfig(97), rng: rng(0) });
const g = rng(1);
const tokens = randint(0, 99, [batch, 4], { rng: g });
const targets = randint(0, 97, [batch], { rng: g });

function step(lastOnly: boolean): number {
  const t0 = performance.now();
  tidy(() => {
    model.zeroGrad();
    const logits = lastOnly ? model.forward(tokens, { lastOnly: true }) : model.forward(tokens).slice(1, 3).reshape([batch, 99]);
    model.loss(logits, targets).backward();
  });
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const result: Record<string, unknown> = { batch, seqLen: 4, params: model.numParameters(), steps };
for (const lastOnly of [false, true]) {
  step(lastOnly); // warm-up (JIT, cached masks/tables)
  const times = Array.from({ length: steps }, () => step(lastOnly));
  result[lastOnly ? 'lastOnlyMs' : 'fullMs'] = { median: +median(times).toFixed(1), min: +Math.min(...times).toFixed(1), max: +Math.max(...times).toFixed(1) };
}
model.zeroGrad();
result.liveTensorsAfter = liveTensors();
console.log(JSON.stringify(result));
