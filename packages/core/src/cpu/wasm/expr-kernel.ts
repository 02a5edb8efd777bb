/**
 * Float32 expressions (../../expr.ts) compiled to WebAssembly SIMD: one function per expression
 * list, writing one output per expression over inputs of one length, four elements an instruction,
 * operation by operation in float32, so its bits are the composition's (and the JS loop's of
 * ../elementwise.ts, which rounds every operation the same way). Arithmetic only (+ − × ÷, √ and
 * negation): a list with another primitive is declined, and runs in JS.
 *
 * `run(n, in_0 … in_k, out_0 … out_m, p_0 … p_q)`: byte addresses of the inputs and outputs, then
 * the parameters' values in `paramsOfAll` order.
 */
import { inputsOf, paramsOfAll, type Apply, type Expr } from '../../expr.js';
import { Code, each4, ModuleBuilder } from './emitter.js';
import { addressOf } from './heap.js';
import { getRuntime, MAX_PAGES, type Runtime } from './runtime.js';
import { wasmApi } from './webassembly-api.js';

type Run = (...args: number[]) => void;

/** Each arithmetic primitive's instruction, on four lanes and on one value. */
const OPS: Partial<Record<string, { v: (c: Code) => Code; s: (c: Code) => Code }>> = {
  add: { v: (c) => c.f32x4Add(), s: (c) => c.f32Add() },
  sub: { v: (c) => c.f32x4Sub(), s: (c) => c.f32Sub() },
  mul: { v: (c) => c.f32x4Mul(), s: (c) => c.f32Mul() },
  div: { v: (c) => c.f32x4Div(), s: (c) => c.f32Div() },
  sqrt: { v: (c) => c.f32x4Sqrt(), s: (c) => c.f32Sqrt() },
  neg: { v: (c) => c.f32x4Neg(), s: (c) => c.f32Neg() },
};

/** The apply nodes of `es` in an order where each comes after its operands, or null if one is not arithmetic. */
function schedule(es: readonly Expr[]): Apply[] | null {
  const order: Apply[] = [];
  const seen = new Set<Expr>();
  let ok = true;
  const visit = (n: Expr): void => {
    if (seen.has(n) || n.kind !== 'apply') return;
    seen.add(n);
    if (!OPS[n.op]) ok = false;
    n.args.forEach(visit);
    order.push(n);
  };
  es.forEach(visit);
  return ok ? order : null;
}

/** The module's bytes for `es` over `arity` inputs, or null when it has a primitive without a SIMD form. */
export function buildExprModule(es: readonly Expr[], arity: number, memory: { initial: number; maximum: number; shared: boolean }): Uint8Array | null {
  const nodes = schedule(es);
  if (!nodes) return null;
  const params = paramsOfAll(es);
  const mb = new ModuleBuilder(memory);
  const { code: c } = mb.func(['i32', ...Array<'i32'>(arity + es.length).fill('i32'), ...Array<'f32'>(params.length).fill('f32')], [], 'run');
  const N = 0;
  const IN = (k: number) => 1 + k;
  const OUT = (k: number) => 1 + arity + k;
  const PARAM = (k: number) => 1 + arity + es.length + k;
  const j = c.local('i32');
  // parameters and literals, splatted once before the loops
  const vParam = params.map((_, k) => {
    const v = c.local('v128');
    c.get(PARAM(k)).f32x4Splat().set(v);
    return v;
  });
  const literals = new Map<number, { s: number; v: number }>();
  for (const n of nodes) {
    for (const a of n.args) {
      if (a.kind !== 'literal' || literals.has(a.value)) continue;
      const s = c.local('f32');
      const v = c.local('v128');
      c.f32Const(a.value).tee(s).f32x4Splat().set(v);
      literals.set(a.value, { s, v });
    }
  }
  const used = inputsOf(es);

  const body = (simd: boolean): void => {
    const type = simd ? 'v128' : 'f32';
    const local = new Map<Expr | number, number>();
    const addr = (base: number) => c.get(base).get(j).i32(2).shl().add();
    for (const k of used) {
      const l = c.local(type);
      addr(IN(k));
      (simd ? c.v128Load() : c.f32Load()).set(l);
      local.set(k, l);
    }
    const push = (n: Expr): void => {
      if (n.kind === 'input') c.get(local.get(n.index)!);
      else if (n.kind === 'param') (simd ? c.get(vParam[params.indexOf(n.name)]!) : c.get(PARAM(params.indexOf(n.name))));
      else if (n.kind === 'literal') c.get(simd ? literals.get(n.value)!.v : literals.get(n.value)!.s);
      else c.get(local.get(n)!);
    };
    for (const n of nodes) {
      n.args.forEach(push);
      OPS[n.op]![simd ? 'v' : 's'](c);
      const l = c.local(type);
      c.set(l);
      local.set(n, l);
    }
    es.forEach((e, k) => {
      addr(OUT(k));
      push(e);
      if (simd) c.v128Store();
      else c.f32Store();
    });
  };
  c.i32(0).set(j);
  each4(c, j, N, () => body(true), () => body(false));
  return mb.encode();
}

/** Compiled kernels per expression list and arity (null: declined). */
const kernels = new WeakMap<readonly Expr[], Map<number, Run | null>>();

function kernelFor(rt: Runtime, es: readonly Expr[], arity: number): Run | null {
  let byArity = kernels.get(es);
  if (!byArity) kernels.set(es, (byArity = new Map()));
  let run = byArity.get(arity);
  if (run === undefined) {
    run = null;
    const WA = wasmApi();
    const bytes = WA ? buildExprModule(es, arity, { initial: 1, maximum: MAX_PAGES, shared: rt.shared }) : null;
    if (WA && bytes) {
      try {
        run = new WA.Instance(new WA.Module(bytes), { env: { memory: rt.memory } }).exports.run as unknown as Run;
      } catch {
        run = null;
      }
    }
    byArity.set(arity, run);
  }
  return run;
}

/**
 * outs[k] = es[k](ins) elementwise in WebAssembly SIMD, where every array lives in the wasm memory
 * and the expressions are arithmetic; false, touching nothing, otherwise (the caller runs JS).
 */
export function wasmExpressions(es: readonly Expr[], ins: Float32Array[], outs: Float32Array[], params: readonly number[]): boolean {
  const rt = getRuntime();
  if (!rt) return false;
  const addrs: number[] = [];
  for (const a of [...ins, ...outs]) {
    const p = addressOf(rt, a);
    if (p < 0) return false;
    addrs.push(p);
  }
  const run = kernelFor(rt, es, ins.length);
  if (!run) return false;
  run(outs[0]!.length, ...addrs, ...params);
  return true;
}
