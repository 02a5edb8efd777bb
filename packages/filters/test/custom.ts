import { add, div, mul, zeros, type Tensor } from '@grokkit/core';
import { perParamFilter } from '../src/index.js';

/** The docs' custom filter: a zero-started EMA with Adam-style bias correction, ĝ = g + λ·m/(1−αᵗ). */
export function biasCorrectedEma(alpha: number, lamb: number) {
  return perParamFilter<{ m: Tensor }>({
    name: 'biasCorrectedEma',
    init: (p) => ({ m: zeros(p.shape, { dtype: p.dtype, device: p.device }) }),
    step(g, { m }, { count }) {
      const next = add(mul(m, alpha), mul(g, 1 - alpha));
      return { grad: add(g, mul(div(next, 1 - alpha ** (count + 1)), lamb)), state: { m: next } };
    },
  });
}
