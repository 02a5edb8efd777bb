import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sweepTable } from '../src/index.js';
import { loadRunFunction, sweep, type SweepExecutor } from '../src/node/index.js';

const mjs = fileURLToPath(new URL('./fixtures/sweep-run.mjs', import.meta.url));
const ts = fileURLToPath(new URL('./fixtures/sweep-run.ts', import.meta.url));
const configs = [{ scale: 1 }, { scale: 10, fail: true }];
const seeds = [0, 1, 2, 3];

/** Runs without the timing field, for comparing sweeps. */
const strip = (runs: { seconds: number }[]) => runs.map(({ seconds: _s, ...rest }) => ({ ...rest, error: (rest as { error?: string }).error?.split('\n')[0] }));

describe('sweep', () => {
  it('runs every config × seed in process (workers: 0) and aggregates mean ± std per config', async () => {
    const r = await sweep({ module: mjs, configs, seeds, workers: 0, progress: false });
    expect(r.runs.map((x) => [x.configIndex, x.seed])).toEqual([[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1], [1, 2], [1, 3]]);
    expect(r.runs[5]!.error).toMatch(/planned failure for seed 1/);
    const [a, b] = r.summary;
    expect(a).toMatchObject({ configIndex: 0, runs: 4, failed: 0 });
    expect(b).toMatchObject({ configIndex: 1, runs: 4, failed: 1 });
    expect(Object.keys(a!.metrics).sort()).toEqual(['mean', 'ok', 'reached', 'seed']);
    expect(a!.metrics.seed).toMatchObject({ mean: 1.5, n: 4, missing: 0 });
    expect(a!.metrics.seed!.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(a!.metrics.reached).toMatchObject({ mean: 1, n: 2, missing: 2 }); // seeds 0 and 2 reach 0 and 2
    expect(a!.metrics.ok!.mean).toBe(0.75);
    expect(b!.metrics.seed).toMatchObject({ mean: 5 / 3, n: 3 });
    expect(a!.metrics.mean!.mean).toBeGreaterThan(0.45);
    expect(a!.metrics.mean!.mean).toBeLessThan(0.55);
    const table = sweepTable(r.summary, { metrics: ['mean', 'reached'] });
    expect(table.split('\n')[0]).toMatch(/^\| config +\| runs \| failed \| +mean \| +reached \|$/);
    expect(table).toContain('{"scale":10,"fail":true}');
  });

  it('gives the same runs and summary on 1 or 2 worker threads as in process', async () => {
    const inProcess = await sweep({ module: pathToFileURL(mjs), configs, seeds, workers: 0, progress: false });
    const one = await sweep({ module: mjs, configs, seeds, workers: 1, progress: false });
    const two = await sweep({ module: pathToFileURL(mjs).href, configs, seeds, workers: 2, progress: false });
    expect(strip(one.runs)).toEqual(strip(inProcess.runs));
    expect(strip(two.runs)).toEqual(strip(inProcess.runs));
    expect(two.summary).toEqual(inProcess.summary);
  });

  it('loads a TypeScript module on worker threads through tsx', async () => {
    const viaTs = await sweep({ module: ts, configs, seeds, workers: 2, progress: false });
    const viaJs = await sweep({ module: mjs, configs, seeds, workers: 0, progress: false });
    expect(strip(viaTs.runs)).toEqual(strip(viaJs.runs));
  });

  it('accepts an in-process run function, and refuses to ship one to workers', async () => {
    const r = await sweep({ run: (c: { k: number }, s) => ({ v: c.k * 10 + s }), configs: [{ k: 1 }], seeds: [0, 1], workers: 0, progress: false });
    expect(r.runs.map((x) => x.result)).toEqual([{ v: 10 }, { v: 11 }]);
    await expect(sweep({ run: () => ({}), configs: [1], seeds: [0], workers: 1 })).rejects.toThrow(/cannot be sent to worker threads/);
  });

  it('says which export is missing, in process and on workers', async () => {
    const bad = fileURLToPath(new URL('./fixtures/no-run.mjs', import.meta.url));
    await expect(sweep({ module: bad, configs: [1], seeds: [0], workers: 0, progress: false })).rejects.toThrow(/exports no function 'run' \(exports: notRun\)/);
    await expect(sweep({ module: bad, configs: [1], seeds: [0], workers: 1, progress: false })).rejects.toThrow(/exports no function 'run' \(exports: notRun\)/);
  });

  it('shows progress per finished run', async () => {
    const stream = { out: '', write(s: string) { this.out += s; } };
    await sweep({ module: mjs, configs, seeds: [0, 1], workers: 2, progress: 'lines', progressStream: stream, progressInterval: 0, label: 'grid' });
    expect(stream.out).toMatch(/^grid 1\/4 \(25%\)/);
    expect(stream.out).toMatch(/grid 4\/4 \(100%\) [\d.]+ run\/s in \d+:\d\d \| failed 1 last config \d seed \d/);
  });

  describe('with an executor', () => {
    /** Runs every job in this thread, last first, through the exported module loader. */
    const reversed: SweepExecutor = {
      async run(work) {
        const fn = await loadRunFunction(work.module, work.exportName);
        for (const j of [...work.jobs].reverse()) {
          try {
            work.finish(j.index, { result: await fn(j.config, j.seed), seconds: 0 });
          } catch (e) {
            work.finish(j.index, { error: String((e as Error).stack), seconds: 0 });
          }
        }
      },
    };

    it('gives the same runs and summary as worker threads, whatever order the outcomes come in', async () => {
      const seen: string[] = [];
      const viaExecutor = await sweep({ module: mjs, configs, seeds, executor: reversed, progress: false, onRun: (r) => seen.push(`${r.configIndex}/${r.seed}`) });
      const onThreads = await sweep({ module: mjs, configs, seeds, workers: 2, progress: false });
      expect(strip(viaExecutor.runs)).toEqual(strip(onThreads.runs));
      expect(viaExecutor.summary).toEqual(onThreads.summary);
      expect(seen[0]).toBe('1/3');
    });

    it('hands the executor the module URL, export, label and jobs, and shows its status and news', async () => {
      const stream = { out: '', write(s: string) { this.out += s; } };
      let work: Parameters<SweepExecutor['run']>[0] | undefined;
      await sweep({
        module: mjs, configs: [{ scale: 2 }], seeds: [5, 6], label: 'grid', progress: 'lines', progressStream: stream, progressInterval: 0,
        executor: {
          async run(w) {
            work = w;
            w.log('news from the executor');
            w.status({ running: '1 (c0 s5 @10)' });
            w.finish(0, { result: { v: 1 }, seconds: 1 });
            w.finish(1, { result: { v: 2 }, seconds: 1 });
          },
        },
      });
      expect(work!.module).toBe(pathToFileURL(mjs).href);
      expect([work!.exportName, work!.label]).toEqual(['run', 'grid']);
      expect(work!.jobs).toEqual([{ index: 0, configIndex: 0, config: { scale: 2 }, seed: 5 }, { index: 1, configIndex: 0, config: { scale: 2 }, seed: 6 }]);
      expect(stream.out).toContain('news from the executor\n');
      expect(stream.out).toMatch(/grid 0\/2 \(0%\).*\| running 1 \(c0 s5 @10\)/);
    });

    it('refuses a run function, a run finished twice, and a return with runs unfinished', async () => {
      await expect(sweep({ run: () => ({}), configs: [1], seeds: [0], executor: reversed, progress: false })).rejects.toThrow(/an executor needs module/);
      const twice: SweepExecutor = { async run(w) { w.finish(0, { result: {}, seconds: 0 }); w.finish(0, { result: {}, seconds: 0 }); } };
      await expect(sweep({ module: mjs, configs: [1], seeds: [0, 1], executor: twice, progress: false })).rejects.toThrow(/expected each run to finish once, got run 0 again/);
      const early: SweepExecutor = { async run(w) { w.finish(1, { result: {}, seconds: 0 }); } };
      await expect(sweep({ module: mjs, configs: [1], seeds: [0, 1], executor: early, progress: false })).rejects.toThrow(/returned with 1 of 2 runs unfinished/);
    });
  });
});

describe('sweep time limit', () => {
  const hang = fileURLToPath(new URL('./fixtures/sweep-hang.mjs', import.meta.url));
  const configs = [{ k: 1 }, { k: 2, hang: 'never' }, { k: 3, hang: 'busy' }, { k: 4 }];

  it('records a run over timeoutSeconds as failed, replaces its worker, and finishes the others', async () => {
    const r = await sweep({ module: hang, configs, seeds: [0, 1], workers: 2, timeoutSeconds: 2, progress: false });
    expect(r.runs.map((x) => x.result?.value ?? null)).toEqual([10, 11, null, null, null, null, 40, 41]);
    for (const x of r.runs.slice(2, 6)) {
      expect(x.error).toBe('sweep: the run took longer than its time limit of 2 s (timeoutSeconds) and was stopped');
      expect(x.seconds).toBe(2);
    }
    expect(r.summary.map((s) => s.failed)).toEqual([0, 2, 2, 0]);
  }, 60_000);

  it('stops waiting for a run that never settles in this thread (workers: 0)', async () => {
    const r = await sweep({ module: hang, configs: [configs[0]!, configs[1]!, configs[3]!], seeds: [0], workers: 0, timeoutSeconds: 0.5, progress: false });
    expect(r.runs.map((x) => x.result?.value ?? null)).toEqual([10, null, 40]);
    expect(r.runs[1]!.error).toMatch(/^Error: sweep: the run took longer than its time limit of 0.5 s/);
  });

  it('rejects a time limit that is not a positive number', async () => {
    await expect(sweep({ module: hang, configs, seeds: [0], workers: 0, timeoutSeconds: 0 })).rejects.toThrow('sweep: expected timeoutSeconds to be a positive number, got 0');
  });
});
