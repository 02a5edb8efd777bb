import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineCli, UsageError } from '../src/node/index.js';

const cli = defineCli({
  name: 'demo',
  usage: 'npx tsx demo.ts [options]',
  description: 'A demo experiment.',
  options: {
    steps: { type: 'int', default: 100, min: 1, description: 'optimizer steps' },
    lr: { type: 'number', default: 1e-3, above: 0, description: 'learning rate' },
    alpha: { type: 'number', default: 0.98, min: 0, below: 1, description: 'EMA decay' },
    weightDecay: { type: 'number', min: 0, defaultText: 'per arm: 0 (none), 0.005 (ema)', description: 'weight decay' },
    seeds: { type: 'int', list: true, default: [0], min: 0, description: 'seeds to run' },
    f: { type: 'number', list: true, default: [0, 1], min: 0, max: 1, description: 'down-sampling factors' },
    filter: { type: 'enum', choices: ['none', 'ema', 'ma'], list: true, default: ['none', 'ema'], description: 'arms' },
    progress: { type: 'enum', choices: ['auto', 'lines', 'false'], default: 'auto', description: 'progress display' },
    tag: { type: 'string', description: 'a label' },
    width: { type: 'int', default: 8, min: 1, description: 'model width' },
    heads: { type: 'int', default: 2, min: 1, description: 'attention heads' },
    out: { type: 'dir', default: 'runs/demo', description: 'output folder' },
    resume: { type: 'bool', description: 'continue the run in --out' },
  },
  check: (v) => (v.width % v.heads === 0 ? undefined : `--heads: expected a divisor of --width ${v.width}, got ${v.heads}`),
});

const error = (argv: string[]): string => {
  try {
    cli.parse(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const m = (e as Error).message;
    expect(m.split('\n')).toHaveLength(1);
    return m;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
};

describe('defineCli', () => {
  it('gives the defaults, typed, with flags in kebab-case', () => {
    const v = cli.parse([]);
    const steps: number = v.steps;
    const filters: ('none' | 'ema' | 'ma')[] = v.filter;
    const tag: string | undefined = v.tag;
    expect({ steps, filters, tag }).toEqual({ steps: 100, filters: ['none', 'ema'], tag: undefined });
    expect(v).toMatchObject({ lr: 1e-3, seeds: [0], f: [0, 1], progress: 'auto', weightDecay: undefined, resume: false, help: false, out: resolve('runs/demo') });
  });

  it('parses --flag value, --flag=value, negative-looking values, lists and bools', () => {
    const v = cli.parse(['--steps', '1e3', '--lr=0.5', '--weight-decay', '0', '--seeds', '0, 1,2', '--f', '0.25', '--filter', 'ma', '--tag', 'x', '--resume', '--width', '12', '--heads', '3']);
    expect(v).toMatchObject({ steps: 1000, lr: 0.5, weightDecay: 0, seeds: [0, 1, 2], f: [0.25], filter: ['ma'], tag: 'x', resume: true, width: 12, heads: 3 });
  });

  it('rejects unknown flags (suggesting a near one) and positional arguments', () => {
    expect(error(['--step', '5'])).toBe("expected one of the options in --help, got '--step' (did you mean --steps?)");
    expect(error(['--bogus'])).toBe("expected one of the options in --help, got '--bogus'");
    expect(error(['-x'])).toBe("expected one of the options in --help, got '-x'");
    expect(error(['extra'])).toBe("expected only --options (see --help), got the argument 'extra'");
  });

  it('rejects missing values, also when the next word is another flag', () => {
    expect(error(['--steps'])).toBe('--steps: expected an integer ≥ 1, got nothing');
    expect(error(['--tag', '--resume'])).toBe('--tag: expected a string, got nothing');
    expect(error(['--resume=yes'])).toBe("--resume: expected no value, got '--resume=yes'");
  });

  it('rejects non-finite, malformed and out-of-range numbers', () => {
    expect(error(['--steps', '-1'])).toBe("--steps: expected an integer ≥ 1, got '-1'");
    expect(error(['--steps', '2.5'])).toBe("--steps: expected an integer ≥ 1, got '2.5'");
    expect(error(['--lr', 'Infinity'])).toBe("--lr: expected a number > 0, got 'Infinity'");
    expect(error(['--lr', 'NaN'])).toBe("--lr: expected a number > 0, got 'NaN'");
    expect(error(['--lr=-1'])).toBe("--lr: expected a number > 0, got '-1'");
    expect(error(['--lr', '0'])).toBe("--lr: expected a number > 0, got '0'");
    expect(error(['--lr', ''])).toBe("--lr: expected a number > 0, got ''");
    expect(error(['--lr', '0x10'])).toBe("--lr: expected a number > 0, got '0x10'");
    expect(error(['--alpha', '5'])).toBe("--alpha: expected a number ≥ 0 and < 1, got '5'");
    expect(error(['--alpha', '1'])).toBe("--alpha: expected a number ≥ 0 and < 1, got '1'");
  });

  it('rejects empty lists, empty items, bad items and repeats', () => {
    expect(error(['--seeds', ''])).toBe("--seeds: expected a comma-separated list of integers ≥ 0, got '' (an empty list)");
    expect(error(['--seeds', '1,,2'])).toBe("--seeds: expected a comma-separated list of integers ≥ 0, got '1,,2' (item 2 is empty)");
    expect(error(['--seeds', '1,-2'])).toBe("--seeds: expected a comma-separated list of integers ≥ 0, got '1,-2' ('-2' is out of range)");
    expect(error(['--seeds', '1,1'])).toBe("--seeds: expected a comma-separated list of integers ≥ 0, got '1,1' ('1' is given twice)");
    expect(error(['--f', ''])).toBe("--f: expected a comma-separated list of numbers ≥ 0 and ≤ 1, got '' (an empty list)");
    expect(error(['--f', '0,2'])).toBe("--f: expected a comma-separated list of numbers ≥ 0 and ≤ 1, got '0,2' ('2' is out of range)");
    expect(error(['--filter', 'ema,sgd'])).toBe("--filter: expected a comma-separated list of none, ema or ma, got 'ema,sgd' ('sgd' is not one of the choices)");
  });

  it('rejects bad enum values, a flag given twice, and inconsistent values', () => {
    expect(error(['--progress', 'bar'])).toBe("--progress: expected auto, lines or false, got 'bar'");
    expect(error(['--lr', '1', '--lr=2'])).toBe("--lr: expected once, got it twice ('--lr', then '--lr=2')");
    expect(error(['--heads', '3'])).toBe('--heads: expected a divisor of --width 8, got 3');
  });

  it('checks --out: a file, a path through a file, an unwritable parent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    expect(cli.parse(['--out', join(dir, 'a', 'b')]).out).toBe(join(dir, 'a', 'b'));
    expect(error(['--out', file])).toBe(`--out: expected a folder, got '${file}', which is a file`);
    expect(error(['--out', join(file, 'sub')])).toBe(`--out: expected a folder path, got '${join(file, 'sub')}', but '${file}' is a file`);
    expect(error(['--out', ''])).toBe("--out: expected a folder to write into, got ''");
  });

  it('prints the description and every flag with its default on --help, whatever else is given', () => {
    expect(cli.parse(['--bogus', '-h']).help).toBe(true);
    const text = cli.help();
    expect(text.startsWith('A demo experiment.\n\nusage: npx tsx demo.ts [options]\n')).toBe(true);
    expect(text).toMatch(/^ {2}--steps N +optimizer steps \(default: 100\)$/m);
    expect(text).toMatch(/^ {2}--weight-decay X +weight decay \(default: per arm: 0 \(none\), 0\.005 \(ema\)\)$/m);
    expect(text).toMatch(/^ {2}--seeds N,… +seeds to run \(default: 0\)$/m);
    expect(text).toMatch(/^ {2}--filter none\|ema\|ma,… +arms \(default: none,ema\)$/m);
    expect(text).toMatch(/^ {2}--progress auto\|lines\|false +progress display \(default: auto\)$/m);
    expect(text).toMatch(/^ {2}--resume +continue the run in --out$/m);
    expect(text).toMatch(/^ {2}-h, --help +print this help and exit$/m);
    for (const k of Object.keys(cli.spec.options)) expect(text).toContain(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  });

  it('refuses option names it could not turn into flags', () => {
    expect(() => defineCli({ name: 'x', usage: 'x', description: 'x', options: { 'eval-every': { type: 'int', description: 'x' } } })).toThrow(/camelCase/);
    expect(() => defineCli({ name: 'x', usage: 'x', description: 'x', options: { help: { type: 'bool', description: 'x' } } })).toThrow(/other than 'help'/);
  });
});

describe('defineCli run', () => {
  const stderr: string[] = [];
  const stdout: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = 0;
    stderr.length = stdout.length = 0;
  });
  const capture = () => {
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
  };

  it('prints one line and sets exit code 2 for bad input, without calling main', async () => {
    capture();
    const main = vi.fn();
    await cli.run(main, ['--lr', 'Infinity']);
    expect(main).not.toHaveBeenCalled();
    expect(stderr.join('')).toBe("demo: --lr: expected a number > 0, got 'Infinity'\n");
    expect(process.exitCode).toBe(2);
  });

  it('prints help on stdout and exits 0', async () => {
    capture();
    const main = vi.fn();
    await cli.run(main, ['--help']);
    expect(main).not.toHaveBeenCalled();
    expect(stdout.join('')).toBe(cli.help());
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('passes the values to main; a UsageError from main exits 2, another error 1, each as one line', async () => {
    capture();
    let seen: unknown;
    await cli.run((v) => void (seen = v.steps), ['--steps', '7']);
    expect(seen).toBe(7);
    await cli.run(() => {
      throw new UsageError('--out: expected a free folder, got a locked one');
    }, []);
    expect(process.exitCode).toBe(2);
    await cli.run(async () => {
      throw new Error('all 3 runs failed');
    }, []);
    expect(process.exitCode).toBe(1);
    expect(stderr.join('')).toBe('demo: --out: expected a free folder, got a locked one\ndemo: all 3 runs failed\n');
  });
});
