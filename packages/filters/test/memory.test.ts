import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { GradientSpectrum, butterworth, grokfastEma, grokfastMa, lti, orthogonalGrad } from '../src/index.js';
import { biasCorrectedEma } from './custom.js';
import { setupModel, trainStep } from './helpers.js';

const adamw = () => g.adamw({ lr: 1e-3, weightDecay: 0.005 });
const cases: [string, () => g.GradientTransform<any>][] = [
  ['clip + grokfastEma + adamw', () => g.chain(g.clipByGlobalNorm(1), grokfastEma({ alpha: 0.98, lamb: 2 }), adamw())],
  ['grokfastMa', () => g.chain(grokfastMa({ windowSize: 5, lamb: 5 }), adamw())],
  ['grokfastMa sum, no warmup', () => g.chain(grokfastMa({ windowSize: 5, filterType: 'sum', warmup: false }), adamw())],
  ['lti zero', () => g.chain(lti({ ...butterworth({ order: 3, cutoff: 0.1 }), lamb: 2 }), adamw())],
  ['lti first', () => g.chain(lti({ b: [0.1, 0.1], a: [1, -0.8], init: 'first' }), adamw())],
  ['orthogonalGrad', () => g.chain(orthogonalGrad(), adamw())],
  ['custom', () => g.chain(biasCorrectedEma(0.9, 2), adamw())],
  ['spectrum', () => g.chain(new GradientSpectrum({ window: 8 }).transform(), adamw())],
];

describe('no leaks', () => {
  for (const [name, make] of cases) {
    it(`${name}: 50 updates inside Optimizer leave liveTensors() unchanged`, () => {
      const s = setupModel(0, make);
      trainStep(s); // the spectrum allocates its projections on the first gradient
      const live = g.liveTensors();
      for (let i = 0; i < 50; i++) trainStep(s);
      expect(g.liveTensors()).toBe(live);
    });
  }

  it('the filter state itself has a fixed size from init', () => {
    const s = setupModel(0, () => grokfastMa({ windowSize: 5 }));
    const n0 = g.tensorsIn(s.opt.state).size;
    const live0 = g.liveTensors();
    for (let i = 0; i < 7; i++) trainStep(s);
    expect(g.tensorsIn(s.opt.state).size).toBe(n0); // 4 parameters × (5 slots + 1 sum)
    expect(n0).toBe(24);
    expect(g.liveTensors()).toBe(live0);
  });
});
