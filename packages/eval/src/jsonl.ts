/**
 * JSON Lines: one JSON object per line. Non-finite numbers (NaN, ±Infinity) are written as
 * `null`, as JSON.stringify does, so a reader sees `null` where a metric was undefined.
 */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r) + '\n').join('');
}

/** Parse JSON Lines text; blank lines are skipped, a bad line throws naming its line number. */
export function parseJsonl<T = Record<string, unknown>>(text: string): T[] {
  const out: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as T);
    } catch (e) {
      throw new Error(`jsonl: line ${i + 1} is not valid JSON (${(e as Error).message}): ${line.slice(0, 80)}`);
    }
  });
  return out;
}
