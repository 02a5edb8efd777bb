import { fmt } from '../shape.js';
import { Tensor, noGrad } from '../tensor.js';

/** Named parameters, in a stable order ("layers.0.attn.qkv.weight"). */
export type Params = Record<string, Tensor>;

/**
 * Base class of every layer. Parameters are the Tensor fields that require grad; submodules are
 * Module fields and arrays of Modules. Names follow field order, so they are stable across runs.
 */
export abstract class Module {
  training = true;

  /** Every parameter with its dotted name. */
  namedParameters(prefix = ''): Params {
    const out: Params = {};
    for (const [k, v] of Object.entries(this)) {
      const name = prefix + k;
      if (v instanceof Tensor) {
        if (v.requiresGrad && v.isLeaf) out[name] = v;
      } else if (v instanceof Module) {
        Object.assign(out, v.namedParameters(name + '.'));
      } else if (Array.isArray(v)) {
        v.forEach((m, i) => {
          if (m instanceof Module) Object.assign(out, m.namedParameters(`${name}.${i}.`));
        });
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return Object.values(this.namedParameters());
  }

  /** Total number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((a, p) => a + p.size, 0);
  }

  children(): Module[] {
    const out: Module[] = [];
    for (const v of Object.values(this)) {
      if (v instanceof Module) out.push(v);
      else if (Array.isArray(v)) for (const m of v) if (m instanceof Module) out.push(m);
    }
    return out;
  }

  /** Training mode (dropout on) or evaluation mode, recursively. */
  train(on = true): this {
    this.training = on;
    for (const c of this.children()) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Copy values from `state` into the parameters; every name must match in shape and dtype (checked before anything changes). */
  loadStateDict(state: Params): void {
    const params = this.namedParameters();
    const missing = Object.keys(params).filter((k) => !(k in state));
    const extra = Object.keys(state).filter((k) => !(k in params));
    if (missing.length || extra.length) {
      throw new Error(`loadStateDict: parameter names differ (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`);
    }
    for (const [k, p] of Object.entries(params)) {
      const s = state[k]!;
      if (s.dtype !== p.dtype || s.shape.join() !== p.shape.join()) {
        throw new Error(`loadStateDict: '${k}' expected ${fmt(p.shape)} ${p.dtype}, got ${fmt(s.shape)} ${s.dtype}`);
      }
    }
    noGrad(() => {
      for (const [k, p] of Object.entries(params)) p.assign(state[k]!);
    });
  }
}
