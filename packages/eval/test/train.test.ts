import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { adamw, liveTensors, rng, tensor, type Tensor } from '@grokkit/core';
import { describe, expect, it } from 'vitest';
import { accuracy, sustained, train as trainInMemory } from '../src/index.js';
import { LOCK_FILE, UsageError, readJsonl, train, type TrainOptions } from '../src/node/index.js';
import { Mlp, batchLoss, teacherData } from './helpers.js';

/** The root's `train` (no files) on the same options; `resumeFrom` must then be bytes. */
const inMemory = (o: TrainOptions) => trainInMemory(o as Parameters<typeof trainInMemory>[0]);

const tmp = () => mkdtempSync(join(tmpdir(), 'grokkit-eval-'));

/** A complete run description over a fresh model; `data` is the batcher's generator, registered for checkpoints. */
function setup(overrides: Partial<TrainOptions> = {}) {
  const model = new Mlp(1);
  const d = teacherData(96, 7);
  const X = tensor(d.x, { shape: [96, 4] });
  const Y = tensor(d.y);
  const data = rng(42);
  const losses: number[] = [];
  const opts: TrainOptions = {
    model,
    transform: adamw({ lr: 0.02, weightDecay: 0.01 }),
    step: () => batchLoss(model, X, Y, data, 16),
    evaluate: () => ({ trainAcc: accuracy(model.forward(X), Y) }),
    steps: 40,
    evalEvery: 10,
    rngs: { data },
    progress: false,
    hooks: { onStep: ({ loss }) => void losses.push(loss) },
    ...overrides,
  };
  const dispose = () => {
    X.dispose();
    Y.dispose();
    for (const p of model.parameters()) p.dispose();
  };
  return { model, opts, losses, dispose };
}

function paramBits(model: Mlp): number[] {
  return Object.values(model.namedParameters()).flatMap((p: Tensor) => Array.from(new Uint32Array((p.dataSync() as Float32Array).slice().buffer)));
}

describe('train', () => {
  it('runs the steps, evaluates at 0 and every evalEvery, learns, and leaks no tensors', async () => {
    const s = setup();
    const before = liveTensors();
    const r = await train(s.opts);
    expect(liveTensors()).toBe(before);
    expect(r.history.map((h) => h.step)).toEqual([0, 10, 20, 30, 40]);
    expect(r.steps).toBe(40);
    expect(r.stoppedEarly).toBe(false);
    expect(s.losses).toHaveLength(40);
    expect(r.final!.trainAcc).toBeGreaterThan(r.history[0]!.trainAcc!);
    expect(r.final!.trainAcc).toBeGreaterThan(0.8);
    expect(r.history.every((h, i) => i === 0 || h.wallSeconds >= r.history[i - 1]!.wallSeconds)).toBe(true);
    s.dispose();
  });

  it('evaluates after the last step even off schedule, and can skip step 0', async () => {
    const s = setup({ steps: 25, evalEvery: 10, evalAtStart: false });
    const r = await train(s.opts);
    expect(r.history.map((h) => h.step)).toEqual([10, 20, 25]);
    s.dispose();
  });

  it('writes one JSONL line per evaluation', async () => {
    const dir = tmp();
    const s = setup({ outDir: dir });
    const r = await train(s.opts);
    const rows = readJsonl(join(dir, 'log.jsonl'));
    expect(rows).toEqual(JSON.parse(JSON.stringify(r.history)));
    expect(Object.keys(rows[0]!)).toEqual(['step', 'trainAcc', 'wallSeconds']);
    s.dispose();
  });

  it('stops early when shouldStop says so', async () => {
    const s = setup({ steps: 400, evalEvery: 5, hooks: { shouldStop: sustained('trainAcc', 0.8, 2) } });
    const r = await train(s.opts);
    expect(r.stoppedEarly).toBe(true);
    expect(r.steps).toBeLessThan(400);
    const last2 = r.history.slice(-2);
    expect(last2.every((h) => h.trainAcc! >= 0.8)).toBe(true);
    expect(r.steps).toBe(r.final!.step);
    s.dispose();
  });

  it('resumes from a checkpoint bit-identically to an uninterrupted run', async () => {
    const full = setup({ steps: 40 });
    const rFull = await train(full.opts);
    const fullBits = paramBits(full.model);

    const dir = tmp();
    const first = setup({ steps: 20, outDir: dir, checkpointEvery: 20 });
    const r1 = await train(first.opts);
    expect(r1.checkpoint).toBe(join(dir, 'checkpoint.safetensors'));
    expect(existsSync(r1.checkpoint!)).toBe(true);
    first.dispose();

    // A fresh process-like start: new model (different init), new generators; everything comes from the checkpoint.
    const second = setup({ steps: 40, outDir: dir, resumeFrom: dir });
    second.opts.model = new Mlp(99);
    const m2 = second.opts.model as Mlp;
    const X = tensor(teacherData(96, 7).x, { shape: [96, 4] });
    const Y = tensor(teacherData(96, 7).y);
    const data = rng(12345);
    second.opts.rngs = { data };
    second.opts.step = () => batchLoss(m2, X, Y, data, 16);
    second.opts.evaluate = () => ({ trainAcc: accuracy(m2.forward(X), Y) });
    const before = liveTensors();
    const r2 = await train(second.opts);
    expect(liveTensors()).toBe(before);

    expect([...first.losses, ...second.losses]).toEqual(full.losses);
    expect(paramBits(m2)).toEqual(fullBits);
    expect(r2.history.map((h) => h.step)).toEqual(rFull.history.map((h) => h.step));
    expect(r2.history.map((h) => h.trainAcc)).toEqual(rFull.history.map((h) => h.trainAcc));
    expect(readJsonl(join(dir, 'log.jsonl')).map((h) => h.step)).toEqual([0, 10, 20, 30, 40]);
    full.dispose();
    second.dispose();
    X.dispose();
    Y.dispose();
    for (const p of m2.parameters()) p.dispose();
  });

  it('hands checkpoints to onCheckpoint as bytes, which resume like a file (no outDir)', async () => {
    const saved: { step: number; bytes: Uint8Array }[] = [];
    const a = setup({ steps: 20, checkpointEvery: 10 });
    a.opts.hooks = { ...a.opts.hooks, onCheckpoint: (bytes, step) => void saved.push({ step, bytes }) };
    const r = await inMemory(a.opts);
    expect(saved.map((c) => c.step)).toEqual([10, 20]);
    expect(r.checkpointStep).toBe(20);
    const b = setup({ steps: 30, resumeFrom: saved[1]!.bytes });
    const started: number[][] = [];
    b.opts.hooks = { ...b.opts.hooks, onStart: (history) => void started.push(history.map((h) => h.step)) };
    const r2 = await inMemory(b.opts);
    expect(started).toEqual([[0, 10, 20]]);
    expect(r2.history.map((h) => h.step)).toEqual([0, 10, 20, 30]);
    a.dispose();
    b.dispose();
  });

  it('restores user state and refuses a checkpoint that lacks a registered rng', async () => {
    const dir = tmp();
    let pos = 0;
    const a = setup({ steps: 10, outDir: dir, checkpointEvery: 10, state: { get: () => ({ pos: 17 }), set: () => {} } });
    await train(a.opts);
    a.dispose();
    const b = setup({ steps: 12, resumeFrom: join(dir, 'checkpoint.safetensors'), state: { get: () => null, set: (v) => void (pos = (v as { pos: number }).pos) } });
    await train(b.opts);
    expect(pos).toBe(17);
    const c = setup({ steps: 12, resumeFrom: dir, rngs: { data: rng(1), other: rng(2) } });
    const live = liveTensors();
    await expect(train(c.opts)).rejects.toThrow(/no state for rng\(s\) other/);
    expect(liveTensors()).toBe(live);
    b.dispose();
    c.dispose();
  });

  it('a resume whose user state is refused changes neither the parameters nor the generators', async () => {
    const dir = tmp();
    const a = setup({ steps: 10, outDir: dir, checkpointEvery: 10, state: { get: () => ({ pos: 17 }), set: () => {} } });
    await train(a.opts);
    a.dispose();
    const b = setup({
      steps: 12,
      resumeFrom: dir,
      state: {
        get: () => null,
        set: (v) => {
          throw new Error(`loader: expected { pos } with pos < 10, got ${JSON.stringify(v)}`);
        },
      },
    });
    const params = b.model.parameters().map((p) => Array.from(p.dataSync()));
    const data = (b.opts.rngs!.data as ReturnType<typeof rng>).state();
    const live = liveTensors();
    await expect(train(b.opts)).rejects.toThrow(/loader: expected \{ pos \} with pos < 10, got \{"pos":17\}/);
    expect(b.model.parameters().map((p) => Array.from(p.dataSync()))).toEqual(params);
    expect((b.opts.rngs!.data as ReturnType<typeof rng>).state()).toEqual(data);
    expect(liveTensors()).toBe(live);
    b.dispose();
  });

  it('rejects bad options with what was expected', async () => {
    const s = setup({ evalEvery: 0 });
    await expect(train(s.opts)).rejects.toThrow(/evalEvery to be a positive integer, got 0/);
    const t = setup({ checkpointEvery: 5 });
    await expect(train(t.opts)).rejects.toThrow(/checkpointEvery needs outDir/);
    await expect(inMemory(t.opts)).rejects.toThrow(/checkpointEvery needs hooks.onCheckpoint/);
    s.dispose();
    t.dispose();
  });

  it('shows a progress bar on a TTY and plain lines otherwise', async () => {
    const tty = { out: '', isTTY: true, columns: 200, write(x: string) { this.out += x; } };
    const s = setup({ progress: 'auto', progressStream: tty, label: 'mlp' });
    await train(s.opts);
    expect(tty.out).toMatch(/\rmlp \[█+░*\] \d+\/40/);
    expect(tty.out).toMatch(/trainAcc \d/);
    expect(tty.out.endsWith('\n')).toBe(true);
    const pipe = { out: '', write(x: string) { this.out += x; } };
    const t = setup({ progress: 'auto', progressStream: pipe, progressInterval: 0 });
    await train(t.opts);
    expect(pipe.out).not.toContain('\r');
    expect(pipe.out.trim().split('\n').length).toBeGreaterThan(5);
    expect(pipe.out).toMatch(/40\/40 \(100%\)/);
    s.dispose();
    t.dispose();
  });
});

describe('train with outDir: locks, refusals, resume', () => {
  it('refuses a finished outDir unless told to resume or overwrite, and leaves its files alone', async () => {
    const dir = tmp();
    const a = setup({ outDir: dir, checkpointEvery: 20 });
    const first = await train(a.opts);
    const log = readFileSync(join(dir, 'log.jsonl'));
    const ckpt = readFileSync(join(dir, 'checkpoint.safetensors'));
    const b = setup({ outDir: dir, checkpointEvery: 20 });
    const err = await train(b.opts).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(`train: expected an outDir without a previous run, got '${dir}', which holds log.jsonl and checkpoint.safetensors; pass resume: true to continue it, overwrite: true to replace it, or another outDir`);
    expect(readFileSync(join(dir, 'log.jsonl'))).toEqual(log);
    expect(readFileSync(join(dir, 'checkpoint.safetensors'))).toEqual(ckpt);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    // resume: a finished run is not trained again; its history comes back as it was
    const c = setup({ outDir: dir, checkpointEvery: 20, resume: true });
    const resumed = await train(c.opts);
    expect(c.losses).toEqual([]);
    expect(resumed.history).toEqual(first.history);
    expect(resumed.steps).toBe(40);
    expect(readFileSync(join(dir, 'log.jsonl'))).toEqual(log);
    expect(readFileSync(join(dir, 'checkpoint.safetensors'))).toEqual(ckpt);

    // overwrite: a new run from step 0
    const d = setup({ outDir: dir, steps: 10, overwrite: true });
    await train(d.opts);
    expect(d.losses).toHaveLength(10);
    expect(readJsonl(join(dir, 'log.jsonl')).map((h) => h.step)).toEqual([0, 10]);
    expect(existsSync(join(dir, 'checkpoint.safetensors'))).toBe(false);
    for (const s of [a, b, c, d]) s.dispose();
  });

  it('refuses an outDir another run is using, so logs never interleave', async () => {
    const dir = tmp();
    const a = setup({ outDir: dir, steps: 40 });
    const running = train(a.opts);
    const b = setup({ outDir: dir, steps: 40, overwrite: true });
    await expect(train(b.opts)).rejects.toThrow(/but a run of this process is using it/);
    await running;
    expect(readJsonl(join(dir, 'log.jsonl')).map((h) => h.step)).toEqual([0, 10, 20, 30, 40]);
    expect(b.losses).toEqual([]);
    a.dispose();
    b.dispose();
  });

  it('resumes a killed run from its checkpoint, taking over its stale lock and removing its temporary files', async () => {
    const full = setup({ steps: 40 });
    const rFull = await train(full.opts);
    const dir = tmp();
    const a = setup({ outDir: dir, steps: 20, checkpointEvery: 10 });
    await train(a.opts);
    // what a kill -9 leaves: the lock of a process that is gone, and half-written checkpoints
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead, host: hostname(), since: 'then' }));
    writeFileSync(join(dir, 'checkpoint.safetensors.tmp'), 'partial');
    writeFileSync(join(dir, 'checkpoint.safetensors.123-abcd1234.tmp'), 'partial');
    const notes: string[] = [];
    const b = setup({ outDir: dir, steps: 40, checkpointEvery: 10, resume: true, note: (m) => void notes.push(m) });
    const r = await train(b.opts);
    expect(notes).toEqual([`note: took over the lock of '${dir}' from pid ${dead} since then, which is no longer running`]);
    expect([...a.losses, ...b.losses]).toEqual(full.losses);
    expect(r.history.map((h) => h.trainAcc)).toEqual(rFull.history.map((h) => h.trainAcc));
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.safetensors', 'log.jsonl']);
    for (const s of [full, a, b]) s.dispose();
  });

  it('keeps a run that shouldStop ended stopped when resumed (it is not trained further)', async () => {
    const saved: Uint8Array[] = [];
    const stop = { shouldStop: sustained('trainAcc', 0.8, 2) };
    const a = setup({ steps: 400, evalEvery: 5, checkpointEvery: 7 });
    a.opts.hooks = { ...a.opts.hooks, ...stop, onCheckpoint: (bytes) => void saved.push(bytes) };
    const first = await inMemory(a.opts);
    expect(first.stoppedEarly).toBe(true);
    const b = setup({ steps: 400, evalEvery: 5, checkpointEvery: 7, resumeFrom: saved[saved.length - 1] });
    b.opts.hooks = { ...b.opts.hooks, ...stop, onCheckpoint: (bytes) => void saved.push(bytes) };
    const again = await inMemory(b.opts);
    expect(b.losses).toEqual([]);
    expect(again).toMatchObject({ stoppedEarly: true, steps: first.steps, history: first.history });
    a.dispose();
    b.dispose();
  });

  it('says what is wrong with resume and overwrite', async () => {
    const s = setup({ resume: true });
    await expect(train(s.opts)).rejects.toThrow('train: resume needs outDir');
    const t = setup({ outDir: tmp(), resume: true, overwrite: true });
    await expect(train(t.opts)).rejects.toThrow('train: expected resume or overwrite, got both');
    s.dispose();
    t.dispose();
  });

  it.runIf(existsSync('/proc/self'))('fails at once for an outDir under /proc instead of spinning forever', async () => {
    const s = setup({ outDir: '/proc/grokkit-x' });
    await expect(train(s.opts)).rejects.toThrow("train: outDir: expected a folder that can be created, got '/proc/grokkit-x' (mkdir '/proc/grokkit-x': ENOENT)");
    s.dispose();
  }, 10_000);
});
