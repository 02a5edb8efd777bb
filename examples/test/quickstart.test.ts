import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const examples = fileURLToPath(new URL('..', import.meta.url));
const runCli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(examples, 'quickstart', 'main.ts'), ...args], { cwd: examples, encoding: 'utf8' });

describe('examples/quickstart', () => {
  it('follows its flags', () => {
    const r = runCli(['--steps', '10', '--log-every', '5', '--width', '8', '--points', '20']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('step')).map((l) => Number(l.split(/\s+/)[1]))).toEqual([0, 5, 10]);
    expect(r.stdout).toMatch(/^live tensors after training: \d+/m);
  });

  it('has --help, and rejects bad flags with one line and exit code 2', () => {
    const h = runCli(['--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^ {2}--steps N +full-batch AdamW steps \(default: 500\)$/m);
    const bad = runCli(['--lr', '-1']);
    expect({ status: bad.status, stderr: bad.stderr }).toEqual({ status: 2, stderr: "quickstart: --lr: expected a number > 0, got '-1'\n" });
  });
});
