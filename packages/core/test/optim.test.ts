import { describe, expect, it } from 'vitest';
import * as g from '../src/index.js';

function run(transform: g.GradientTransform<any>, grads: number[][], p0 = [1, -2]): number[][] {
  const p = g.tensor(p0, { dtype: 'float64' }).requiresGrad_();
  const opt = new g.Optimizer({ p }, transform);
  const out: number[][] = [];
  for (const gr of grads) {
    opt.update({ p: g.tensor(gr, { dtype: 'float64' }) });
    out.push(Array.from(p.dataSync()));
  }
  return out;
}

describe('optimizers as gradient transforms', () => {
  it('sgd and momentum follow PyTorch', () => {
    expect(run(g.sgd({ lr: 0.1 }), [[1, 2]])).toEqual([[0.9, -2.2]]);
    const m = run(g.sgd({ lr: 0.1, momentum: 0.9 }), [[1, 0], [1, 0]]);
    expect(m[0]![0]).toBeCloseTo(0.9, 12);
    expect(m[1]![0]).toBeCloseTo(0.9 - 0.1 * 1.9, 12);
  });

  it('adam matches the formula with bias correction', () => {
    const [b1, b2, eps, lr] = [0.9, 0.98, 1e-8, 0.01];
    const gs = [[0.5, -1], [0.2, 0.3], [-0.4, 0.1]];
    const got = run(g.adam({ lr, betas: [b1, b2], eps }), gs);
    let m = [0, 0];
    let v = [0, 0];
    const p = [1, -2];
    gs.forEach((gr, t) => {
      m = m.map((mi, i) => b1 * mi + (1 - b1) * gr[i]!);
      v = v.map((vi, i) => b2 * vi + (1 - b2) * gr[i]! ** 2);
      for (let i = 0; i < 2; i++) {
        const mh = m[i]! / (1 - b1 ** (t + 1));
        const vh = v[i]! / (1 - b2 ** (t + 1));
        p[i] = p[i]! - (lr * mh) / (Math.sqrt(vh) + eps);
      }
      expect(got[t]![0]).toBeCloseTo(p[0]!, 12);
      expect(got[t]![1]).toBeCloseTo(p[1]!, 12);
    });
  });

  it('adamw decays weights decoupled from the gradient', () => {
    // zero gradient: adam's direction is 0/(0+eps) = 0, so only the decay acts
    const got = run(g.adamw({ lr: 0.1, weightDecay: 0.5 }), [[0, 0]]);
    expect(got[0]![0]).toBeCloseTo(1 - 0.1 * 0.5 * 1, 12);
    expect(got[0]![1]).toBeCloseTo(-2 - 0.1 * 0.5 * -2, 12);
  });

  it('adam weightDecay is L2 (coupled), as torch.optim.Adam', () => {
    // first step of Adam moves every coordinate by lr·sign(g') where g' = g + wd·p
    const got = run(g.adam({ lr: 0.1, weightDecay: 0.5 }), [[0, -3]]);
    expect(got[0]![0]).toBeCloseTo(1 - 0.1, 6); // g' = 0.5 > 0
    expect(got[0]![1]).toBeCloseTo(-2 + 0.1, 6); // g' = -4 < 0
  });

  it('clipByGlobalNorm scales to the max norm', () => {
    const got = run(g.chain(g.clipByGlobalNorm(1), g.sgd({ lr: 1 })), [[3, 4]], [0, 0]);
    expect(got[0]![0]).toBeCloseTo(-0.6, 5);
    expect(got[0]![1]).toBeCloseTo(-0.8, 5);
    const small = run(g.chain(g.clipByGlobalNorm(10), g.sgd({ lr: 1 })), [[3, 4]], [0, 0]);
    expect(small[0]).toEqual([-3, -4]);
  });

  it('lion follows its reference update: sign of the interpolated momentum, decoupled decay, then the momentum', () => {
    const [b1, b2, lr, wd] = [0.9, 0.99, 0.01, 0.5];
    const gs = [[0.5, -1], [-0.2, 0.3], [-0.4, 0.1], [0, 0]];
    const got = run(g.lion({ lr, weightDecay: wd }), gs);
    let m = [0, 0];
    const p = [1, -2];
    gs.forEach((gr, t) => {
      for (let i = 0; i < 2; i++) {
        const c = b1 * m[i]! + (1 - b1) * gr[i]!;
        p[i] = p[i]! * (1 - lr * wd) - lr * Math.sign(c);
        m[i] = b2 * m[i]! + (1 - b2) * gr[i]!;
      }
      expect(got[t]![0]).toBeCloseTo(p[0]!, 12);
      expect(got[t]![1]).toBeCloseTo(p[1]!, 12);
    });
    // at the zero gradient of step 4 only the momentum moves the parameters
    expect(got[3]![0]).not.toBeCloseTo(got[2]![0]! * (1 - lr * wd), 6);
    expect(() => g.lion({ lr: 0.1, betas: [0.9, 1] })).toThrow(/lion|scaleByLion/);
    expect(() => g.lion({ lr: -1 })).toThrow(/lion/);
  });

  it('clipRowNorms keeps each row of a matrix within the bound after the update, and leaves the rest alone', () => {
    const w = g.tensor([[1, 0], [0, 0.5], [0.3, 0.4]], { dtype: 'float64' });
    const b = g.tensor([5, -5], { dtype: 'float64' });
    const opt = new g.Optimizer({ w, b }, g.chain(g.sgd({ lr: 1 }), g.clipRowNorms(1)));
    opt.update({ w: g.tensor([[-2, 0], [0, -0.2], [0.01, -0.02]], { dtype: 'float64' }), b: g.tensor([1, 1], { dtype: 'float64' }) });
    const got = Array.from(w.dataSync());
    // row 0 went to [3, 0] and is scaled to norm 1; rows 1 and 2 stay within it and move by −g exactly
    expect(got[0]).toBeCloseTo(1, 12);
    expect(got[1]).toBe(0);
    expect(got.slice(2)).toEqual([0, 0.7, 0.3 - 0.01, 0.4 + 0.02]);
    expect(Array.from(b.dataSync())).toEqual([4, -6]); // 1-D: not chosen by default, not clipped
  });

  it('clipRowNorms after Adam follows a step-by-step oracle: x ← clip(x + Adam update), rows scaled to the bound', () => {
    const r = g.rng(3);
    const [R, C, maxNorm] = [6, 5, 1.2];
    const p0 = g.randn([R, C], { rng: r, dtype: 'float64', std: 0.5 });
    const grads = [0, 1, 2, 3].map(() => g.randn([R, C], { rng: r, dtype: 'float64' }));
    const train = (t: g.GradientTransform<any>) => {
      const p = p0.clone();
      const opt = new g.Optimizer({ p }, t);
      return grads.map((gr) => (opt.update({ p: gr }), Array.from(p.dataSync())));
    };
    // Adam without weight decay does not read the parameters, so its updates are the same with or without the clip
    const free = train(g.adam({ lr: 0.1 }));
    const clipped = train(g.chain(g.adam({ lr: 0.1 }), g.clipRowNorms(maxNorm)));
    let x = Array.from(p0.dataSync());
    let prev = x.slice();
    let hits = 0;
    free.forEach((f, t) => {
      x = x.map((v, i) => v + f[i]! - prev[i]!);
      prev = f;
      for (let i = 0; i < R; i++) {
        const n = Math.hypot(...x.slice(i * C, (i + 1) * C));
        if (n > maxNorm) {
          hits++;
          for (let j = 0; j < C; j++) x[i * C + j]! *= maxNorm / n;
        }
      }
      for (let i = 0; i < R * C; i++) expect(clipped[t]![i]).toBeCloseTo(x[i]!, 12);
    });
    expect(hits).toBeGreaterThan(0); // built so that some rows reach the bound
    expect(hits).toBeLessThan(R * grads.length); // and some do not
  });

  it('clipRowNorms rejects a bad bound and a chosen parameter that is not a matrix, in one line', () => {
    expect(() => g.clipRowNorms(0)).toThrow('clipRowNorms: expected maxNorm to be a finite number > 0, got 0');
    expect(() => g.clipRowNorms(Number.NaN)).toThrow('got NaN');
    const b = g.tensor([1, 2]);
    expect(() => new g.Optimizer({ b }, g.clipRowNorms(1, { include: () => true }))).toThrow(
      "clipRowNorms: 'b' is chosen but has 1 dimensions (expected a 2-D matrix)",
    );
  });

  it('learning-rate schedules', () => {
    const w = g.linearWarmup(1e-3, 10);
    expect(w(0)).toBeCloseTo(1e-4, 12);
    expect(w(9)).toBeCloseTo(1e-3, 12);
    expect(w(500)).toBe(1e-3);
    const c = g.warmupCosine(1, 0, 100);
    expect(c(0)).toBeCloseTo(1, 12);
    expect(c(50)).toBeCloseTo(0.5, 12);
    expect(c(100)).toBeCloseTo(0, 12);
    // schedules are applied per step inside the chain
    const got = run(g.sgd({ lr: (t) => (t + 1) * 0.1 }), [[1, 1], [1, 1]], [0, 0]);
    expect(got[1]![0]).toBeCloseTo(-0.3, 12);
  });

  it('invalid hyper-parameters are rejected', () => {
    expect(() => g.scaleByAdam({ b1: 1 })).toThrow(/0 ≤ b1 < 1, got 1/);
    expect(() => g.clipByGlobalNorm(0)).toThrow(/maxNorm > 0/);
  });

  it('invalid hyper-parameters are rejected at construction, as PyTorch ("Invalid learning rate")', () => {
    const lr = /invalid learning rate: expected a finite number ≥ 0 or a schedule function, got/;
    expect(() => g.adam({ lr: NaN })).toThrow(new RegExp(`adam: ${lr.source} NaN`));
    expect(() => g.adamw({ lr: Infinity })).toThrow(new RegExp(`adamw: ${lr.source} Infinity`));
    expect(() => g.sgd({ lr: -1 })).toThrow(new RegExp(`sgd: ${lr.source} -1`));
    expect(() => g.sgd({ lr: '0.1' as unknown as number })).toThrow(new RegExp(`sgd: ${lr.source} "0.1"`));
    expect(() => g.scaleByLearningRate(-0.5)).toThrow(/scaleByLearningRate: invalid learning rate/);
    expect(() => g.sgd({ lr: 0.1, weightDecay: -1e-4 })).toThrow(/sgd: invalid weightDecay: expected a finite number ≥ 0, got -0.0001/);
    expect(() => g.adam({ lr: 0.1, weightDecay: -1 })).toThrow(/adam: invalid weightDecay: expected a finite number ≥ 0, got -1/);
    expect(() => g.adamw({ lr: 0.1, weightDecay: NaN })).toThrow(/adamw: invalid weightDecay/);
    expect(() => g.addDecayedWeights(-0.1)).toThrow(/addDecayedWeights: invalid weightDecay/);
    expect(() => g.sgd({ lr: 0.1, momentum: -0.9 })).toThrow(/sgd: invalid momentum: expected a finite number ≥ 0, got -0.9/);
    expect(() => g.sgd({ lr: 0.1, nesterov: true })).toThrow(/sgd: invalid nesterov: Nesterov momentum needs momentum > 0/);
    expect(() => g.adam({ lr: 0.1, betas: [1, 0.999] })).toThrow(/adam: invalid betas\[0\]: expected 0 ≤ betas\[0\] < 1, got 1/);
    expect(() => g.adamw({ lr: 0.1, betas: [0.9, -0.1] })).toThrow(/adamw: invalid betas\[1\]: expected 0 ≤ betas\[1\] < 1, got -0.1/);
    expect(() => g.adam({ lr: 0.1, betas: [0.9] as unknown as [number, number] })).toThrow(/adam: invalid betas: expected \[b1, b2\], got \[0.9\]/);
    expect(() => g.adam({ lr: 0.1, eps: 0 })).toThrow(/adam: invalid eps: expected a finite number > 0, got 0/);
    expect(() => g.adamw({ lr: 0.1, eps: -1e-8 })).toThrow(/adamw: invalid eps/);
    expect(() => g.scale(NaN)).toThrow(/scale: invalid factor: expected a finite number, got NaN/);
    // the boundaries PyTorch accepts stay accepted
    expect(() => g.sgd({ lr: 0, momentum: 0, weightDecay: 0 })).not.toThrow();
    expect(() => g.adamw({ lr: 0, betas: [0, 0], weightDecay: 0 })).not.toThrow();
  });

  it('a schedule that yields an invalid learning rate fails at that step, naming it', () => {
    const p = g.tensor([1, 2]);
    const opt = new g.Optimizer({ p }, g.sgd({ lr: (t) => (t < 2 ? 0.1 : NaN) }));
    opt.update({ p: g.ones([2]) });
    opt.update({ p: g.ones([2]) });
    const before = Array.from(p.dataSync());
    expect(() => opt.update({ p: g.ones([2]) })).toThrow(/scaleByLearningRate: the schedule gave learning rate NaN at step 2 \(expected a finite number ≥ 0\)/);
    expect(Array.from(p.dataSync())).toEqual(before);
  });

  it('schedules check their arguments when made', () => {
    expect(() => g.linearSchedule(1, NaN, 10)).toThrow(/linearSchedule: invalid end: expected a finite number, got NaN/);
    expect(() => g.linearSchedule(1, 0, -5)).toThrow(/linearSchedule: invalid steps: expected a finite number ≥ 0, got -5/);
    expect(() => g.cosineDecay(1, Infinity)).toThrow(/cosineDecay: invalid steps/);
    expect(() => g.linearWarmup(1e-3, -10)).toThrow(/linearWarmup: invalid warmup: expected a finite number ≥ 0, got -10/);
    expect(() => g.warmupCosine(1e-3, 10, NaN)).toThrow(/warmupCosine: invalid total/);
    expect(() => g.constantSchedule(NaN)).toThrow(/constantSchedule: invalid value/);
    expect(g.warmupCosine(1, 2, 4)(0)).toBe(0.5);
  });
});

describe('Optimizer ownership', () => {
  it('state that keeps a gradient survives zeroGrad (momentum starts from the first gradient)', () => {
    const p = g.tensor([1, 2]).requiresGrad_();
    const opt = new g.Optimizer({ p }, g.sgd({ lr: 0.1, momentum: 0.9 }));
    p.mul(3).sum().backward();
    opt.update();
    opt.zeroGrad();
    p.mul(3).sum().backward();
    opt.update();
    // b1 = 3, b2 = 0.9·3 + 3 = 5.7; p = 1 − 0.1·3 − 0.1·5.7
    expect(p.dataSync()[0]).toBeCloseTo(1 - 0.3 - 0.57, 5);
  });

  it('a transform may keep the gradient tensor it receives: zeroGrad and later backward passes leave it intact', () => {
    // a hand-written transform (no perParamFilter, no detach) that stores the incoming tensor itself
    // and adds the previous step's gradient to the current one
    const keepLast: g.GradientTransform<{ last: g.Tensor | null }> = {
      init: () => ({ last: null }),
      update: (grads, { last }) => ({ grads: { p: last ? grads.p!.add(last) : grads.p!.mul(1) }, state: { last: grads.p! } }),
    };
    const p = g.tensor([0, 0]).requiresGrad_();
    const opt = new g.Optimizer({ p }, g.chain(keepLast, g.sgd({ lr: 1 })));
    const steps: number[][] = [];
    for (const scale of [1, 10, 100]) {
      g.tidy(() => {
        p.mul(g.tensor([scale, 2 * scale])).sum().backward(); // .grad = [scale, 2·scale]
        opt.update();
        opt.zeroGrad(); // disposes p.grad; the kept tensor is a view of its storage
      });
      steps.push(Array.from(p.dataSync()));
    }
    // updates: −[1, 2], −([10, 20] + [1, 2]), −([100, 200] + [10, 20])
    expect(steps).toEqual([[-1, -2], [-12, -24], [-122, -244]]);
    expect(Array.from((opt.state[0] as { last: g.Tensor }).last.dataSync())).toEqual([100, 200]);
  });

  it('gradients passed to update() explicitly are viewed too: the caller may dispose them', () => {
    const keepLast: g.GradientTransform<{ last: g.Tensor | null }> = {
      init: () => ({ last: null }),
      update: (grads, { last }) => ({ grads: { p: last ? grads.p!.add(last) : grads.p!.mul(1) }, state: { last: grads.p! } }),
    };
    const p = g.tensor([0]);
    const opt = new g.Optimizer({ p }, g.chain(keepLast, g.sgd({ lr: 1 })));
    for (const v of [1, 2]) {
      const grad = g.tensor([v]);
      opt.update({ p: grad });
      grad.dispose();
    }
    expect(Array.from(p.dataSync())).toEqual([-4]); // −1, then −(2 + 1)
  });

  it('restore validation checks leaf kinds', () => {
    expect(() => g.checkStateShape({ count: 0, extra: null }, { count: 0, extra: g.zeros([1]) })).toThrow(/state\/extra should be null, got tensor/);
  });
});
