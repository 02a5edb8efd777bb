/**
 * Fused ops: a composite that a backend may compute in one kernel (its entry in `Backend.fused`),
 * recorded for backward with the op's own VJP; everywhere else its composition of primitives runs
 * and gets its gradient from theirs. The composition stays the oracle.
 */
import { logOnce } from './backend.js';
import type { DType } from './dtype.js';
import type { FusedOp, FusedParams } from './fused-params.js';
import { getBackend } from './registry.js';
import type { Shape } from './shape.js';
import { isGradEnabled, record, withGrad, wrapOutput, type Tensor } from './tensor.js';
import { grad } from './autograd.js';
import { mul, sum } from './ops.js';

export interface FusedDef<F extends FusedOp> {
  /** The composition of primitives that defines the op: its oracle, and what runs where no kernel exists. */
  composed(inputs: Tensor[], params: FusedParams[F]): Tensor;
  /** Shape and dtype of the output (the caller has validated the inputs). */
  output(inputs: Tensor[], params: FusedParams[F]): { shape: Shape; dtype: DType };
  /**
   * The VJP, written in tensor ops (so it is itself differentiable). When omitted, the composed
   * definition is re-run and differentiated: always correct, as slow as the unfused op.
   */
  vjp?(g: Tensor, inputs: readonly Tensor[], out: Tensor, params: FusedParams[F], needs: boolean[]): (Tensor | null)[];
}

/** The VJP of a composition, by recomputing it with recording on and differentiating ⟨composed(x), g⟩. */
function composedVjp<F extends FusedOp>(def: FusedDef<F>, g: Tensor, inputs: readonly Tensor[], params: FusedParams[F], needs: boolean[]): (Tensor | null)[] {
  const higherOrder = isGradEnabled();
  const wanted = inputs.filter((_, i) => needs[i]);
  const grads = withGrad(true, () => grad(sum(mul(def.composed([...inputs], params), g)), wanted, { createGraph: higherOrder, partial: true }));
  let k = 0;
  return inputs.map((_, i) => (needs[i] ? grads[k++]! : null));
}

let fusion = true;

/** Turn fused kernels off (everything runs composed) or on; returns the previous setting. Tests use it to compare. */
export function setFusion(on: boolean): boolean {
  const prev = fusion;
  fusion = on;
  return prev;
}

/** Whether fused kernels are on (`setFusion`). */
export function isFusionOn(): boolean {
  return fusion;
}

/**
 * Make fused op `name`: where the inputs' backend has a kernel for it, one kernel call with
 * `def.vjp` recorded for backward; where its entry is `composed` (logged once), or the kernel
 * declines, the composed definition, which gets its gradient from the primitives.
 */
export function defineFused<F extends FusedOp>(name: F, def: FusedDef<F>): (inputs: Tensor[], params: FusedParams[F]) => Tensor {
  return (inputs, params) => {
    const device = inputs[0]!.device;
    const entry = fusion ? getBackend(device).fused[name] : undefined;
    if (typeof entry === 'function') {
      const out = def.output(inputs, params);
      const infos = inputs.map((t) => ({ handle: t.handle, shape: t.shape, dtype: t.dtype }));
      const handle = entry(infos, params, out);
      if (handle !== undefined) {
        const vjp = (g: Tensor, ins: readonly Tensor[], o: Tensor, needs: boolean[]) =>
          def.vjp ? def.vjp(g, ins, o, params, needs) : composedVjp(def, g, ins, params, needs);
        return record(wrapOutput(device, handle, out.shape, out.dtype), { prim: name, inputs, params, vjp });
      }
    } else if (fusion) {
      // `composed`, or no entry at all (a fused op declared after the backend was built)
      logOnce(`${device}:${name}`, `backend '${device}' runs fused op '${name}' as its composition of primitives`);
    }
    return def.composed(inputs, params);
  };
}
