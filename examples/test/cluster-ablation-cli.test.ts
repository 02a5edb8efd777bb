import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usageError } from './usage-error.js';
import { cli, clusterAblation, parseCli, type AblationOptions, type AblationSummary } from '../cluster-ablation/main.js';
import { DEFAULTS, run } from '../cluster-ablation/run.js';

const examples = fileURLToPath(new URL('..', import.meta.url));
const script = join(examples, 'cluster-ablation', 'main.ts');
const tmp = () => mkdtempSync(join(tmpdir(), 'cluster-cli-'));
const runCli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: examples, encoding: 'utf8' });
const parseError = (argv: string[]) => usageError(parseCli, argv);

const TINY: AblationOptions = { fs: [0, 0.2], seeds: [0, 1], workers: 0, steps: 40, evalEvery: 10, checkpointEvery: 10, size: 48, testPerSubclass: 5, width: 16, sigma: 0.2, progress: false };
const untimed = ({ wallSeconds: _w, out: _o, ...s }: AblationSummary) => s;

describe('examples/cluster-ablation command line', () => {
  it('rejects bad input with one line saying what was expected and what was given', () => {
    expect(parseError(['--f', ''])).toBe("--f: expected a comma-separated list of numbers ≥ 0 and ≤ 1, got '' (an empty list)");
    expect(parseError(['--f', '0,2'])).toBe("--f: expected a comma-separated list of numbers ≥ 0 and ≤ 1, got '0,2' ('2' is out of range)");
    expect(parseError(['--lr=-1'])).toBe("--lr: expected a number > 0, got '-1'");
    expect(parseError(['--queue', 'localhost:6379'])).toBe("--queue: expected a redis:// or rediss:// URL, got 'localhost:6379'");
    expect(parseError(['--seeds', '1,,2'])).toBe("--seeds: expected a comma-separated list of integers ≥ 0, got '1,,2' (item 2 is empty)");
    expect(parseError(['--model', 'cnn'])).toBe("--model: expected mlp or transformer, got 'cnn'");
    expect(parseError(['--model', 'transformer', '--width', '64', '--heads', '3'])).toBe('--heads: expected a divisor of --width 64, got 3');
    expect(parseError(['--data-seed', 'x'])).toBe("--data-seed: expected a non-negative integer or 'seed', got 'x'");
    expect(parseError(['--run-timeout', '0'])).toBe("--run-timeout: expected a number > 0, got '0'");
  });

  it('prints --help with every flag and its default (exit 0)', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(cli.help());
    expect(r.stdout).toMatch(/--f X,… +down-sampling factors .* \(default: 0,0\.01,0\.2,1\)/);
    expect(r.stdout).toMatch(/--sigma X +σ, .* \(default: [\d.]+\)/);
    expect(r.stdout).toMatch(/--run-timeout SECONDS +time limit of one run.* \(default: none\)/);
  });

  it('runs one seed (--seeds 0), and exits 1 when every run failed (here: over --run-timeout)', () => {
    const out = tmp();
    const r = runCli(['--f', '0', '--seeds', '0', '--steps', '100000', '--run-timeout', '0.2', '--workers', '1', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/run f=0 seed=0 failed: sweep: the run took longer than its time limit of 0.2 s/);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`cluster-ablation: all 1 runs failed (see stderr and ${join(out, 'report.md')})`);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).seeds).toEqual([0]);
  }, 120_000);

  it('resumes: an interrupted run continues from its checkpoint, finished runs are not rerun, and the summary is that of an uninterrupted ablation', async () => {
    const whole = await clusterAblation({ ...TINY, out: tmp() });
    expect(whole.results.map((r) => r.failed)).toEqual([0, 0]);

    // an interrupted ablation: run f=0.2 seed 1 stopped at step 20 (its checkpoint), the others never started
    const out = tmp();
    await run({ ...DEFAULTS, ...TINY, preset: 'equidistant', f: 0.2, steps: 20, files: { dir: out, checkpointEvery: 10 } } as Parameters<typeof run>[0], 1);
    // without --resume that run refuses to start over (the others run)
    const refused = await clusterAblation({ ...TINY, out });
    expect(refused.results.map((r) => r.failed)).toEqual([0, 1]);
    const resumed = await clusterAblation({ ...TINY, out, resume: true });
    expect(untimed(resumed)).toEqual(untimed(whole));

    const ckpts = ['f0-seed0', 'f0-seed1', 'f0.2-seed0', 'f0.2-seed1'].map((d) => join(out, d, 'checkpoint.safetensors'));
    const before = ckpts.map((f) => statSync(f).mtimeMs);
    expect(untimed(await clusterAblation({ ...TINY, out, resume: true }))).toEqual(untimed(whole));
    expect(ckpts.map((f) => statSync(f).mtimeMs)).toEqual(before);
  });
});
