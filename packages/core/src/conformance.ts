/**
 * The backend conformance suite: every primitive (and fused op) run on a backend and on the
 * plain-TypeScript reference backend, comparing forward values and the gradients of a weighted
 * sum. Each backend's test file iterates `conformanceCases` with `compareWithReference`.
 */
import { getBackend } from './registry.js';
import type { DType, TypedArray } from './dtype.js';
import { Generator } from './random.js';
import { sizeOf, type Shape } from './shape.js';
import { Tensor, tidy } from './tensor.js';
import { grad } from './autograd.js';
import * as ops from './ops.js';
import { adamDirection, axpby } from './fused-ops.js';
import { ex } from './expr.js';
import { fusedExpressions } from './fused-expressions.js';

export interface InputSpec {
  shape: Shape;
  dtype?: DType;
  /** How to fill: normal (default), positive (|n|+0.5), or integers in [0, int). */
  fill?: 'normal' | 'positive' | { int: number } | 'bool';
  grad?: boolean;
}

export interface ConformanceCase {
  name: string;
  inputs: InputSpec[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Tolerance relative to max(1, |reference|) (default 1e-4). */
  tol?: number;
}

const f = (shape: number[], fill: InputSpec['fill'] = 'normal'): InputSpec => ({ shape, fill, grad: true });
const int = (shape: number[], max: number): InputSpec => ({ shape, dtype: 'int32', fill: { int: max } });
const bool = (shape: number[]): InputSpec => ({ shape, dtype: 'bool', fill: 'bool' });

/** Moments and a direction from inputs (g, m, v), sharing sub-expressions: three outputs. */
const ADAM_LIKE = (() => {
  const [g, m, v] = [ex.input(0), ex.input(1), ex.input(2)];
  const m2 = ex.add(ex.mul(m, ex.param('b1')), ex.mul(g, ex.param('c1b1')));
  const v2 = ex.add(ex.mul(v, 0.98), ex.mul(ex.mul(g, g), 0.02));
  return [ex.neg(ex.div(m2, ex.add(ex.sqrt(v2), 1e-8))), m2, v2];
})();

export const conformanceCases: ConformanceCase[] = [
  ...(['neg', 'exp', 'sin', 'cos', 'tanh', 'erf'] as const).map((p) => ({ name: p, inputs: [f([3, 5])], fn: (x: Tensor) => ops[p](x) })),
  { name: 'log', inputs: [f([7], 'positive')], fn: (x) => ops.log(x) },
  { name: 'sqrt', inputs: [f([2, 3], 'positive')], fn: (x) => ops.sqrt(x) },
  ...(['add', 'sub', 'mul', 'maximum'] as const).flatMap((p) => [
    { name: `${p} same shape`, inputs: [f([4, 3]), f([4, 3])], fn: (a: Tensor, b: Tensor) => ops[p](a, b) },
    { name: `${p} broadcast`, inputs: [f([2, 1, 3]), f([4, 1])], fn: (a: Tensor, b: Tensor) => ops[p](a, b) },
    { name: `${p} scalar`, inputs: [f([5]), f([])], fn: (a: Tensor, b: Tensor) => ops[p](a, b) },
  ]),
  { name: 'div', inputs: [f([3, 4]), f([4], 'positive')], fn: (a, b) => ops.div(a, b) },
  { name: 'pow', inputs: [f([3, 4], 'positive'), f([4])], fn: (a, b) => ops.pow(a, b) },
  { name: 'eq', inputs: [int([3, 4], 3), int([4], 3)], fn: (a, b) => ops.cast(ops.eq(a, b), 'float32') },
  { name: 'lt', inputs: [f([3, 4]), f([3, 1])], fn: (a, b) => ops.cast(ops.lt(a, b), 'float32') },
  { name: 'gt', inputs: [f([2, 3]), f([])], fn: (a, b) => ops.cast(ops.gt(a, b), 'float32') },
  { name: 'where', inputs: [bool([3, 4]), f([3, 4]), f([4])], fn: (c, a, b) => ops.where(c, a, b) },
  { name: 'cast int32→float32', inputs: [int([5], 9)], fn: (x) => ops.cast(x, 'float32') },
  { name: 'cast float32→int32', inputs: [f([6])], fn: (x) => ops.cast(ops.cast(ops.mul(x, 3), 'int32'), 'float32') },
  { name: 'sum all', inputs: [f([4, 5])], fn: (x) => ops.sum(x) },
  { name: 'sum dim', inputs: [f([3, 4, 5])], fn: (x) => ops.sum(x, 1) },
  { name: 'sum dims keepdim', inputs: [f([3, 4, 5])], fn: (x) => ops.sum(x, [0, 2], true) },
  { name: 'max all', inputs: [f([4, 5])], fn: (x) => ops.max(x) },
  { name: 'max dim', inputs: [f([3, 4, 5])], fn: (x) => ops.max(x, -1) },
  { name: 'max dim 0', inputs: [f([6, 3])], fn: (x) => ops.max(x, 0) },
  { name: 'matmul', inputs: [f([5, 7]), f([7, 3])], fn: (a, b) => ops.matmul(a, b) },
  { name: 'matmul batched broadcast', inputs: [f([2, 1, 3, 4]), f([3, 4, 2])], fn: (a, b) => ops.matmul(a, b) },
  { name: 'matmul ta', inputs: [f([2, 4, 3]), f([2, 4, 5])], fn: (a, b) => ops.mm(a, b, true, false) },
  { name: 'matmul tb', inputs: [f([2, 3, 4]), f([2, 5, 4])], fn: (a, b) => ops.mm(a, b, false, true) },
  { name: 'matmul ta tb', inputs: [f([1, 4, 3]), f([1, 5, 4])], fn: (a, b) => ops.mm(a, b, true, true) },
  { name: 'matmul 33x65x17', inputs: [f([33, 65]), f([65, 17])], fn: (a, b) => ops.matmul(a, b) },
  { name: 'reshape', inputs: [f([2, 6])], fn: (x) => ops.mul(ops.reshape(x, [3, 4]), ops.reshape(x, [3, 4])) },
  { name: 'permute', inputs: [f([2, 3, 4])], fn: (x) => ops.permute(x, [2, 0, 1]) },
  { name: 'transpose', inputs: [f([5, 3])], fn: (x) => ops.transpose(x) },
  { name: 'expand', inputs: [f([3, 1])], fn: (x) => ops.expand(x, [2, 3, 4]) },
  { name: 'slice', inputs: [f([4, 6])], fn: (x) => ops.slice(x, 1, 1, 5) },
  { name: 'pad', inputs: [f([2, 3])], fn: (x) => ops.pad(x, [1, 2, 0, 1]) },
  { name: 'cat', inputs: [f([2, 3]), f([2, 2])], fn: (a, b) => ops.cat([a, b], 1) },
  { name: 'gather', inputs: [f([4, 5]), int([4, 3], 5)], fn: (x, i) => ops.gather(x, 1, i) },
  { name: 'indexSelect', inputs: [f([6, 4]), int([5], 6)], fn: (x, i) => ops.indexSelect(x, 0, i) },
  { name: 'scatterAdd', inputs: [f([3, 4]), int([3, 4], 5)], fn: (s, i) => ops.scatterAddPrim(s, 0, i, [5, 4]) },
  { name: 'softmax', inputs: [f([4, 6])], fn: (x) => ops.softmax(x, -1) },
  { name: 'logSoftmax', inputs: [f([3, 7])], fn: (x) => ops.logSoftmax(x, 1) },
  { name: 'crossEntropy', inputs: [f([5, 4]), int([5], 4)], fn: (x, t) => ops.crossEntropy(x, t) },
  { name: 'layerNorm', inputs: [f([3, 8]), f([8]), f([8])], fn: (x, w, b) => ops.layerNorm(x, [8], w, b) },
  { name: 'softmax long rows', inputs: [f([2, 300])], fn: (x) => ops.softmax(x, -1) },
  // large enough (≥ 1,024 values) for the cpu backend's WebAssembly kernels
  { name: 'softmax, 1,280 values', inputs: [f([64, 20])], fn: (x) => ops.softmax(x, -1) },
  { name: 'logSoftmax, 1,584 values', inputs: [f([16, 99])], fn: (x) => ops.logSoftmax(x, -1) },
  { name: 'exp, 1,200 values', inputs: [f([40, 30])], fn: (x) => ops.exp(x) },
  { name: 'indexSelect, 4,096 values', inputs: [f([99, 16]), int([256], 99)], fn: (x, i) => ops.indexSelect(x, 0, i) },
  { name: 'argmax', inputs: [f([4, 7])], fn: (x) => ops.cast(ops.argmax(x, 1), 'float32') },
  { name: 'argmax over dim 0, keepdim', inputs: [f([6, 5])], fn: (x) => ops.cast(ops.argmax(x, 0, true), 'float32') },
  { name: 'layerNorm over 2 dims', inputs: [f([2, 3, 5])], fn: (x) => ops.layerNorm(x, [3, 5]) },
  { name: 'linear', inputs: [f([5, 6]), f([4, 6]), f([4])], fn: (x, w, b) => ops.linear(x, w, b) },
  { name: 'linear 3-d, no bias', inputs: [f([2, 3, 6]), f([4, 6])], fn: (x, w) => ops.linear(x, w) },
  { name: 'axpby', inputs: [f([3, 5]), f([3, 5])], fn: (x, y) => axpby(0.9, x, -0.25, y) },
  { name: 'adamDirection', inputs: [f([7]), f([7], 'positive')], fn: (m, v) => adamDirection([m, v], { c1: 0.1, c2: 0.02, eps: 1e-8 }) },
  {
    // no gradients: the inputs of an optimizer's update, which runs as the backend's `expressions`
    name: 'fusedExpressions (an Adam-like update)',
    inputs: [{ shape: [3, 7] }, { shape: [3, 7] }, { shape: [3, 7], fill: 'positive' }],
    fn: (g, m, v) => ops.stack(fusedExpressions(ADAM_LIKE, [g, m, v], { b1: 0.9, c1b1: 0.1 })),
  },
  { name: 'gelu', inputs: [f([4, 8])], fn: (x) => ops.gelu(x) },
  { name: 'sigmoid', inputs: [f([9])], fn: (x) => ops.sigmoid(x) },
];

function fillData(spec: InputSpec, g: Generator): TypedArray {
  const n = sizeOf(spec.shape);
  const fill = spec.fill ?? 'normal';
  if (fill === 'bool') return Uint8Array.from({ length: n }, () => (g.uniform() < 0.5 ? 1 : 0));
  if (typeof fill === 'object') return Int32Array.from({ length: n }, () => g.int(0, fill.int));
  const arr = spec.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) arr[i] = fill === 'positive' ? Math.abs(g.normal()) + 0.5 : g.normal();
  return arr;
}

interface Outcome {
  value: TypedArray;
  grads: TypedArray[];
}

async function evaluate(c: ConformanceCase, datas: TypedArray[], device: string): Promise<Outcome> {
  const { out, grads } = tidy(() => {
    const xs = c.inputs.map((s, i) => {
      const t = Tensor.fromHost(datas[i]!.slice(), s.shape, s.dtype ?? 'float32', device);
      return s.grad ? t.requiresGrad_() : t;
    });
    const y = c.fn(...xs);
    const wanted = xs.filter((x) => x.requiresGrad);
    if (!y.requiresGrad || wanted.length === 0) return { out: y, grads: [] as Tensor[] };
    const w = Tensor.fromHost(Float32Array.from({ length: y.size }, (_, i) => 0.5 + ((i * 7919) % 13) / 13), y.shape, 'float32', device);
    return { out: y, grads: grad(ops.sum(ops.mul(y, ops.cast(w, y.dtype))), wanted) };
  });
  const value = await out.data();
  const gradData = await Promise.all(grads.map((g) => g.data()));
  out.dispose();
  grads.forEach((g) => g.dispose());
  return { value, grads: gradData };
}

/**
 * Run one case on `device` and on 'cpu-reference' with the same inputs (seeded); return a list of
 * mismatch descriptions (empty when the backend conforms).
 */
export async function compareWithReference(c: ConformanceCase, device: string, seed = 0): Promise<string[]> {
  getBackend(device);
  const g = new Generator(seed);
  const datas = c.inputs.map((s) => fillData(s, g));
  const ref = await evaluate(c, datas, 'cpu-reference');
  const got = await evaluate(c, datas, device);
  const tol = c.tol ?? 1e-4;
  const problems: string[] = [];
  const cmp = (what: string, a: TypedArray, b: TypedArray) => {
    if (a.length !== b.length) return void problems.push(`${what}: ${a.length} values, reference has ${b.length}`);
    for (let i = 0; i < a.length; i++) {
      const err = Math.abs(a[i]! - b[i]!);
      if (!(err <= tol * Math.max(1, Math.abs(b[i]!)))) return void problems.push(`${what}[${i}]: ${a[i]} vs reference ${b[i]}`);
    }
  };
  cmp(`${c.name} forward`, got.value, ref.value);
  if (got.grads.length !== ref.grads.length) problems.push(`${c.name}: ${got.grads.length} gradients, reference has ${ref.grads.length}`);
  else got.grads.forEach((gr, i) => cmp(`${c.name} grad ${i}`, gr, ref.grads[i]!));
  return problems;
}
