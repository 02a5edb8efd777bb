import { UsageError } from '@grokkit/eval/node';
import { expect } from 'vitest';

/** The message of the UsageError that `parse(argv)` throws; fails the test when it accepts `argv`. */
export function usageError(parse: (argv: string[]) => unknown, argv: string[]): string {
  try {
    parse(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}
