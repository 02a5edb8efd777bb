import type { Tensor } from '../tensor.js';
import type { GradientTransform, Params, State } from './transform.js';

/**
 * Route each parameter to one of several transforms by a label (optax's multi_transform): `label`
 * names the transform for a parameter; each transform sees only its own parameters and gradients.
 * The state is one entry per label, so it checkpoints like any other.
 */
export function partition(label: (name: string, param: Tensor) => string, transforms: Record<string, GradientTransform<any>>): GradientTransform<{ [label: string]: State }> {
  const labels = Object.keys(transforms);
  if (labels.length === 0) throw new Error('partition: expected at least one transform, got none');
  const split = (tree: Params, params: Params): Record<string, Params> => {
    const parts: Record<string, Params> = Object.fromEntries(labels.map((l) => [l, {}]));
    for (const [name, t] of Object.entries(tree)) {
      const p = params[name];
      if (!p) throw new Error(`partition: no parameter named '${name}' (have: ${Object.keys(params).join(', ') || 'none'})`);
      const l = label(name, p);
      if (!(l in parts)) throw new Error(`partition: '${name}' was labelled '${l}', expected one of ${labels.join(', ')}`);
      parts[l]![name] = t;
    }
    return parts;
  };
  return {
    init(params) {
      const parts = split(params, params);
      return Object.fromEntries(labels.map((l) => [l, transforms[l]!.init(parts[l]!)]));
    },
    update(grads, state, params) {
      const gs = split(grads, params);
      const ps = split(params, params);
      const out: Params = {};
      const next: { [label: string]: State } = {};
      for (const l of labels) {
        const r = transforms[l]!.update(gs[l]!, state[l]!, ps[l]!);
        Object.assign(out, r.grads);
        next[l] = r.state;
      }
      return { grads: out, state: next };
    },
  };
}
