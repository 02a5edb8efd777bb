import { Linear, Module, crossEntropy, indexSelect, relu, rng, tensor, type Generator, type Tensor } from '@grokkit/core';

/** A two-layer MLP made from core's Linear. */
export class Mlp extends Module {
  l1: Linear;
  l2: Linear;
  constructor(seed: number, inF = 4, hidden = 16, out = 3) {
    super();
    const g = rng(seed);
    this.l1 = new Linear(inF, hidden, { rng: g });
    this.l2 = new Linear(hidden, out, { rng: g });
  }
  forward(x: Tensor): Tensor {
    return this.l2.forward(relu(this.l1.forward(x)));
  }
}

/** A small classification set: 4-d points, label = argmax of a fixed linear teacher. Returned as plain arrays. */
export function teacherData(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const g = rng(seed);
  const w = Array.from({ length: 12 }, () => g.normal());
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = g.normal();
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += w[c * 4 + j]! * x[i * 4 + j]!;
      if (s > best) {
        best = s;
        y[i] = c;
      }
    }
  }
  return { x, y };
}

/** Loss of a random minibatch drawn with `g`. */
export function batchLoss(model: Mlp, X: Tensor, Y: Tensor, g: Generator, batch: number): Tensor {
  const idx = new Int32Array(batch);
  for (let i = 0; i < batch; i++) idx[i] = g.int(0, X.shape[0]!);
  const it = tensor(idx);
  return crossEntropy(model.forward(indexSelect(X, 0, it)), indexSelect(Y, 0, it));
}

/**
 * A minimal well-formedness check for generated XML/SVG: tags balance and nest, attributes are
 * quoted, and no raw `<` or `&` appears outside tags and entities. Returns the root element name.
 */
export function checkXml(src: string): string {
  const s = src.replace(/^<\?xml[^>]*\?>\s*/, '').replace(/<!DOCTYPE[^>]*>/i, '');
  const stack: string[] = [];
  let root = '';
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const text = s.slice(last, m.index);
    if (/[<>]/.test(text) || /&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text)) throw new Error(`bad text before offset ${m.index}: ${JSON.stringify(text.slice(0, 40))}`);
    last = re.lastIndex;
    if (m[0].startsWith('<!--')) continue;
    const [, close, name, , self] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else if (!self) {
      if (!root) root = name!;
      stack.push(name!);
    } else if (!root) root = name!;
  }
  if (/[<>]/.test(s.slice(last))) throw new Error('unparsed markup at the end');
  if (stack.length) throw new Error(`unclosed: ${stack.join(' > ')}`);
  return root;
}
