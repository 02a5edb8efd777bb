// The kill loop of docs/reliability-runs.md: run the grokfast CLI with tiny settings, SIGKILL it at a
// random time, rerun it with --resume, and compare with an uninterrupted run. From examples/:
//   node test/kill-loop.mjs N [MAX_DELAY_SECONDS]
// The delay counts from the moment the run has claimed its folder; without MAX_DELAY_SECONDS it is
// drawn up to the uninterrupted run's training time + 1 s.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.argv[2] ?? 10);
const script = 'grokfast/main.ts';
const args = ['--p', '7', '--dim', '16', '--depth', '1', '--batch', '8', '--eval-every', '5', '--until', '2', '--progress', 'false', '--steps', '150', '--checkpoint-every', '7'];
const arms = ['none-seed0', 'ema-seed0', 'ma-seed0'];
const untimed = (s) => JSON.stringify({ ...s, runs: s.runs.map(({ wallSeconds, msPerStep, ...r }) => r) });
const logOf = (dir) => existsSync(join(dir, 'log.jsonl')) ? readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => { const { wallSeconds, ...r } = JSON.parse(l); return JSON.stringify(r); }) : [];
const cli = (extra) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args, ...extra], { encoding: 'utf8' });

const ref = mkdtempSync(join(tmpdir(), 'kill-ref-'));
const t0 = Date.now();
const r0 = cli(['--out', ref]);
const wall = (Date.now() - t0) / 1000;
// the training part of the run: the sum of the arms' wall times
const trainWall = JSON.parse(r0.stdout.trim().split('\n').at(-1)).runs.reduce((a, r) => a + r.wallSeconds, 0);
const expected = untimed(JSON.parse(r0.stdout.trim().split('\n').at(-1)));
console.log(`uninterrupted: ${wall.toFixed(1)} s (training ${trainWall.toFixed(1)} s)`);
let same = 0;
for (let i = 0; i < N; i++) {
  const out = mkdtempSync(join(tmpdir(), 'kill-'));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args, '--out', out], { stdio: 'ignore' });
  const exited = new Promise((res) => child.on('exit', (c, sig) => res(sig ?? c)));
  // the delay counts from the moment the run has claimed its folder (after tsx's start-up)
  const started = Date.now();
  while (!existsSync(join(out, 'settings.json')) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 5));
  const delay = Math.random() * Number(process.argv[3] ?? trainWall + 1);
  const timer = setTimeout(() => child.kill('SIGKILL'), delay * 1000);
  const code = await exited;
  clearTimeout(timer);
  const where = arms.map((a) => `${a.split('-')[0]}:${logOf(join(out, a)).length ? JSON.parse(logOf(join(out, a)).at(-1)).step : '-'}`).join(' ');
  const t1 = Date.now();
  const r = cli(['--out', out, '--resume']);
  const got = r.status === 0 ? untimed(JSON.parse(r.stdout.trim().split('\n').at(-1))) : `exit ${r.status}: ${r.stderr}`;
  const logsSame = arms.every((a) => JSON.stringify(logOf(join(out, a))) === JSON.stringify(logOf(join(ref, a))));
  const ok = got === expected && logsSame;
  same += ok;
  console.log(`#${i}: killed ${delay.toFixed(2)} s after start-up (${code}); last logged step ${where}; resume ${((Date.now() - t1) / 1000).toFixed(1)} s; ${ok ? 'identical' : 'DIFFERENT'}${r.stderr.includes('took over') ? '; stale lock taken over' : ''}`);
}
console.log(`${same}/${N} resumed runs identical to the uninterrupted one (JSON without timings, every arm's log without wall times)`);
