import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, SETTINGS_FILE, UsageError, claimOutDir, folderProblem, lockDir, makeDir, writeReport } from '../src/node/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'grokkit-outdir-'));
/** The id of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;
const lockOf = (pid: number, host = hostname()) => JSON.stringify({ pid, host, since: '2025-01-01T00:00:00.000Z' });
const hasProc = existsSync('/proc/self');

describe('makeDir', () => {
  it('creates nested folders and accepts an existing one', () => {
    const d = join(tmp(), 'a', 'b', 'c');
    makeDir(d);
    makeDir(d);
    expect(statSync(d).isDirectory()).toBe(true);
  });

  it.runIf(hasProc)('fails at once under /proc, where a recursive mkdir loops forever on Node 20', () => {
    expect(() => makeDir('/proc/grokkit-x/y')).toThrow(new UsageError("expected a folder that can be created, got '/proc/grokkit-x/y' (mkdir '/proc/grokkit-x': ENOENT)"));
  });

  it('names a file in the way, and a parent it cannot write to', () => {
    const dir = tmp();
    const file = join(dir, 'f');
    writeFileSync(file, '');
    expect(() => makeDir(file)).toThrow(`expected a folder, got '${file}', which is a file`);
    expect(folderProblem(join(file, 'x'))).toBe(`expected a folder path, got '${join(file, 'x')}', but '${file}' is a file`);
    if (process.getuid?.() !== 0) {
      const ro = join(dir, 'ro');
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      expect(folderProblem(join(ro, 'x'))).toBe(`expected a folder to write into, got '${join(ro, 'x')}', but '${ro}' is not writable`);
    }
  });

  it.runIf(hasProc)('keeps writeReport from hanging on /proc', async () => {
    await expect(writeReport('/proc/grokkit-x', { title: 't', sections: [] })).rejects.toThrow(/mkdir '\/proc\/grokkit-x': ENOENT/);
  }, 10_000);
});

describe('lockDir', () => {
  it('holds a lock with pid and host, refuses a second one while held, and frees it on release', () => {
    const dir = tmp();
    const lock = lockDir(dir);
    const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => lockDir(dir)).toThrow(/a run of this process is using it/);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDir(dir).release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a lock held by another running process or by another host', () => {
    const dir = tmp();
    writeFileSync(join(dir, LOCK_FILE), lockOf(process.ppid));
    expect(() => lockDir(dir)).toThrow(new RegExp(`but a run of pid ${process.ppid} is using it`));
    writeFileSync(join(dir, LOCK_FILE), lockOf(process.pid, 'elsewhere'));
    expect(() => lockDir(dir)).toThrow(`but it is locked by pid ${process.pid} on elsewhere since 2025-01-01T00:00:00.000Z; if that run is over, delete ${join(dir, LOCK_FILE)}`);
  });

  it('takes over the lock of a process that is gone, with a note', () => {
    const dir = tmp();
    const pid = deadPid();
    writeFileSync(join(dir, LOCK_FILE), lockOf(pid));
    const notes: string[] = [];
    const lock = lockDir(dir, (m) => notes.push(m));
    expect(notes).toEqual([`note: took over the lock of '${dir}' from pid ${pid} since 2025-01-01T00:00:00.000Z, which is no longer running`]);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('claimOutDir', () => {
  it('refuses a folder with a previous run unless resumed with the same settings or overwritten', () => {
    const dir = join(tmp(), 'exp');
    const first = claimOutDir(dir, { settings: { steps: 10, seeds: [0] } });
    expect(first.resumed).toBe(false);
    expect(() => claimOutDir(dir, { settings: { steps: 10, seeds: [0] }, resume: true })).toThrow(/a run of this process is using it/);
    first.release();
    expect(() => claimOutDir(dir, { settings: { steps: 10, seeds: [0] } })).toThrow(
      `expected a folder without a previous run, got '${dir}', which holds one (${SETTINGS_FILE}); continue it with --resume, replace it with --overwrite, or choose another folder`,
    );
    expect(() => claimOutDir(dir, { settings: { steps: 20, seeds: [0, 1] }, resume: true })).toThrow(
      `expected --resume with the settings of the run in '${dir}', got different ones: steps 10 → 20, seeds [0] → [0,1]`,
    );
    const again = claimOutDir(dir, { settings: { steps: 10, seeds: [0] }, resume: true });
    expect(again.resumed).toBe(true);
    again.release();
    claimOutDir(dir, { settings: { steps: 20 }, overwrite: true }).release();
    expect(JSON.parse(readFileSync(join(dir, SETTINGS_FILE), 'utf8'))).toEqual({ settings: { steps: 20 } });
    expect(() => claimOutDir(dir, { settings: {}, resume: true, overwrite: true })).toThrow('expected either --resume or --overwrite, got both');
  });

  it('starts fresh on --resume when the folder holds no run', () => {
    const dir = tmp();
    const c = claimOutDir(dir, { settings: { a: 1 }, resume: true });
    expect(c.resumed).toBe(false);
    c.release();
  });
});
