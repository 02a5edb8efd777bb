/** Warnings for names and signatures kept for one release after they were replaced. */

const warned = new Set<string>();

/**
 * Warn once per process that `what` is deprecated and what to use `instead`. Later calls with
 * the same `what` are silent, so a deprecated call inside a training loop warns one time.
 */
export function warnDeprecated(what: string, instead: string): void {
  if (warned.has(what)) return;
  warned.add(what);
  console.warn(`[grokkit] ${what} is deprecated and will be removed in the next minor release; ${instead}`);
}
