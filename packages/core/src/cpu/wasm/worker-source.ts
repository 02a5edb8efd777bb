/**
 * The helper thread's program, as plain JavaScript evaluated by `new Worker(src, { eval: true })`, so it
 * needs no file of its own (the package runs both from dist/ and from source). It is valid both as a
 * script and as a module (a parent started with --input-type=module passes that on).
 *
 * A job is a GEMM (packed, or the unpacked kernel for batches of tiny products) cut into chunks along
 * one dimension (batch, rows or columns), or a GELU cut into runs of elements (CMD says which; all three
 * are functions of the GEMM module, gemm-module.ts). Both threads claim
 * chunks from a shared counter until none are left, so a helper that wakes late (its core busy, or
 * descheduled by a hypervisor) just takes fewer chunks and never holds the caller up for long.
 *
 * Handshake: the caller bumps SEQ (the helper wakes: it polls for a while after each job, then sleeps
 * in Atomics.wait), writes the job, and publishes the same number in GO; its copies of A and B overlap
 * the wake-up. NEXT holds (SEQ & 0x7fff) << 16 | next chunk index, so a claim made for a finished job
 * fails; FIN counts finished chunks, and whoever finishes the last one wakes the caller.
 */

/** Int32 slots of the control block at the start of wasm memory. */
export const CTRL = {
  SEQ: 0, GO: 1, READY: 2, CMD: 3, ERR: 4, NEXT: 5, FIN: 6, NCHUNK: 7,
  DIM: 8, CHUNK: 9, TOTAL: 10, DA: 11, DB: 12, DC: 13, HELPED: 14, ARGS: 16,
} as const;
/** Bytes reserved for the control block. */
export const CTRL_BYTES = 128;
export const CMD_GEMM = 0;
export const CMD_EXIT = 1;
export const CMD_GELU = 2;
/** the GEMM module's unpacked kernel for batches of tiny products (gemm-module.ts `small`) */
export const CMD_SMALL = 3;

/**
 * The arguments of chunk `i` (written into `args`, a copy of the whole job's): pointers advance by
 * i·CHUNK units of DA/DB/DC bytes and the split dimension shrinks to the chunk's extent.
 */
export const chunkArgsSource = `
function chunkArgs(args, whole, i, dim, chunk, total, dA, dB, dC, scratch) {
  for (let j = 0; j < 16; j++) args[j] = whole[j];
  const u = i * chunk;
  args[0] += u * dA;
  args[1] += u * dB;
  args[2] += u * dC;
  args[dim] = Math.min(chunk, total - u);
  args[15] = scratch;
}`;

export const workerSource = `
'use strict';
const { workerData } = (typeof require === 'function' ? require : process.getBuiltinModule)('node:worker_threads');
const { module, memory, spinMs, scratch } = workerData;
const ctrl = new Int32Array(memory.buffer, 0, ${CTRL_BYTES / 4});
${chunkArgsSource}
let seen = Atomics.load(ctrl, ${CTRL.SEQ});
let gemm, small, gelu;
try {
  ({ gemm, small, gelu } = new WebAssembly.Instance(module, { env: { memory } }).exports);
  Atomics.store(ctrl, ${CTRL.READY}, 1);
} catch (e) {
  Atomics.store(ctrl, ${CTRL.READY}, -1);
}
Atomics.notify(ctrl, ${CTRL.READY});
const now = () => performance.now();
const whole = new Array(16).fill(0);
const args = new Array(16).fill(0);
while (gemm) {
  let until = now() + spinMs;
  for (let i = 1; Atomics.load(ctrl, ${CTRL.SEQ}) === seen; i++) {
    if ((i & 1023) === 0 && now() > until) Atomics.wait(ctrl, ${CTRL.SEQ}, seen);
  }
  until = now() + 50;
  for (let i = 1; ; i++) {
    const g = Atomics.load(ctrl, ${CTRL.GO});
    seen = Atomics.load(ctrl, ${CTRL.SEQ});
    if (g === seen) break;
    if ((i & 1023) === 0 && now() > until) Atomics.wait(ctrl, ${CTRL.GO}, g, 1000);
  }
  const cmd = Atomics.load(ctrl, ${CTRL.CMD});
  if (cmd === ${CMD_EXIT}) break;
  const tag = seen & 0x7fff;
  for (let j = 0; j < 16; j++) whole[j] = Atomics.load(ctrl, ${CTRL.ARGS} + j);
  const n = Atomics.load(ctrl, ${CTRL.NCHUNK}), dim = ctrl[${CTRL.DIM}], chunk = ctrl[${CTRL.CHUNK}];
  const total = ctrl[${CTRL.TOTAL}], dA = ctrl[${CTRL.DA}], dB = ctrl[${CTRL.DB}], dC = ctrl[${CTRL.DC}];
  for (;;) {
    const v = Atomics.load(ctrl, ${CTRL.NEXT});
    if (v >>> 16 !== tag || (v & 0xffff) >= n) break;
    if (Atomics.compareExchange(ctrl, ${CTRL.NEXT}, v, v + 1) !== v) continue;
    const i = v & 0xffff;
    chunkArgs(args, whole, i, dim, chunk, total, dA, dB, dC, scratch);
    try {
      if (cmd === ${CMD_GELU}) gelu(args[0], args[2], args[3], args[4], args[6]);
      else if (cmd === ${CMD_SMALL}) small(...args);
      else gemm(...args);
    } catch (e) {
      Atomics.store(ctrl, ${CTRL.ERR}, i + 1);
    }
    Atomics.add(ctrl, ${CTRL.HELPED}, 1);
    if (Atomics.add(ctrl, ${CTRL.FIN}, 1) + 1 === n) Atomics.notify(ctrl, ${CTRL.FIN});
  }
}
`;
