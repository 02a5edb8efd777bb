/**
 * The kernel plans of the primitives that are not elementwise (those are compiled from their
 * expressions, source.ts), and of the fused linear op. Each returns the kernel source for one
 * signature, or a constant fill where the output needs no input values (a reduction over an
 * empty dim, a matmul with K = 0).
 */
import { sizeOf, stridesOf, type DType, type PrimitiveParams, type Shape } from '@grokkit/core/backend';
import { coords, kernelSource, offsetExpr, storeAs, type KernelSource } from './source.js';

export interface ShapeInfo {
  shape: Shape;
  dtype: DType;
}
type Out = { shape: Shape; dtype: DType };

/** What a primitive compiles to: a kernel over (a subset of) its inputs, or a constant output. */
export type Plan = { kind: 'kernel'; kernel: KernelSource; inputs: number[] } | { kind: 'fill'; value: number };

export const kernel = (k: KernelSource, inputs: number[]): Plan => ({ kind: 'kernel', kernel: k, inputs });

/** A copy of x read through (strides, offset) into the contiguous output. */
export function strided(out: Out, strides: number[], offset = 0): Plan {
  return kernel(kernelSource(1, [...coords(out.shape), `return x0[${offsetExpr(strides, offset)}];`]), [0]);
}

export function reduction(op: 'sum' | 'max', x: ShapeInfo, out: Out): Plan {
  const xs = x.shape;
  const st = stridesOf(xs);
  const reduced = xs.map((s, d) => (out.shape[d] === 1 && s !== 1 ? d : -1)).filter((d) => d >= 0);
  const R = reduced.reduce((n, d) => n * xs[d]!, 1);
  if (R === 0 || sizeOf(xs) === 0) return { kind: 'fill', value: op === 'sum' ? 0 : -Infinity };
  if (reduced.length === 0) return kernel(kernelSource(1, [`return ${storeAs(out.dtype, 'x0[i]')};`]), [0]);
  const kept = st.map((s, d) => (reduced.includes(d) ? 0 : s));
  const body = [...coords(out.shape), `const base = ${offsetExpr(kept)};`];
  // the offset of reduced position j: its coordinates in the reduced dims, times their strides
  const rst = stridesOf(reduced.map((d) => xs[d]!));
  const inner = (j: string) =>
    reduced
      .map((d, r) => {
        const q = rst[r] === 1 ? j : `Math.floor(${j} / ${rst[r]})`;
        const c = r === 0 ? q : `(${q} % ${xs[d]})`;
        return st[d] === 1 ? c : `${c} * ${st[d]}`;
      })
      .join(' + ') || '0';
  if (op === 'sum') {
    body.push('let s = 0;', `for (let j = 0; j < ${R}; j++) {`, `  s += x0[base + ${inner('j')}];`, '}');
    body.push(`return ${storeAs(out.dtype, 's')};`);
  } else {
    body.push('let s = x0[base];', `for (let j = 1; j < ${R}; j++) {`, `  const v = x0[base + ${inner('j')}];`, '  if (v > s || v !== v) {', '    s = v;', '  }', '}');
    body.push(`return ${storeAs(out.dtype, 's')};`);
  }
  return kernel(kernelSource(1, body), [0]);
}

export function matmul(a: ShapeInfo, { ta, tb }: PrimitiveParams['matmul'], out: Out): Plan {
  const [, M, N] = out.shape as [number, number, number];
  const K = ta ? a.shape[1]! : a.shape[2]!;
  if (K === 0) return { kind: 'fill', value: 0 };
  const body = [
    ...coords(out.shape, 'c'),
    // A[b] is [M, K] (or [K, M] when ta); B[b] is [K, N] (or [N, K] when tb)
    `const a0 = c0 * ${M * K} + ${ta ? 'c1' : `c1 * ${K}`};`,
    `const b0 = c0 * ${K * N} + ${tb ? `c2 * ${K}` : 'c2'};`,
    'let s = 0;',
    `for (let k = 0; k < ${K}; k++) {`,
    `  s += x0[a0 + k${ta ? ` * ${M}` : ''}] * x1[b0 + k${tb ? '' : ` * ${N}`}];`,
    '}',
    'return s;',
  ];
  return kernel(kernelSource(2, body), [0, 1]);
}

export function pad(x: ShapeInfo, { before }: PrimitiveParams['pad'], out: Out): Plan {
  if (sizeOf(x.shape) === 0) return { kind: 'fill', value: 0 };
  const st = stridesOf(x.shape);
  const conds: string[] = [];
  x.shape.forEach((s, d) => {
    if (before[d] !== 0 || s !== out.shape[d]) conds.push(`c${d} >= ${before[d]}`, `c${d} < ${before[d]! + s}`);
  });
  const off = offsetExpr(st, 0, (d) => (before[d] ? `(c${d} - ${before[d]})` : `c${d}`));
  const body = [...coords(out.shape), 'let r = 0;'];
  if (conds.length) body.push(`if (${conds.join(' && ')}) {`, `  r = x0[${off}];`, '}');
  else body.push(`r = x0[${off}];`);
  body.push('return r;');
  return kernel(kernelSource(1, body), [0]);
}

export function cat(ins: ShapeInfo[], { dim }: PrimitiveParams['cat'], out: Out): Plan {
  const used = ins.map((t, k) => (sizeOf(t.shape) > 0 ? k : -1)).filter((k) => k >= 0);
  const body = [...coords(out.shape), 'let r = 0;'];
  let start = 0;
  let first = true;
  let arg = 0;
  ins.forEach((t, k) => {
    const len = t.shape[dim]!;
    if (used.includes(k)) {
      const st = stridesOf(t.shape);
      const off = offsetExpr(st, 0, (d) => (d === dim && start ? `(c${d} - ${start})` : `c${d}`));
      body.push(`${first ? 'if' : '} else if'} (c${dim} < ${start + len}) {`, `  r = x${arg}[${off}];`);
      first = false;
      arg++;
    }
    start += len;
  });
  if (!first) body.push('}');
  body.push('return r;');
  return used.length ? kernel(kernelSource(used.length, body), used) : { kind: 'fill', value: 0 };
}

export function gather(x: ShapeInfo, index: ShapeInfo, { dim }: PrimitiveParams['gather'], out: Out): Plan {
  const st = stridesOf(x.shape);
  const off = offsetExpr(st, 0, (d) => (d === dim ? 'v' : `c${d}`));
  return kernel(kernelSource(2, [...coords(out.shape), 'const v = x1[i];', `return x0[${off}];`]), [0, 1]);
}

/**
 * scatterAdd as a gather over the index: each output element loops over the n index positions
 * along `dim` that could hit it and sums the sources whose index matches its coordinate
 * (O(output · n) reads; out-of-range indices match nothing and are dropped).
 */
export function scatterAdd(src: ShapeInfo, index: ShapeInfo, { dim, shape }: PrimitiveParams['scatterAdd'], out: Out): Plan {
  const I = index.shape;
  const n = I[dim]!;
  if (sizeOf(I) === 0) return { kind: 'fill', value: 0 };
  const ist = stridesOf(I);
  const sst = stridesOf(src.shape);
  const at = (strides: number[]) => offsetExpr(strides, 0, (d) => (d === dim ? 'j' : `c${d}`));
  const conds = shape.map((s, d) => (d !== dim && I[d]! < s ? `c${d} < ${I[d]}` : '')).filter(Boolean);
  const loop = [`for (let j = 0; j < ${n}; j++) {`, `  if (x1[${at(ist)}] === c${dim}) {`, `    s += x0[${at(sst)}];`, '  }', '}'];
  const body = [...coords(out.shape), 'let s = 0;'];
  if (conds.length) body.push(`if (${conds.join(' && ')}) {`, ...loop.map((l) => `  ${l}`), '}');
  else body.push(...loop);
  body.push(`return ${storeAs(out.dtype, 's')};`);
  return kernel(kernelSource(2, body), [0, 1]);
}

/** linear (x·Wᵀ + b on x [n, in], W [out, in], b [out]): the matmul loop with the bias added. */
export function linear(x: ShapeInfo, w: ShapeInfo, bias: boolean): Plan {
  const [n, inF] = x.shape as [number, number];
  const outF = w.shape[0]!;
  if (inF === 0 && !bias) return { kind: 'fill', value: 0 };
  const body = [
    ...coords([n, outF], 'c'),
    'let s = 0;',
    `for (let k = 0; k < ${inF}; k++) {`,
    `  s += x0[c0 * ${inF} + k] * x1[c1 * ${inF} + k];`,
    '}',
    `return s${bias ? ' + x2[c1]' : ''};`,
  ];
  return kernel(kernelSource(bias ? 3 : 2, body), bias ? [0, 1, 2] : [0, 1]);
}
