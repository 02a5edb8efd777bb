import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usageError } from './usage-error.js';
import { cli, main, parse } from '../grokfast/main.js';

const examples = fileURLToPath(new URL('..', import.meta.url));
const script = join(examples, 'grokfast', 'main.ts');
const tmp = () => mkdtempSync(join(tmpdir(), 'grokfast-cli-'));
/** Run the CLI as a user would (one node process, TypeScript through tsx). */
const runCli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: examples, encoding: 'utf8' });
const parseError = (argv: string[]) => usageError(parse, argv);

const TINY = ['--p', '7', '--dim', '16', '--depth', '1', '--batch', '8', '--eval-every', '5', '--until', '2', '--progress', 'false'];
/** A summary without its timings, which differ from run to run. */
const untimed = (s: { runs: Record<string, unknown>[]; speedups: unknown }) => ({ ...s, runs: s.runs.map(({ wallSeconds: _w, msPerStep: _m, ...r }) => r) });
/** A log's rows without their wall times. */
const logOf = (dir: string) => readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => {
  const { wallSeconds: _w, ...r } = JSON.parse(l) as Record<string, unknown>;
  return r;
});

describe('examples/grokfast command line', () => {
  it('rejects bad input with one line saying what was expected and what was given', () => {
    expect(parseError(['--steps', '-1'])).toBe("--steps: expected an integer ≥ 1, got '-1'");
    expect(parseError(['--lr', 'Infinity'])).toBe("--lr: expected a number > 0, got 'Infinity'");
    expect(parseError(['--alpha', '5'])).toBe("--alpha: expected a number ≥ 0 and < 1, got '5'");
    expect(parseError(['--run-timeout', '5'])).toBe('--run-timeout: expected --queue too (arms in this process cannot be stopped), got --run-timeout 5 alone');
    expect(parseError(['--queue', 'http://:secret@h:1'])).toBe("--queue: expected a redis:// or rediss:// URL, got 'http://:***@h:1/'");
    expect(parseError(['--seeds', ''])).toBe("--seeds: expected a comma-separated list of integers ≥ 0, got '' (an empty list)");
    expect(parseError(['--seeds', '1,,2'])).toBe("--seeds: expected a comma-separated list of integers ≥ 0, got '1,,2' (item 2 is empty)");
    expect(parseError(['--filter', 'ema,sgd'])).toMatch(/^--filter: expected a comma-separated list of none, ema or ma, got 'ema,sgd'/);
    expect(parseError(['--dim', '30'])).toBe("--dim: expected a multiple of the model's 4 heads, got 30");
    expect(parseError(['--op', 'div', '--p', '10'])).toBe('--p: expected a prime for --op div (it divides by y), got 10');
    expect(parseError(['--window'])).toBe('--window: expected an integer ≥ 1, got nothing');
    expect(parseError(['--seed', '1'])).toBe("expected one of the options in --help, got '--seed' (did you mean --seeds?)");
    expect(parseError(['run'])).toBe("expected only --options (see --help), got the argument 'run'");
    const file = join(tmp(), 'f');
    writeFileSync(file, '');
    expect(parseError(['--out', file])).toBe(`--out: expected a folder, got '${file}', which is a file`);
  });

  it('lists every flag with its default in --help, the per-arm hyperparameters included', () => {
    const text = cli.help();
    expect(text).toMatch(/--weight-decay X +Adam's L2 weight decay, for every arm \(default: per arm as in the paper: none 0, ema 0\.005, ma 0\.01\)/);
    expect(text).toMatch(/--lamb X +λ, .* \(default: per arm as in the paper: ema 2, ma 5\)/);
    expect(text).toMatch(/--alpha X +α, the EMA decay \(ema arm\) \(default: 0\.98\)/);
    expect(text).toMatch(/--window N +window of the moving average, in steps \(ma arm\) \(default: 100\)/);
    for (const flag of ['--filter', '--seeds', '--steps', '--until', '--p', '--op', '--dim', '--depth', '--batch', '--lr', '--eval-every', '--checkpoint-every', '--out', '--resume', '--overwrite', '--progress', '--help']) {
      expect(text).toContain(flag);
    }
  });

  it.runIf(existsSync('/proc/self'))('exits at once with code 2 and one line on stderr, no stack, for --out /proc/x (it used to spin forever)', () => {
    const r = runCli(['--out', '/proc/grokkit-x', '--steps', '1']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: "grokfast: --out: expected a folder that can be created, got '/proc/grokkit-x' (mkdir '/proc/grokkit-x': ENOENT)\n" });
  });

  it('refuses an --out another run is using, or that holds a previous run, unless resumed with the same settings or overwritten', async () => {
    const out = tmp();
    const o = parse([...TINY, '--steps', '10', '--filter', 'ema', '--out', out]);
    const running = main(o);
    await expect(main(o)).rejects.toThrow(/but a run of this process is using it/);
    const first = await running;
    expect(logOf(join(out, 'ema-seed0')).map((r) => r.step)).toEqual([0, 5, 10]);
    await expect(main(o)).rejects.toThrow(/which holds one \(settings\.json\); continue it with --resume, replace it with --overwrite/);
    await expect(main(parse([...TINY, '--steps', '20', '--filter', 'ema', '--out', out, '--resume']))).rejects.toThrow(
      `expected --resume with the settings of the run in '${out}', got different ones: steps 10 → 20`,
    );
    expect(untimed(await main(parse([...TINY, '--steps', '10', '--filter', 'ema', '--out', out, '--resume'])))).toEqual(untimed(first));
    expect(untimed(await main(parse([...TINY, '--steps', '10', '--filter', 'ema', '--out', out, '--overwrite'])))).toEqual(untimed(first));
  });

  it('resumes after kill -9 with the same final JSON as an uninterrupted run, without rerunning finished arms', async () => {
    const args = [...TINY, '--steps', '150', '--checkpoint-every', '7'];
    const whole = tmp();
    const expected = await main(parse([...args, '--out', whole]));

    const out = tmp();
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args, '--out', out], { cwd: examples, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // kill it once the last arm (ma) has written its first checkpoint: none and ema are finished then
    const ckpt = join(out, 'ma-seed0', 'checkpoint.safetensors');
    for (const t0 = Date.now(); !existsSync(ckpt) && Date.now() - t0 < 100_000; ) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    expect(await exited).toBe(null);
    const killedAt = logOf(join(out, 'ma-seed0')).at(-1)!.step as number;
    expect(killedAt).toBeLessThan(150);
    expect(existsSync(join(out, 'report.md'))).toBe(false);
    expect(existsSync(join(out, '.grokkit.lock'))).toBe(true);
    const finished = ['none-seed0', 'ema-seed0'].map((a) => statSync(join(out, a, 'checkpoint.safetensors')).mtimeMs);

    const r = runCli([...args, '--out', out, '--resume']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^note: took over the lock of '.*' from pid \d+ since .*, which is no longer running$/m);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(untimed(summary)).toEqual(untimed(expected));
    for (const arm of ['none-seed0', 'ema-seed0', 'ma-seed0']) expect(logOf(join(out, arm))).toEqual(logOf(join(whole, arm)));
    expect(['none-seed0', 'ema-seed0'].map((a) => statSync(join(out, a, 'checkpoint.safetensors')).mtimeMs)).toEqual(finished);
    expect(existsSync(join(out, '.grokkit.lock'))).toBe(false);
  }, 300_000);
});
