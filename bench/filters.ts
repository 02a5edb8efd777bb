/**
 * Time one update of each filter on a parameter set the size of the Grokfast task model
 * (about 0.4M float32 values). Prints JSON. Run: npx tsx bench/filters.ts
 */
import * as g from '@grokkit/core';
import { GradientSpectrum, butterworth, grokfastEma, grokfastMa, lti, orthogonalGrad } from '@grokkit/filters';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`npx tsx bench/filters.ts

One update of each filter (followed by sgd), and of sgd and adamw alone, on a float32 parameter set
the size of the Grokfast model: JSON with the ms per step of each.`);
  process.exit(0);
}

const shapes: Record<string, number[]> = {
  embed: [99, 128],
  pos: [4, 128],
  ...Object.fromEntries(
    [0, 1].flatMap((l) => [
      [`l${l}.qkv`, [384, 128]],
      [`l${l}.out`, [128, 128]],
      [`l${l}.fc1`, [512, 128]],
      [`l${l}.fc2`, [128, 512]],
    ]),
  ),
  head: [99, 128],
};
const r = g.rng(0);
const params: g.Params = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, g.randn(s, { rng: r })]));
const size = Object.values(params).reduce((a, p) => a + p.size, 0);

function time(name: string, t: g.GradientTransform<any>, steps = 20) {
  const opt = new g.Optimizer(params, t);
  const grads = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, g.keep(g.randn(p.shape, { rng: r }))]));
  opt.update(grads); // warm-up, allocations
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) opt.update(grads);
  const ms = (performance.now() - t0) / steps;
  opt.dispose();
  for (const x of Object.values(grads)) x.dispose();
  return { name, msPerStep: Number(ms.toFixed(2)) };
}

const results = [
  time('sgd (baseline: one scale)', g.sgd({ lr: 0 })),
  time('grokfastEma', g.chain(grokfastEma(), g.sgd({ lr: 0 }))),
  time('grokfastMa w=2 (window full; cost does not depend on w)', g.chain(grokfastMa({ windowSize: 2 }), g.sgd({ lr: 0 }))),
  time('lti butterworth order 2', g.chain(lti({ ...butterworth({ order: 2, cutoff: 0.05 }), lamb: 2 }), g.sgd({ lr: 0 }))),
  time('orthogonalGrad', g.chain(orthogonalGrad(), g.sgd({ lr: 0 }))),
  time('GradientSpectrum k=4', g.chain(new GradientSpectrum().transform(), g.sgd({ lr: 0 }))),
  time('adamw', g.adamw({ lr: 0 })),
];
console.log(JSON.stringify({ parameters: size, results }, null, 2));
