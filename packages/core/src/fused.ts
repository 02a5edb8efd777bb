import type { TensorInfo } from './backend.js';
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import { isGradEnabled, record, withGrad, wrapOutput, type Tensor } from './tensor.js';
import { grad } from './autograd.js';
import { mul, sum } from './ops.js';

/**
 * A fused kernel for one backend: computes a composite in one pass. It may return `undefined`
 * to decline (e.g. an unsupported dtype), and the composed definition runs instead.
 */
export type FusedKernel<P> = (inputs: TensorInfo[], params: P, out: { shape: Shape; dtype: DType }) => unknown;

export interface FusedDef<P> {
  readonly name: string;
  /** The composition of primitives that defines the op: its oracle, and what runs where no kernel exists. */
  composed(inputs: Tensor[], params: P): Tensor;
  /** Shape and dtype of the output (the caller has validated the inputs). */
  output(inputs: Tensor[], params: P): { shape: Shape; dtype: DType };
  /**
   * The VJP, written in tensor ops (so it is itself differentiable). When omitted, the composed
   * definition is re-run and differentiated: always correct, as slow as the unfused op.
   */
  vjp?(g: Tensor, inputs: readonly Tensor[], out: Tensor, params: P, needs: boolean[]): (Tensor | null)[];
}

/** The VJP of a composition, by recomputing it with recording on and differentiating ⟨composed(x), g⟩. */
function composedVjp<P>(def: FusedDef<P>, g: Tensor, inputs: readonly Tensor[], params: P, needs: boolean[]): (Tensor | null)[] {
  const higherOrder = isGradEnabled();
  const wanted = inputs.filter((_, i) => needs[i]);
  const grads = withGrad(true, () => grad(sum(mul(def.composed([...inputs], params), g)), wanted, { createGraph: higherOrder, partial: true }));
  let k = 0;
  return inputs.map((_, i) => (needs[i] ? grads[k++]! : null));
}

const kernels = new Map<string, Map<string, FusedKernel<any>>>();
let fusion = true;

/** Register `kernel` as backend `backend`'s implementation of fused op `op`. */
export function registerFusedKernel<P>(op: string, backend: string, kernel: FusedKernel<P>): void {
  let m = kernels.get(op);
  if (!m) kernels.set(op, (m = new Map()));
  m.set(backend, kernel);
}

/** Turn fused kernels off (everything runs composed) or on; returns the previous setting. Tests use it to compare. */
export function setFusion(on: boolean): boolean {
  const prev = fusion;
  fusion = on;
  return prev;
}

/**
 * Make a fused op: where the inputs' backend has a kernel, one kernel call with `def.vjp` recorded
 * for backward; elsewhere the composed definition, which gets its gradient from the primitives.
 */
export function defineFused<P>(def: FusedDef<P>): (inputs: Tensor[], params: P) => Tensor {
  return (inputs, params) => {
    const device = inputs[0]!.device;
    const kernel = fusion ? kernels.get(def.name)?.get(device) : undefined;
    if (kernel) {
      const out = def.output(inputs, params);
      const infos = inputs.map((t) => ({ handle: t.handle, shape: t.shape, dtype: t.dtype }));
      const handle = kernel(infos, params, out);
      if (handle !== undefined) {
        const vjp = (g: Tensor, ins: readonly Tensor[], o: Tensor, needs: boolean[]) =>
          def.vjp ? def.vjp(g, ins, o, params, needs) : composedVjp(def, g, ins, params, needs);
        return record(wrapOutput(device, handle, out.shape, out.dtype), { prim: def.name, inputs, params, vjp });
      }
    }
    return def.composed(inputs, params);
  };
}
