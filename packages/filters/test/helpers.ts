import * as g from '@grokkit/core';

/** Run a transform on one parameter over a sequence of gradients; returns the transformed gradients. */
export function runSeq(t: g.GradientTransform<any>, seq: number[][], dtype: 'float32' | 'float64' = 'float64'): number[][] {
  const p = g.tensor(seq[0]!.map(() => 0), { dtype });
  const params = { p };
  let state = t.init(params);
  const out: number[][] = [];
  for (const grad of seq) {
    const r = t.update({ p: g.tensor(grad, { dtype }) }, state, params);
    out.push(Array.from(r.grads.p!.dataSync()));
    state = r.state;
  }
  return out;
}

/** Like runSeq but returns the raw float32 bit patterns of each output. */
export function runBits(t: g.GradientTransform<any>, seq: Float32Array[]): Uint32Array[] {
  const p = g.zeros([seq[0]!.length]);
  const params = { p };
  let state = t.init(params);
  return seq.map((grad) => {
    const r = t.update({ p: g.tensor(grad) }, state, params);
    state = r.state;
    return new Uint32Array(r.grads.p!.dataSync().buffer);
  });
}

export function expectClose(got: number[][], want: number[][], tol = 1e-12): void {
  if (got.length !== want.length) throw new Error(`expected ${want.length} rows, got ${got.length}`);
  got.forEach((row, i) =>
    row.forEach((v, j) => {
      const w = want[i]![j]!;
      if (!(Math.abs(v - w) <= tol * Math.max(1, Math.abs(w)))) throw new Error(`row ${i} col ${j}: expected ${w}, got ${v}`);
    }),
  );
}

/** A small deterministic regression problem: a 2-layer MLP and its data stream. */
export function setupModel(seed: number, transform: () => g.GradientTransform<any>) {
  const r = g.rng(seed);
  const model = new g.Sequential(new g.Linear(3, 8, { rng: r }), new g.Activation('relu'), new g.Linear(8, 2, { rng: r }));
  const opt = new g.Optimizer(model.namedParameters(), transform());
  return { model, opt, data: g.rng(seed + 1) };
}

export function trainStep(s: ReturnType<typeof setupModel>): number {
  return g.tidy(() => {
    const x = g.randn([16, 3], { rng: s.data });
    const y = g.randint(0, 2, [16], { rng: s.data });
    const loss = g.crossEntropy(s.model.forward(x), y);
    loss.backward();
    s.opt.update();
    s.opt.zeroGrad();
    return loss.item();
  });
}

export function paramBits(model: g.Module): number[][] {
  return model.parameters().map((p) => Array.from(new Uint32Array(p.dataSync().buffer)));
}
