import { Tensor, checks } from '@grokkit/core';

/** Predictions as class ids ([n], any int array or tensor) or logits (a float tensor [n, classes]). */
export type Predictions = Tensor | ArrayLike<number>;

export interface SubclassAccuracy {
  /** Accuracy over all examples. */
  overall: number;
  /** Accuracy per subclass id (NaN where a subclass has no examples). */
  perSubclass: number[];
  /** Examples per subclass id. */
  counts: number[];
  /** Accuracy per class label (NaN where a class has no examples). */
  perClass: number[];
}

function hostInts(name: string, x: Tensor | ArrayLike<number>): ArrayLike<number> {
  if (x instanceof Tensor) {
    if (x.ndim !== 1) throw new Error(`perSubclassAccuracy: expected ${name} to be 1-D, got shape [${x.shape.join(', ')}]`);
    return x.dataSync();
  }
  return x;
}

function classIds(pred: Predictions, n: number): ArrayLike<number> {
  if (!(pred instanceof Tensor) || pred.ndim === 1) return hostInts('pred', pred);
  if (pred.ndim !== 2 || pred.shape[0] !== n) {
    throw new Error(`perSubclassAccuracy: expected pred as [${n}] class ids or [${n}, classes] logits, got shape [${pred.shape.join(', ')}]`);
  }
  const c = pred.shape[1]!;
  const v = pred.dataSync();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (v[i * c + j]! > v[i * c + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/**
 * Accuracy overall, per subclass and per class, e.g. to see whether a removed subclass is
 * recognised. `nSubclasses` sizes the per-subclass table (default: largest id + 1).
 */
export function perSubclassAccuracy(pred: Predictions, labels: Tensor | ArrayLike<number>, subclasses: Tensor | ArrayLike<number>, nSubclasses?: number): SubclassAccuracy {
  const y = hostInts('labels', labels);
  const sub = hostInts('subclasses', subclasses);
  const n = y.length;
  if (sub.length !== n) throw new Error(`perSubclassAccuracy: labels has ${n} entries but subclasses has ${sub.length}`);
  const yhat = classIds(pred, n);
  if (yhat.length !== n) throw new Error(`perSubclassAccuracy: labels has ${n} entries but pred has ${yhat.length}`);
  let maxSub = -1;
  let maxCls = -1;
  for (let i = 0; i < n; i++) {
    if (!(sub[i]! >= 0) || !Number.isInteger(sub[i])) throw new Error(`perSubclassAccuracy: subclass ids must be integers ≥ 0, got ${checks.show(sub[i])} at ${i}`);
    maxSub = Math.max(maxSub, sub[i]!);
    maxCls = Math.max(maxCls, y[i]!);
  }
  const ns = nSubclasses ?? maxSub + 1;
  if (maxSub >= ns) throw new Error(`perSubclassAccuracy: subclass id ${maxSub} is outside 0..${ns - 1}`);
  const counts = new Array<number>(ns).fill(0);
  const hits = new Array<number>(ns).fill(0);
  const clsCounts = new Array<number>(maxCls + 1).fill(0);
  const clsHits = new Array<number>(maxCls + 1).fill(0);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const ok = yhat[i] === y[i] ? 1 : 0;
    correct += ok;
    counts[sub[i]!]!++;
    hits[sub[i]!]! += ok;
    clsCounts[y[i]!]!++;
    clsHits[y[i]!]! += ok;
  }
  return {
    overall: n === 0 ? NaN : correct / n,
    perSubclass: hits.map((h, s) => (counts[s]! === 0 ? NaN : h / counts[s]!)),
    counts,
    perClass: clsHits.map((h, k) => (clsCounts[k]! === 0 ? NaN : h / clsCounts[k]!)),
  };
}
