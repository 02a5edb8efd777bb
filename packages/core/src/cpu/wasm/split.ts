/**
 * A job cut into chunks that the calling thread and the runtime's helper thread claim from a shared
 * counter (the protocol is described in worker-source.ts). The GEMM (gemm.ts) and GELU (gelu.ts)
 * use it; the helper runs a chunk of command CMD_GEMM with the GEMM module and one of CMD_GELU with
 * the GELU loop, both on the shared memory.
 */
import { stopWorker, type Runtime } from './runtime.js';
import { CTRL, CTRL_BYTES } from './worker-source.js';

/** Atomics.load polls by the caller before it sleeps on the helper. */
const SPIN = 20000;

/** A job's 16 arguments: pointers in 0–2, the rest as the command reads them; 15 is the thread's scratch. */
export type Args = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

/**
 * How a job is cut: along argument `dim` in chunks of `chunk` units (of `total`, `n` chunks); chunk
 * i's pointers 0, 1, 2 advance by i·chunk·dA, dB, dC bytes.
 */
export interface SplitPlan { dim: number; chunk: number; total: number; n: number; dA: number; dB: number; dC: number }

/** Same as the helper's chunkArgs (worker-source.ts). */
function chunkArgs(args: Args, whole: Args, i: number, p: SplitPlan, scratch: number): void {
  for (let j = 0; j < 16; j++) args[j] = whole[j]!;
  const u = i * p.chunk;
  args[0] += u * p.dA;
  args[1] += u * p.dB;
  args[2] += u * p.dC;
  args[p.dim] = Math.min(p.chunk, p.total - u);
  args[15] = scratch;
}

/**
 * Run a woken job (see runtime.ts `wake`) on both threads: publish it as command `cmd`, claim chunks
 * with `local` until none are left, then wait for the helper's. If the helper fails or stops
 * answering, its work is redone here (`local` must be safe to run again on the same chunk) and the
 * helper is not used again.
 */
export function runSplit(rt: Runtime, whole: Args, p: SplitPlan, cmd: number, local: (args: Args) => void): void {
  const ctrl = rt.ctrl;
  const tag = rt.seq & 0x7fff;
  for (let j = 0; j < 16; j++) ctrl[CTRL.ARGS + j] = whole[j]!;
  ctrl[CTRL.DIM] = p.dim;
  ctrl[CTRL.CHUNK] = p.chunk;
  ctrl[CTRL.TOTAL] = p.total;
  ctrl[CTRL.DA] = p.dA;
  ctrl[CTRL.DB] = p.dB;
  ctrl[CTRL.DC] = p.dC;
  Atomics.store(ctrl, CTRL.NCHUNK, p.n);
  Atomics.store(ctrl, CTRL.FIN, 0);
  Atomics.store(ctrl, CTRL.ERR, 0);
  Atomics.store(ctrl, CTRL.NEXT, tag << 16);
  Atomics.store(ctrl, CTRL.CMD, cmd);
  Atomics.store(ctrl, CTRL.GO, rt.seq);
  Atomics.notify(ctrl, CTRL.GO, 1);
  const args: Args = [...whole];
  for (;;) {
    const v = Atomics.load(ctrl, CTRL.NEXT);
    if ((v & 0xffff) >= p.n) break;
    if (Atomics.compareExchange(ctrl, CTRL.NEXT, v, v + 1) !== v) continue;
    chunkArgs(args, whole, v & 0xffff, p, CTRL_BYTES);
    local(args);
    Atomics.add(ctrl, CTRL.FIN, 1);
  }
  // wait for the chunks the helper claimed: poll briefly, then sleep
  let f = Atomics.load(ctrl, CTRL.FIN);
  for (let i = 0; f < p.n && i < SPIN; i++) f = Atomics.load(ctrl, CTRL.FIN);
  let waited = 0;
  while (f < p.n) {
    if (Atomics.wait(ctrl, CTRL.FIN, f, 1000) === 'timed-out' && ++waited >= 60) break;
    f = Atomics.load(ctrl, CTRL.FIN);
  }
  const err = Atomics.load(ctrl, CTRL.ERR);
  if (f < p.n || err !== 0) {
    // the helper failed or stopped answering: redo its work here and stop using it
    stopWorker(rt);
    if (f < p.n) local(whole);
    else {
      chunkArgs(args, whole, err - 1, p, CTRL_BYTES);
      local(args);
    }
  }
}
