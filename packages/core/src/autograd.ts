import { isFloat } from './dtype.js';
import * as ops from './ops.js';
import { fmt } from './shape.js';
import { keep, tidy, withGrad, type Tensor } from './tensor.js';
import { vjps, type VjpRule } from './vjp.js';
import type { Primitive } from './primitives.js';

/** Tensors reachable from `root` through recorded nodes, inputs before the tensors made from them. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const x = inputs[i]!;
      if (x.requiresGrad && !seen.has(x)) {
        seen.add(x);
        stack.push([x, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Reverse-mode differentiation from `root`: each recorded node's VJP rule maps the output's
 * gradient to its inputs' gradients. Returns the gradients of `wanted` tensors (by default the
 * leaves that require grad). Without `createGraph` the VJPs run without recording, every
 * intermediate is disposed and the returned gradients are fresh tensors.
 */
function computeGrads(
  root: Tensor,
  seed: Tensor | number | undefined,
  createGraph: boolean,
  wanted?: Set<Tensor>,
  partial = false,
): Map<Tensor, Tensor> {
  if (!root.requiresGrad) throw new Error('backward: this tensor does not require grad (no input was created with requiresGrad)');
  if (seed === undefined && root.size !== 1) {
    throw new Error(`backward: gradient can be implicitly created only for a one-element tensor, got shape ${fmt(root.shape)}; pass a seed gradient`);
  }
  if (seed instanceof Object && (seed.shape.length !== root.shape.length || seed.shape.some((d, i) => d !== root.shape[i]))) {
    throw new Error(`backward: seed gradient shape ${fmt(seed.shape)} does not match the tensor's ${fmt(root.shape)}`);
  }
  const order = topoOrder(root);
  const run = () => {
    const out = new Map<Tensor, Tensor>();
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, seed instanceof Object ? seed.cast(root.dtype) : ops.full(root.shape, seed ?? 1, root.dtype, root.device));
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k]!;
      const g = grads.get(t);
      if (!g) continue;
      const isWanted = wanted ? wanted.has(t) : !t.node;
      if (isWanted) out.set(t, createGraph ? g : g.shareAs(g.shape));
      const node = t.node;
      // partial derivatives: a wanted tensor is treated as an independent variable
      if (!node || (partial && isWanted)) continue;
      const gone = node.inputs.find((x) => x.isDisposed);
      if (gone) {
        throw new Error(
          `backward: an input of '${node.prim}' (tensor #${gone.id} ${fmt(gone.shape)} ${gone.dtype}) was disposed before backward; ` +
            'keep the tensors a recorded operation used until backward() has run (a tidy around the whole step does this)',
        );
      }
      const needs = node.inputs.map((x) => x.requiresGrad && isFloat(x.dtype));
      const gin = node.vjp
        ? node.vjp(g, node.inputs, t, needs)
        : (vjps[node.prim as Primitive] as VjpRule<Primitive>)(g, node.inputs, t, node.params as never, needs);
      node.inputs.forEach((x, i) => {
        const gi = gin[i];
        if (!needs[i] || !gi) return;
        const prev = grads.get(x);
        grads.set(x, prev ? prev.add(gi) : gi);
      });
    }
    return out;
  };
  return createGraph ? withGrad(true, run) : tidy(() => withGrad(false, run));
}

/** `root.backward()`: gradients accumulate into `.grad` of every leaf that requires grad. */
export function backward(root: Tensor, seed: Tensor | number | undefined, createGraph: boolean): void {
  const grads = computeGrads(root, seed, createGraph);
  for (const [leaf, g] of grads) {
    const old = leaf.grad;
    if (old) {
      leaf.grad = keep(withGrad(createGraph, () => old.add(g)));
      old.dispose();
      if (!createGraph) g.dispose();
    } else {
      leaf.grad = keep(g);
    }
  }
}

/**
 * Gradients of a scalar `output` with respect to `inputs`, leaving every `.grad` untouched;
 * `createGraph` allows higher order. With `partial`, each input is an independent variable: paths
 * from one input through another are not followed (a fused op's VJP needs exactly this).
 */
export function grad(output: Tensor, inputs: Tensor[], opts: { createGraph?: boolean; partial?: boolean } = {}): Tensor[] {
  const grads = computeGrads(output, undefined, opts.createGraph ?? false, new Set(inputs), opts.partial ?? false);
  return inputs.map((x) => grads.get(x) ?? ops.zeros(x.shape, x.dtype, x.device));
}
