/**
 * One Grokfast training step on grokkit's `cpu` backend against PyTorch's CPU step, in rounds that
 * run every configuration back to back (the machine's speed drifts, so only ratios taken within one
 * run mean anything): bench/grokfast-step.ts, and bench/pytorch-grokfast-step.py with PyTorch on 1
 * and 2 threads and OpenBLAS on 1 and 2. Prints a JSON line per measurement, then one summary line:
 * each configuration's median over the rounds, PyTorch's best, and grokkit ÷ that best.
 *
 *   npx tsx bench/grokfast-step-vs-pytorch.ts [--rounds 3] [--steps 30] [--python /usr/bin/python3]
 *
 * Needs PyTorch with OpenBLAS (Debian: apt python3-torch libopenblas0-pthread).
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '30' },
    python: { type: 'string', default: '/usr/bin/python3' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npx tsx bench/grokfast-step-vs-pytorch.ts [--rounds 3] [--steps 30] [--python /usr/bin/python3]

One Grokfast step on grokkit's cpu backend and in PyTorch (threads 1/2 × OpenBLAS 1/2), in rounds run
back to back; a JSON line per measurement, then the medians and grokkit ÷ the best PyTorch setting.`);
  process.exit(0);
}
const rounds = Number(values.rounds);
const steps = Number(values.steps);
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`--rounds: expected a whole number ≥ 1, got ${values.rounds}`);
if (!(Number.isInteger(steps) && steps >= 5)) throw new Error(`--steps: expected a whole number ≥ 5, got ${values.steps}`);

const bench = (f: string) => new URL(f, import.meta.url).pathname;
// Debian's OpenBLAS tuning variables of this machine's image distort the timing (REFERENCES.md)
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
delete env.OPENBLAS_NUM_THREADS;

const configs: { name: string; cmd: string; args: string[] }[] = [
  { name: 'grokkit-cpu', cmd: process.execPath, args: ['--import', 'tsx', bench('grokfast-step.ts'), '--steps', String(steps)] },
  ...[
    [1, 1],
    [1, 2],
    [2, 1],
    [2, 2],
  ].map(([t, b]) => ({
    name: `pytorch-threads${t}-blas${b}`,
    cmd: values.python,
    args: [bench('pytorch-grokfast-step.py'), '--steps', String(steps), '--threads', String(t), '--blas-threads', String(b)],
  })),
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const times = new Map<string, number[]>(configs.map((c) => [c.name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const c of configs) {
    const r = spawnSync(c.cmd, c.args, { encoding: 'utf8', env, timeout: 600_000 });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !last.startsWith('{')) throw new Error(`${c.name}: expected a JSON line, got exit ${r.status}: ${(r.stderr || last).trim().split('\n').pop()}`);
    const step = JSON.parse(last).step_ms as number;
    times.get(c.name)!.push(step);
    console.log(JSON.stringify({ round, config: c.name, step_ms: step }));
  }
}
const medians = Object.fromEntries([...times].map(([k, v]) => [k, median(v)]));
const [bestName, best] = Object.entries(medians)
  .filter(([k]) => k.startsWith('pytorch'))
  .sort((a, b) => a[1] - b[1])[0]!;
console.log(
  JSON.stringify({
    bench: 'grokfast-step-vs-pytorch',
    rounds,
    steps,
    median_step_ms: medians,
    pytorch_best: bestName,
    ratio: +(medians['grokkit-cpu']! / best).toFixed(3),
  }),
);
