/**
 * The browser demo: picks WebGPU when the browser has a hardware adapter (cpu when it has none or
 * only a software renderer such as SwiftShader, with a link to force WebGPU), trains the
 * modular-multiplication transformer step by step without blocking the page, and plots train
 * and validation accuracy as they come. The filter can be switched while training runs.
 */
import * as g from '@grokkit/core';
import { createWebGPUBackend, NO_ADAPTER_HELP, probeWebGPU, type AdapterDescription } from '@grokkit/webgpu';
import { AccuracyChart } from './chart.js';
import type { DemoState } from './demo-state.js';
import { describeFilter, readFilter, readModel, readRun, settingsFromQuery, writeForm } from './settings.js';
import { buildFilter, Session, type FilterSettings } from './trainer.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const buttons = { start: $<HTMLButtonElement>('start'), stop: $<HTMLButtonElement>('stop'), reset: $<HTMLButtonElement>('reset') };
const chart = new AccuracyChart($<HTMLCanvasElement>('chart'));
const query = new URLSearchParams(location.search);
const { settings: initial, page, problems } = settingsFromQuery(query);

const state: DemoState = {
  ready: false,
  backend: null,
  backendNote: '',
  adapter: null,
  running: false,
  step: 0,
  points: 0,
  trainAcc: null,
  valAcc: null,
  valLoss: null,
  filter: { kind: initial.filter, alpha: initial.alpha, windowSize: initial.windowSize, lamb: initial.lamb },
  grokkedAt: null,
  liveTensors: 0,
  compiling: false,
  error: null,
};
window.grokkitDemo = state;

let session: Session | null = null;
/** Settles when the running loop has returned (after its current step). */
let loopDone: Promise<void> = Promise.resolve();
let msPerStep = Number.NaN;

function message(text: string, isError = false): void {
  const el = $('message');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

const pct = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);

function render(): void {
  state.liveTensors = g.liveTensors();
  $('stat-step').textContent = String(state.step);
  $('stat-train').textContent = pct(state.trainAcc);
  $('stat-val').textContent = pct(state.valAcc);
  $('stat-loss').textContent = state.valLoss === null ? '–' : state.valLoss.toFixed(3);
  $('stat-speed').textContent = Number.isFinite(msPerStep) ? msPerStep.toFixed(1) : '–';
  $('stat-grokked').textContent = state.grokkedAt === null ? '–' : `step ${state.grokkedAt}`;
  buttons.start.disabled = !state.ready || state.running;
  buttons.stop.disabled = !state.running;
  buttons.reset.disabled = !state.ready;
  // dim the fields the chosen filter does not use
  for (const label of document.querySelectorAll<HTMLLabelElement>('label[data-for]')) {
    label.classList.toggle('inactive', !label.dataset.for!.split(' ').includes(state.filter.kind));
  }
}

/** Let the browser paint and handle input (a macrotask; not throttled like setTimeout in background tabs). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

const adapterName = (a: AdapterDescription) => [a.vendor, a.architecture].filter(Boolean).join(' ') || a.description || 'an adapter without a description';

/** This page's URL with backend=webgpu (the other settings kept). */
function webgpuUrl(): string {
  const q = new URLSearchParams(location.search);
  q.set('backend', 'webgpu');
  return `${location.pathname}?${q}`;
}

/**
 * WebGPU where the browser has a hardware adapter; cpu when asked for (`?backend=cpu`), when there is
 * no adapter, or when the adapter is a software renderer (SwiftShader: minutes per step where the cpu
 * backend takes milliseconds), which `?backend=webgpu` overrides.
 */
async function chooseBackend(): Promise<void> {
  const badge = $('backend');
  const link = $<HTMLAnchorElement>('force-webgpu');
  if (page.backend === 'cpu') {
    state.backendNote = 'cpu requested in the URL';
  } else {
    const probe = await probeWebGPU();
    state.adapter = probe.ok ? probe.adapter : null;
    if (!probe.ok) {
      // the setup help for Node and SwiftShader does not apply to a visitor's browser
      state.backendNote = `WebGPU unavailable: ${probe.reason.replace(NO_ADAPTER_HELP, '').trim()}`;
    } else if (probe.adapter.software && page.backend !== 'webgpu') {
      state.backendNote =
        `the WebGPU adapter is a software renderer (${adapterName(probe.adapter)}), far slower than the cpu backend ` +
        '(minutes per step instead of milliseconds), so training runs on cpu.';
      link.href = webgpuUrl();
      link.hidden = false;
    } else {
      try {
        const gpu = await createWebGPUBackend();
        g.setBackend('webgpu');
        state.backend = 'webgpu';
        state.backendNote = gpu.adapter.software
          ? `${adapterName(gpu.adapter)}, a software renderer, used because the URL says backend=webgpu: expect slow steps`
          : adapterName(gpu.adapter);
        gpu.device.lost.then((info) => {
          state.error = `the GPU device was lost (${info.message || info.reason}); reload the page`;
          state.running = false;
          message(state.error, true);
          render();
        });
      } catch (e) {
        state.backendNote = `WebGPU unavailable: ${(e as Error).message.replace(NO_ADAPTER_HELP, '').trim()}`;
      }
    }
  }
  if (state.backend !== 'webgpu') {
    g.setBackend('cpu');
    state.backend = 'cpu';
  }
  badge.textContent = state.backend === 'webgpu' ? 'WebGPU' : 'cpu';
  badge.classList.add(state.backend);
  $('backend-note').textContent = state.backendNote;
}

async function trainLoop(s: Session): Promise<void> {
  let t0 = performance.now();
  let steps0 = s.step;
  let run = readRun();
  while (state.running && session === s) {
    try {
      run = readRun();
    } catch {
      // a half-typed field: keep the last valid values
    }
    const { evalEvery, steps } = run;
    if (steps > 0 && s.step >= steps) {
      message(`stopped after ${steps} steps`);
      break;
    }
    // the first step builds every kernel (WGSL shaders on WebGPU): say so until it lands
    state.compiling = s.step === 0;
    $('working').hidden = !state.compiling;
    if (state.compiling) await nextTask();
    try {
      await s.trainStep();
    } finally {
      state.compiling = false;
      $('working').hidden = true;
    }
    state.step = s.step;
    if (s.step % evalEvery === 0) {
      const e = await s.evaluate();
      Object.assign(state, { trainAcc: e.trainAcc, valAcc: e.valAcc, valLoss: e.valLoss });
      if (state.grokkedAt === null && e.valAcc >= 0.95) state.grokkedAt = e.step;
      chart.add(e);
      state.points = chart.size;
    }
    const now = performance.now();
    if (now - t0 > 1000) {
      msPerStep = (now - t0) / Math.max(1, s.step - steps0);
      t0 = now;
      steps0 = s.step;
    }
    render();
    await nextTask();
  }
}

async function start(): Promise<void> {
  if (state.running) return;
  await loopDone;
  try {
    if (!session) {
      session = new Session(readModel(), readFilter());
      state.filter = session.filter;
      chart.mark({ step: 0, label: describeFilter(state.filter) });
    }
    readRun();
  } catch (e) {
    message((e as Error).message, true);
    return;
  }
  state.running = true;
  state.error = null;
  const d = session.data.description;
  message(`training on ${d.nTrain} of ${d.nTotal} equations (${d.formula}, p = ${d.p})`);
  render();
  loopDone = trainLoop(session)
    .catch((e: unknown) => {
      state.error = (e as Error).message;
      message(`training stopped: ${state.error}`, true);
    })
    .finally(() => {
      state.running = false;
      render();
    });
}

async function stop(): Promise<void> {
  const wasRunning = state.running;
  state.running = false;
  await loopDone;
  if (wasRunning && !state.error) message(`stopped at step ${state.step}`);
  render();
}

async function reset(): Promise<void> {
  await stop();
  session?.dispose();
  session = null;
  chart.clear();
  msPerStep = Number.NaN;
  Object.assign(state, { step: 0, points: 0, trainAcc: null, valAcc: null, valLoss: null, grokkedAt: null, error: null });
  message('reset: the next start builds a new model from the settings');
  render();
}

/** Apply the filter fields now; a running session uses them from its next step. */
function applyFilter(): void {
  let f: FilterSettings;
  try {
    f = readFilter();
    if (session) session.setFilter(f);
    else buildFilter(f); // throws on invalid values
  } catch (e) {
    message((e as Error).message, true);
    return;
  }
  const changed = JSON.stringify(f) !== JSON.stringify(state.filter);
  state.filter = f;
  if (changed && session) chart.mark({ step: session.step, label: describeFilter(f) });
  // keep "from step N" of the last real change when a control fires without changing anything
  if (changed || !session || $('message').classList.contains('error')) {
    message(`filter: ${describeFilter(f)}${session && state.running ? ` from step ${session.step + 1}` : ''}`);
  }
  render();
}

async function init(): Promise<void> {
  writeForm(initial);
  render();
  await chooseBackend();
  state.ready = true;
  buttons.start.addEventListener('click', () => void start());
  buttons.stop.addEventListener('click', () => void stop());
  buttons.reset.addEventListener('click', () => void reset());
  for (const id of ['filter', 'alpha', 'windowSize', 'lamb']) $(id).addEventListener('change', applyFilter);
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  if (problems.length) {
    const el = $('url-problems');
    el.textContent = `Ignored in the URL: ${problems.join('; ')}.`;
    el.hidden = false;
  }
  render();
  if (page.autostart) await start();
}

void init();
