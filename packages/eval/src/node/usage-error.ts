/**
 * A mistake in what was asked for — a flag, an option, a folder — as opposed to a failure while
 * running. Its message is one line saying what was expected and what was given; a CLI built with
 * `defineCli` prints it alone (no stack) and exits with code 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
