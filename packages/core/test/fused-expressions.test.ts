import { afterEach, describe, expect, it } from 'vitest';
import * as g from '../src/index.js';
import { ex, type Expr } from '../src/expr.js';
import { buildExprModule } from '../src/cpu/wasm/expr-kernel.js';
import { setFusion } from '../src/testing.js';

afterEach(() => void setFusion(true));

const bits = (t: g.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer));

/** Adam-like expressions with a shared sub-expression, a literal, a negation and a square root. */
function adamLike(): Expr[] {
  const [gr, m, v] = [ex.input(0), ex.input(1), ex.input(2)];
  const m2 = ex.add(ex.mul(m, ex.param('b1')), ex.mul(gr, ex.param('c1b1')));
  const v2 = ex.add(ex.mul(v, 0.98), ex.mul(ex.mul(gr, gr), 0.02));
  const dir = ex.div(ex.div(m2, ex.param('c1')), ex.add(ex.sqrt(ex.div(v2, ex.param('c2'))), 1e-8));
  return [ex.neg(ex.mul(dir, ex.param('lr'))), m2, v2];
}
const PARAMS = { b1: 0.9, c1b1: 1 - 0.9, c1: 1 - 0.9 ** 3, c2: 1 - 0.98 ** 3, lr: 1e-3 };

describe('fusedExpressions', () => {
  // 5000 elements: the arrays live in wasm memory (WebAssembly SIMD kernel); 37: the JS loop
  for (const n of [5000, 37]) {
    it(`float32 gives the composition's bits (n = ${n}), and cpu-reference's`, () => {
      const r = g.rng(n);
      const ins = [g.randn([n], { rng: r }), g.randn([n], { rng: r }).mul(0.1), g.rand([n], { rng: r }).mul(0.01)];
      const es = adamLike();
      const fused = g.fusedExpressions(es, ins, PARAMS);
      setFusion(false);
      const composed = g.fusedExpressions(es, ins, PARAMS);
      setFusion(true);
      expect(fused.map(bits)).toEqual(composed.map(bits));
      const prev = g.currentBackend();
      g.setBackend('cpu-reference');
      try {
        const ref = g.fusedExpressions(es, ins.map((t) => g.tensor(t.dataSync() as Float32Array)), PARAMS);
        expect(fused.map(bits)).toEqual(ref.map(bits));
      } finally {
        g.setBackend(prev);
      }
      // a sanity check against plain arithmetic: the first output is −lr·direction
      const m = ins[1]!.dataSync()[0]! * 0.9 + ins[0]!.dataSync()[0]! * 0.1;
      expect(fused[1]!.dataSync()[0]).toBeCloseTo(m, 6);
    });
  }

  it('float64 and expressions WebAssembly has no SIMD form for (exp) run in JS, equal to the composition', () => {
    const x = g.randn([3000], { rng: g.rng(1) });
    const es = [ex.exp(ex.mul(ex.input(0), 0.5)), ex.add(ex.input(0), 1)];
    const fused = g.fusedExpressions(es, [x]);
    setFusion(false);
    const composed = g.fusedExpressions(es, [x]);
    setFusion(true);
    expect(fused.map(bits)).toEqual(composed.map(bits));
    const x64 = x.cast('float64');
    const f64 = g.fusedExpressions(es, [x64]);
    expect(f64[0]!.dtype).toBe('float64');
    expect(Array.from(f64[0]!.dataSync())).toEqual(Array.from(x64.dataSync(), (v) => Math.exp(v * 0.5)));
    expect(buildExprModule(es, 1, { initial: 1, maximum: 1, shared: false })).toBeNull();
    expect(buildExprModule(adamLike(), 3, { initial: 1, maximum: 1, shared: false })).toBeInstanceOf(Uint8Array);
  });

  it('records through the composition when an input needs a gradient', () => {
    const x = g.tensor([1, 2, 3]).requiresGrad_();
    const [y] = g.fusedExpressions([ex.mul(ex.input(0), ex.input(0))], [x]);
    y!.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 4, 6]);
  });

  it('rejects bad input with one clear line', () => {
    const a = g.zeros([4]);
    expect(() => g.fusedExpressions([ex.input(0)], [])).toThrow(/at least one input tensor, got none/);
    expect(() => g.fusedExpressions([ex.add(ex.input(0), ex.input(1))], [a, g.zeros([5])])).toThrow(/one shape, dtype and device, got \[4\] float32 on 'cpu', \[5\] float32/);
    expect(() => g.fusedExpressions([ex.input(0)], [g.zeros([4], { dtype: 'int32' })])).toThrow(/expected float tensors/);
    expect(() => g.fusedExpressions([ex.add(ex.input(0), ex.input(2))], [a, a])).toThrow(/reads input 2, but 2 were given/);
    expect(() => g.fusedExpressions([ex.mul(ex.input(0), ex.param('lr'))], [a], {})).toThrow(/a number for parameter 'lr', got undefined/);
    expect(() => g.fusedExpressions([ex.input(0), ex.add(ex.param('k'), 1)], [a], { k: 1 })).toThrow(/expression 1 reads no input/);
  });
});

/** Parameters after `steps` updates of `make()`'s transform from fixed gradients. */
function train(make: () => g.GradientTransform<any>, steps: number, opts: { stripRule?: boolean; size?: number } = {}): number[][] {
  const n = opts.size ?? 2000;
  const r = g.rng(7);
  const params = { w: g.randn([n], { rng: r }), b: g.randn([3], { rng: r }) };
  const t = make();
  const opt = new g.Optimizer(params, opts.stripRule ? { init: t.init, update: t.update } : t);
  for (let s = 0; s < steps; s++) opt.update({ w: g.randn([n], { rng: r }), b: g.randn([3], { rng: r }) });
  const out = [bits(params.w), bits(params.b)];
  opt.dispose();
  return out;
}

describe('elementwise transforms', () => {
  const cases: [string, () => g.GradientTransform<any>][] = [
    ['adam with L2 weight decay', () => g.adam({ lr: 1e-3, betas: [0.9, 0.98], weightDecay: 0.005 })],
    ['adamw on a schedule', () => g.adamw({ lr: g.linearWarmup(1e-2, 3) })],
    ['sgd with Nesterov momentum', () => g.sgd({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
    ['scale then the learning rate', () => g.chain(g.scale(0.5), g.scaleByLearningRate(0.1))],
  ];
  for (const [name, make] of cases) {
    it(`${name}: one pass per parameter gives the bits of the transforms run one by one, and of the composition`, () => {
      expect(make().rule).toBeDefined();
      const fused = train(make, 5);
      expect(train(make, 5, { stripRule: true })).toEqual(fused);
      setFusion(false);
      expect(train(make, 5)).toEqual(fused);
    });
  }

  it('a chain is elementwise only when every part is', () => {
    expect(g.chain(g.scale(2), g.adam({ lr: 1 })).rule).toBeDefined();
    expect(g.chain(g.clipByGlobalNorm(1), g.adam({ lr: 1 })).rule).toBeUndefined();
    // the mixed chain runs its parts in turn, each elementwise part in one pass per parameter
    const mixed = () => g.chain(g.clipByGlobalNorm(1e9), g.adam({ lr: 1e-2 }));
    expect(train(mixed, 3)).toEqual(train(() => g.adam({ lr: 1e-2 }), 3));
  });

  it('a user-written rule: sign descent with an exponential average', () => {
    const signDescent = (lr: number) =>
      g.elementwise<{ count: number; avg: g.Params }>((params) => ({ count: 0, avg: g.zerosLikeParams(params) }), {
        name: 'signDescent',
        slotCount: 1,
        slots: (s, name) => [s.avg[name]!],
        scalars: () => ({ lr }),
        apply: (gr, _p, [avg], k) => {
          const next = ex.add(ex.mul(avg!, 0.5), ex.mul(gr, 0.5));
          return { g: ex.mul(ex.div(next, ex.sqrt(ex.mul(next, next))), ex.neg(k('lr'))), slots: [next] };
        },
        next: (s, slots) => {
          const avg = g.emptyParams();
          for (const [name, [a]] of Object.entries(slots)) avg[name] = a!;
          return { count: s.count + 1, avg };
        },
      });
    const p = { w: g.tensor([1, 2, 3]) };
    const opt = new g.Optimizer(p, signDescent(0.25));
    opt.update({ w: g.tensor([2, -4, 0.5]) });
    expect(Array.from(p.w.dataSync())).toEqual([0.75, 2.25, 2.75]);
    expect(Array.from(opt.state.avg.w!.dataSync())).toEqual([1, -2, 0.25]);
    expect(opt.state.count).toBe(1);
  });

  it('a state made for other parameters, or a wrong gradient, is one clear error, and nothing is updated', () => {
    const p = { w: g.tensor([1, 2]) };
    const opt = new g.Optimizer(p, g.adam({ lr: 0.1 }));
    expect(() => opt.update({ w: g.tensor([1, 2, 3]) })).toThrow(/'w' expected \[2\] float32, got \[3\] float32/);
    const other = g.adam({ lr: 0.1 });
    const state = other.init({ v: g.tensor([1, 2]) });
    expect(() => other.update({ w: g.tensor([1, 1]) }, state, p)).toThrow(/scaleByAdam: the state has no 'mu' for parameter 'w'/);
    expect(Array.from(p.w.dataSync())).toEqual([1, 2]);
    expect(opt.step).toBe(0);
  });
});
