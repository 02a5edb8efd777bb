/**
 * JSON that keeps every number: NaN, ±Infinity and -0 (which JSON turns into null or 0) travel as
 * tagged objects, so a result that crossed Redis equals the one a worker thread would have posted.
 */
const TAG = '$grokkit:number';

export function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { [TAG]: Object.is(v, -0) ? '-0' : String(v) };
    if (typeof v === 'bigint') throw new Error(`expected JSON-safe values (numbers, strings, booleans, arrays, plain objects), got the bigint ${v}n`);
    return v;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === TAG) return Number((v as Record<string, string>)[TAG]);
    }
    return v;
  });
}
