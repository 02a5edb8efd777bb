/**
 * The demo's Grokfast-EMA arm on grokkit's `cpu` backend against the same arm in PyTorch, in rounds
 * run back to back (the machine's speed drifts, so only ratios within one run mean anything).
 * PyTorch starts from grokkit's draws for the seed — the same initial parameters, split and batches
 * (bench/grokfast-draws.ts, then bench/pytorch-grokfast-train.py --init) — with the demo's settings
 * (weight decay 0.005, λ 2, evaluation every 10 steps on all 4,656 held-out equations, stop at 95%),
 * so both do the same work and reach 95% at about the same step. Prints a JSON line per run, then
 * one summary line: the medians of each side's wall time to 95% and grokkit ÷ PyTorch.
 *
 *   npx tsx bench/grokfast-arm-vs-pytorch.ts [--rounds 2] [--seed 0] [--threads 1] [--blas-threads 2] [--python /usr/bin/python3]
 *
 * Needs PyTorch with OpenBLAS (Debian: apt python3-torch libopenblas0-pthread). About 6–7 minutes a round here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    seed: { type: 'string', default: '0' },
    threads: { type: 'string', default: '1' },
    'blas-threads': { type: 'string', default: '2' },
    python: { type: 'string', default: '/usr/bin/python3' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npx tsx bench/grokfast-arm-vs-pytorch.ts [--rounds 2] [--seed 0] [--threads 1] [--blas-threads 2] [--python /usr/bin/python3]

The demo's EMA arm to 95% on grokkit's cpu backend and in PyTorch from the same draws (PyTorch on
--threads threads with OpenBLAS on --blas-threads), in rounds run back to back; a JSON line per run,
then the median wall times and grokkit ÷ PyTorch.`);
  process.exit(0);
}
const whole = (name: string, v: string, min: number): number => {
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= min)) throw new Error(`--${name}: expected a whole number ≥ ${min}, got ${v}`);
  return n;
};
const rounds = whole('rounds', values.rounds, 1);
const seed = whole('seed', values.seed, 0);
const threads = whole('threads', values.threads, 1);
const blas = whole('blas-threads', values['blas-threads'], 1);

const bench = (f: string) => new URL(f, import.meta.url).pathname;
// Debian's OpenBLAS tuning variables of this machine's image distort the timing (REFERENCES.md)
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;

/** Run a command and return its stdout's JSON lines; throw with its last words if it fails. */
function jsonLines(name: string, cmd: string, args: string[], extraEnv: Record<string, string> = {}): Record<string, unknown>[] {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 1_800_000, maxBuffer: 64 << 20 });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  if (r.status !== 0 || lines.length === 0) throw new Error(`${name}: expected JSON lines, got exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

const dir = mkdtempSync(join(tmpdir(), 'grokkit-arm-'));
const draws = join(dir, `draws-seed${seed}.safetensors`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
try {
  // before minutes of training: PyTorch on an optimised BLAS, else a one-line error (grokfast_model.py)
  const check = `import sys; sys.path.insert(0, ${JSON.stringify(bench('.'))}); from grokfast_model import require_fast_blas; require_fast_blas(); print('{}')`;
  jsonLines('pytorch', values.python, ['-c', check]);
  jsonLines('grokfast-draws', process.execPath, ['--import', 'tsx', bench('grokfast-draws.ts'), '--seed', String(seed), '--out', draws]);
  const walls = { grokkit: [] as number[], pytorch: [] as number[] };
  for (let round = 1; round <= rounds; round++) {
    const g = jsonLines('grokkit', process.execPath, ['--import', 'tsx', bench('grokfast-arm.ts'), '--seed', String(seed)]).pop()!;
    walls.grokkit.push(g.wallSeconds as number);
    console.log(JSON.stringify({ round, side: 'grokkit', stepsTo95: g.stepsTo95, finalValAcc: g.finalValAcc, wallSeconds: g.wallSeconds, peakRssMB: g.peakRssMB }));
    const py = jsonLines(
      'pytorch',
      values.python,
      [bench('pytorch-grokfast-train.py'), '--init', draws, '--filter', 'ema', '--wd', '0.005', '--eval-every', '10', '--until', '0.95', '--steps', '2000', '--threads', String(threads)],
      { OPENBLAS_NUM_THREADS: String(blas) },
    );
    const evals = py.filter((l) => 'valAcc' in l);
    const last = evals[evals.length - 1]!;
    const end = py[py.length - 1]!;
    walls.pytorch.push(last.wallSeconds as number);
    console.log(JSON.stringify({ round, side: 'pytorch', threads, blasThreads: blas, stepsTo95: end.stepsTo95, finalValAcc: last.valAcc, wallSeconds: last.wallSeconds }));
  }
  const [gm, pm] = [median(walls.grokkit), median(walls.pytorch)];
  console.log(
    JSON.stringify({
      bench: 'grokfast-arm-vs-pytorch',
      seed,
      rounds,
      pytorch: { threads, blasThreads: blas },
      median_wall_s: { grokkit: +gm.toFixed(1), pytorch: +pm.toFixed(1) },
      ratio: +(gm / pm).toFixed(3),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
