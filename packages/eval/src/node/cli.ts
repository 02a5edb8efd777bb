import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { folderProblem } from './make-dir.js';
import { UsageError } from './usage-error.js';

interface Described {
  /** One line for `--help`. */
  description: string;
  /** Shown in `--help` instead of the default, e.g. 'per arm: 0 (none), 0.005 (ema)'. */
  defaultText?: string;
  /** The value's name in `--help` (default: N for integers, X for numbers, S for strings, DIR for folders). */
  placeholder?: string;
}

/** An integer or a number (finite), or with `list: true` a comma-separated list of them. */
export interface NumberOption extends Described {
  type: 'int' | 'number';
  list?: boolean;
  default?: number | readonly number[];
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  above?: number;
  below?: number;
}

/** A string, or with `list: true` a comma-separated list of strings. */
export interface StringOption extends Described {
  type: 'string';
  list?: boolean;
  default?: string | readonly string[];
}

/** One of `choices`, or with `list: true` a comma-separated list of them. */
export interface EnumOption extends Described {
  type: 'enum';
  choices: readonly string[];
  list?: boolean;
  default?: string | readonly string[];
}

/** A flag without a value: true when given, false otherwise. */
export interface BoolOption extends Described {
  type: 'bool';
}

/**
 * A folder to write into, as an absolute path. Parsing checks that it is not a file and that its
 * nearest existing parent is a writable folder; `makeDir` creates it.
 */
export interface DirOption extends Described {
  type: 'dir';
  default?: string;
}

export type CliOption = NumberOption | StringOption | EnumOption | BoolOption | DirOption;

type Scalar<S> = S extends { type: 'int' | 'number' }
  ? number
  : S extends { type: 'enum'; choices: readonly (infer C)[] }
    ? C
    : S extends { type: 'bool' }
      ? boolean
      : string;
type ValueOf<S> = S extends { list: true } ? Scalar<S>[] : Scalar<S>;
type Always<S> = S extends { type: 'bool' } ? true : S extends { default: unknown } ? true : false;

/** The parsed values, one per option (camelCase keys, as declared); options without a default may be undefined. */
export type CliValues<O extends Record<string, CliOption>> = {
  -readonly [K in keyof O]: Always<O[K]> extends true ? ValueOf<O[K]> : ValueOf<O[K]> | undefined;
};

export interface CliSpec<O extends Record<string, CliOption>> {
  /** Prefix of every error line, e.g. 'grokfast'. */
  name: string;
  /** How to run it, e.g. 'npx tsx examples/grokfast/main.ts [options]'. */
  usage: string;
  /** What the program does: the first lines of `--help`. */
  description: string;
  /** Each option once; the key in camelCase gives the flag in kebab-case (`evalEvery` → `--eval-every`). */
  options: O;
  /** Checks across options (e.g. a head count that must divide the width): the message of what is wrong, or undefined. */
  check?(values: CliValues<O>): string | undefined;
  /** More text after the options in `--help` (outputs, examples). */
  notes?: string;
}

/** A command line parser from `defineCli`. */
export interface Cli<O extends Record<string, CliOption>> {
  readonly spec: CliSpec<O>;
  /**
   * The values of `argv` (the arguments after the script): throws a UsageError whose message is
   * one line for an unknown flag, a positional argument, a missing or malformed value, a number out
   * of range, a bad list or a failed `check`. `help` is true when `-h`/`--help` was given (then
   * nothing else is checked).
   */
  parse(argv: readonly string[]): CliValues<O> & { help: boolean };
  /** The `--help` text: the description, usage, and every flag with its description and default. */
  help(): string;
  /**
   * Run a program: parse `argv` (default: this process's), print the help and return on `--help`,
   * else call `main` with the values. A UsageError (from parsing or from `main`) prints
   * `<name>: <message>` on stderr and sets exit code 2; any other error prints the same line (and
   * its stack when the environment has GROKKIT_DEBUG=1) and sets exit code 1.
   */
  run(main: (values: CliValues<O>) => unknown, argv?: readonly string[]): Promise<void>;
}

/** The flag of an option name: `evalEvery` → `--eval-every`. */
export const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

const plural: Record<CliOption['type'], string> = { int: 'integers', number: 'numbers', string: 'strings', enum: 'values', bool: '', dir: '' };

/** What a value of this option must be, e.g. "an integer ≥ 1", "a number ≥ 0 and < 1", "none, ema or ma". */
function expected(o: CliOption, one = !('list' in o && o.list)): string {
  if (!one) return `a comma-separated list of ${o.type === 'enum' ? `${expected(o, true)}` : `${plural[o.type]}${bounds(o)}`}`;
  switch (o.type) {
    case 'int':
      return `an integer${bounds(o)}`;
    case 'number':
      return `a number${bounds(o)}`;
    case 'enum':
      return o.choices.length === 1 ? o.choices[0]! : `${o.choices.slice(0, -1).join(', ')} or ${o.choices[o.choices.length - 1]}`;
    case 'dir':
      return 'a folder to write into';
    case 'bool':
      return 'no value';
    default:
      return 'a string';
  }
}

function bounds(o: CliOption): string {
  if (o.type !== 'int' && o.type !== 'number') return '';
  const parts = [
    o.min !== undefined ? `≥ ${o.min}` : undefined,
    o.above !== undefined ? `> ${o.above}` : undefined,
    o.max !== undefined ? `≤ ${o.max}` : undefined,
    o.below !== undefined ? `< ${o.below}` : undefined,
  ].filter(Boolean);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

// Decimal numbers only: no '', 'Infinity', 'NaN', hex or surrounding spaces (Number() accepts those).
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One item of a value, or the reason it is not one (a message fragment). */
function item(o: CliOption, text: string): { value: unknown } | { error: string } {
  if (o.type === 'int' || o.type === 'number') {
    const x = Number(text);
    if (!DECIMAL.test(text) || !Number.isFinite(x)) return { error: 'not a finite number' };
    if (o.type === 'int' && !Number.isSafeInteger(x)) return { error: 'not an integer' };
    if ((o.min !== undefined && x < o.min) || (o.above !== undefined && !(x > o.above)) || (o.max !== undefined && x > o.max) || (o.below !== undefined && !(x < o.below))) {
      return { error: 'out of range' };
    }
    return { value: x };
  }
  if (o.type === 'enum' && !o.choices.includes(text)) return { error: 'not one of the choices' };
  if (text === '') return { error: 'empty' };
  return { value: text };
}

/** The value of one option from its text, or a UsageError saying what was expected and what was given. */
function convert(key: string, o: CliOption, text: string): unknown {
  const flag = flagOf(key);
  const fail = (why?: string) => new UsageError(`${flag}: expected ${expected(o)}, got '${text}'${why ? ` (${why})` : ''}`);
  if (o.type === 'dir') {
    if (text === '') throw fail();
    const problem = folderProblem(text);
    if (problem) throw new UsageError(`${flag}: ${problem}`);
    return resolve(text);
  }
  if (!('list' in o && o.list)) {
    const r = item(o, text);
    if ('error' in r) throw fail();
    return r.value;
  }
  if (text.trim() === '') throw fail('an empty list');
  const parts = text.split(',').map((s) => s.trim());
  const values: unknown[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === '') throw fail(`item ${i + 1} is empty`);
    const r = item(o, part);
    if ('error' in r) throw fail(`'${part}' is ${r.error}`);
    if (values.includes(r.value)) throw fail(`'${part}' is given twice`);
    values.push(r.value);
  }
  return values;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}

function defaultText(o: CliOption): string | undefined {
  if (o.defaultText !== undefined) return o.defaultText;
  if (o.type === 'bool' || o.default === undefined) return undefined;
  return Array.isArray(o.default) ? o.default.join(',') : String(o.default);
}

function placeholder(o: CliOption): string {
  if (o.placeholder !== undefined) return o.placeholder;
  if (o.type === 'bool') return '';
  if (o.type === 'enum') return o.list ? `${o.choices.join('|')},…` : o.choices.join('|');
  const one = { int: 'N', number: 'X', string: 'S', dir: 'DIR' }[o.type];
  return 'list' in o && o.list ? `${one},…` : one;
}

/**
 * A command line parser for an experiment: each option declared once — type, default, range and a
 * one-line description — gives parsing, validation with one-line errors, and `--help`. Built on
 * node:util's `parseArgs` (`--flag value`, `--flag=value`, `-h`).
 *
 * ```ts
 * const cli = defineCli({
 *   name: 'my-experiment',
 *   usage: 'npx tsx my-experiment.ts [options]',
 *   description: 'Train a small model on x + y mod p.',
 *   options: {
 *     steps: { type: 'int', default: 1000, min: 1, description: 'optimizer steps' },
 *     lr: { type: 'number', default: 1e-3, above: 0, description: 'learning rate' },
 *     seeds: { type: 'int', list: true, default: [0, 1, 2], min: 0, description: 'seeds to run' },
 *     out: { type: 'dir', default: 'runs/my-experiment', description: 'output folder' },
 *   },
 * });
 * await cli.run(async ({ steps, lr, seeds, out }) => { ... });
 * ```
 */
export function defineCli<const O extends Record<string, CliOption>>(spec: CliSpec<O>): Cli<O> {
  const entries = Object.entries(spec.options) as [string, CliOption][];
  const byFlag = new Map(entries.map(([k, o]) => [flagOf(k).slice(2), [k, o] as const]));
  for (const [k, o] of entries) {
    if (!/^[a-z][a-zA-Z0-9]*$/.test(k) || k === 'help') throw new Error(`defineCli: expected option names in camelCase other than 'help', got '${k}'`);
    if (o.type === 'enum' && o.choices.length === 0) throw new Error(`defineCli: option '${k}' has no choices`);
  }

  const parse = (argv: readonly string[]): CliValues<O> & { help: boolean } => {
    const { tokens } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, tokens: true, options: Object.fromEntries(entries.map(([k, o]) => [flagOf(k).slice(2), { type: o.type === 'bool' ? 'boolean' : 'string' }])) });
    const values: Record<string, unknown> = {};
    for (const [k, o] of entries) {
      const d = o.type === 'bool' ? false : o.default;
      values[k] = o.type === 'dir' && typeof d === 'string' ? resolve(d) : Array.isArray(d) ? [...d] : d;
    }
    if (tokens.some((t) => t.kind === 'option' && (t.name === 'help' || t.name === 'h'))) return { ...(values as CliValues<O>), help: true };
    const given = new Map<string, string>();
    for (const t of tokens) {
      if (t.kind === 'positional') throw new UsageError(`expected only --options (see --help), got the argument '${t.value}'`);
      if (t.kind === 'option-terminator') continue;
      const known = byFlag.get(t.name);
      if (!known) {
        const near = [...byFlag.keys()].filter((f) => distance(f, t.name) <= (t.name.length >= 6 ? 2 : t.name.length >= 3 ? 1 : 0)).sort((a, b) => distance(a, t.name) - distance(b, t.name))[0];
        throw new UsageError(`expected one of the options in --help, got '${t.rawName}'${near ? ` (did you mean --${near}?)` : ''}`);
      }
      const [key, o] = known;
      const flag = flagOf(key);
      const shown = t.inlineValue ? `${t.rawName}=${t.value}` : t.rawName;
      if (given.has(key)) throw new UsageError(`${flag}: expected once, got it twice ('${given.get(key)}', then '${shown}')`);
      given.set(key, shown);
      if (o.type === 'bool') {
        if (t.value !== undefined) throw new UsageError(`${flag}: expected no value, got '${shown}'`);
        values[key] = true;
        continue;
      }
      // a following --option (one of ours) is not a value: the value is missing
      const next = t.value;
      if (next === undefined || (!t.inlineValue && /^--?[a-zA-Z]/.test(next) && (byFlag.has(next.replace(/^--?/, '').split('=')[0]!) || next === '-h' || next === '--help'))) {
        throw new UsageError(`${flag}: expected ${expected(o)}, got nothing`);
      }
      values[key] = convert(key, o, next);
    }
    const problem = spec.check?.(values as CliValues<O>);
    if (problem) throw new UsageError(problem);
    return { ...(values as CliValues<O>), help: false };
  };

  const help = (): string => {
    const rows = entries.map(([k, o]) => {
      const ph = placeholder(o);
      const d = defaultText(o);
      return [`${flagOf(k)}${ph ? ` ${ph}` : ''}`, `${o.description}${d !== undefined ? ` (default: ${d})` : ''}`] as const;
    });
    rows.push(['-h, --help', 'print this help and exit']);
    const width = Math.min(28, Math.max(...rows.map(([f]) => f.length)));
    const lines = rows.map(([f, d]) => (f.length > width ? `  ${f}\n  ${' '.repeat(width)}  ${d}` : `  ${f.padEnd(width)}  ${d}`));
    return [spec.description.trim(), '', `usage: ${spec.usage}`, '', 'options:', ...lines, ...(spec.notes ? ['', spec.notes.trim()] : [])].join('\n') + '\n';
  };

  const fail = (e: unknown, code: number) => {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`${spec.name}: ${message}\n`);
    if (code !== 2 && process.env.GROKKIT_DEBUG === '1' && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exitCode = code;
  };

  const run = async (main: (values: CliValues<O>) => unknown, argv: readonly string[] = process.argv.slice(2)): Promise<void> => {
    let values: CliValues<O> & { help: boolean };
    try {
      values = parse(argv);
    } catch (e) {
      if (e instanceof UsageError) return fail(e, 2);
      throw e;
    }
    if (values.help) {
      process.stdout.write(help());
      return;
    }
    const { help: _help, ...rest } = values;
    try {
      await main(rest as unknown as CliValues<O>);
    } catch (e) {
      fail(e, e instanceof UsageError ? 2 : 1);
    }
  };

  return { spec, parse, help, run };
}
