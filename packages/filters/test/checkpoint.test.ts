import { describe, expect, it } from 'vitest';
import * as g from '@grokkit/core';
import { GradientSpectrum, butterworth, egalitarianGrad, grokfastEma, grokfastMa, lti, orthogonalGrad } from '../src/index.js';
import { biasCorrectedEma } from './custom.js';
import { paramBits, setupModel, trainStep } from './helpers.js';

const adamw = () => g.adamw({ lr: 1e-2, betas: [0.9, 0.98], weightDecay: 0.005 });
const cases: [string, () => g.GradientTransform<any>][] = [
  ['grokfastEma', () => g.chain(g.clipByGlobalNorm(1), grokfastEma({ alpha: 0.98, lamb: 2 }), adamw())],
  ['grokfastMa (window wraps)', () => g.chain(grokfastMa({ windowSize: 3, lamb: 5 }), adamw())],
  ['lti Butterworth, init first', () => g.chain(lti({ ...butterworth({ order: 2, cutoff: 0.2 }), lamb: 2, init: 'first' }), adamw())],
  ['orthogonalGrad', () => g.chain(orthogonalGrad(), adamw())],
  ['egalitarianGrad then Grokfast-EMA', () => g.chain(egalitarianGrad(), grokfastEma(), adamw())],
  ['custom perParamFilter', () => g.chain(biasCorrectedEma(0.9, 1), adamw())],
  ['spectrum observer', () => g.chain(new GradientSpectrum({ window: 4 }).transform(), grokfastEma(), adamw())],
];

describe('filter state checkpoints', () => {
  for (const [name, make] of cases) {
    it(`${name}: save mid-run, restore into a fresh optimizer, resume bit-identically`, async () => {
      const a = setupModel(0, make);
      for (let i = 0; i < 5; i++) trainStep(a);
      const bytes = await g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state, extra: { optimizerStep: a.opt.step, data: a.data.state() } });
      const rest = Array.from({ length: 6 }, () => trainStep(a));

      const b = setupModel(123, make);
      const loaded = g.loadCheckpoint(bytes);
      g.restoreCheckpoint(loaded, { params: b.model.namedParameters(), optimizer: b.opt });
      b.data.setState(loaded.extra.data as g.RngState);
      const resumed = Array.from({ length: 6 }, () => trainStep(b));
      expect(resumed).toEqual(rest);
      expect(paramBits(b.model)).toEqual(paramBits(a.model));
      // the filter changed the trajectory: compare with the plain optimizer
      if (!name.startsWith('spectrum')) {
        const c = setupModel(0, adamw);
        for (let i = 0; i < 11; i++) trainStep(c);
        expect(paramBits(c.model)).not.toEqual(paramBits(a.model));
      }
    });
  }

  it('restoring filter state from another filter or model is refused, and changes nothing', async () => {
    const a = setupModel(0, () => g.chain(grokfastEma(), adamw()));
    trainStep(a);
    const bytes = await g.saveCheckpoint({ params: a.model.namedParameters(), state: a.opt.state });
    const b = setupModel(1, () => g.chain(grokfastMa({ windowSize: 3 }), adamw()));
    const before = paramBits(b.model);
    expect(() => g.restoreCheckpoint(g.loadCheckpoint(bytes), { params: b.model.namedParameters(), optimizer: b.opt })).toThrow(
      /checkpoint: state\/0\/params\/layers.0.weight keys differ \(missing: queue, sum; unexpected: mu\)/,
    );
    expect(paramBits(b.model)).toEqual(before);
    const c = setupModel(2, () => g.chain(grokfastMa({ windowSize: 4 }), adamw()));
    const cb = await g.saveCheckpoint({ params: c.model.namedParameters(), state: c.opt.state });
    expect(() => g.restoreCheckpoint(g.loadCheckpoint(cb), { params: b.model.namedParameters(), optimizer: b.opt })).toThrow(
      /state\/0\/params\/layers.0.weight\/queue should be a list of 3/,
    );
  });
});
