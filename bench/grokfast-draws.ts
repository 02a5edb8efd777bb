/**
 * What a seed draws for the Grokfast demo's arms — the initial parameters, the train/validation
 * split and the order of the first N batches — in one safetensors file, for
 * bench/pytorch-grokfast-train.py --init: PyTorch then trains from the same start on the same
 * batches, which separates the arithmetic (kernels, optimizer) from the luck of the draws.
 *
 *   npx tsx bench/grokfast-draws.ts [--seed 0] [--steps 2000] [--out draws-seed0.safetensors]
 *
 * Tensors: `p.NAME` per parameter (grokkit's names), `train.inputs`/`train.targets`,
 * `val.inputs`/`val.targets`, `order` (train rows, batch after batch) and `sizes` (rows per batch).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as g from '@grokkit/core';
import { armDraws, DEFAULTS } from '../examples/grokfast/experiment.js';

const { values } = parseArgs({
  options: { seed: { type: 'string', default: '0' }, steps: { type: 'string', default: '2000' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
});
if (values.help) {
  console.log(`npx tsx bench/grokfast-draws.ts [--seed 0] [--steps 2000] [--out draws-seed0.safetensors]

What a seed draws for the Grokfast demo's arms (initial parameters, train/validation split, the
order of the first --steps batches) in one safetensors file, for
bench/pytorch-grokfast-train.py --init.`);
  process.exit(0);
}
const seed = Number(values.seed);
const steps = Number(values.steps);
if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: expected a non-negative integer, got ${values.seed}`);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps: expected a positive integer, got ${values.steps}`);
const out = values.out ?? `draws-seed${seed}.safetensors`;

const { data, model, batches } = armDraws({ ...DEFAULTS, seed });
const order: number[] = [];
const sizes: number[] = [];
for (let s = 0; s < steps; s++) {
  const { indices } = batches.next();
  order.push(...indices);
  sizes.push(indices.length);
}
const tensors: Record<string, g.Tensor> = {};
for (const [k, p] of Object.entries(model.namedParameters())) tensors[`p.${k}`] = p;
Object.assign(tensors, {
  'train.inputs': data.train.inputs,
  'train.targets': data.train.targets,
  'val.inputs': data.val.inputs,
  'val.targets': data.val.targets,
  order: g.tensor(Int32Array.from(order), { dtype: 'int32', shape: [order.length] }),
  sizes: g.tensor(Int32Array.from(sizes), { dtype: 'int32', shape: [sizes.length] }),
});
writeFileSync(out, g.saveSafetensorsSync(tensors, { seed: String(seed), steps: String(steps) }));
console.log(JSON.stringify({ bench: 'grokfast-draws', seed, steps, out, parameters: Object.keys(model.namedParameters()).length }));
