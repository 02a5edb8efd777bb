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

  it('has --help listing every flag with its default', () => {
    const h = runCli(['--help']);
    expect(h.status).toBe(0);
    for (const [flag, d] of [['steps N', '500'], ['lr X', '0.01'], ['weight-decay X', '0.0001'], ['width N', '64'], ['points N', '200'], ['noise X', '0.02'], ['seed N', '0'], ['log-every N', '50']]) {
      expect(h.stdout).toMatch(new RegExp(`^ {2}--${flag} +.*\\(default: ${d.replace('.', '\\.')}\\)$`, 'm'));
    }
  });
});
