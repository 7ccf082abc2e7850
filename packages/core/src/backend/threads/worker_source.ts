/**
 * The source of a pool worker, as one self-contained string: Node runs it with
 * `new Worker(source, { eval: true, workerData })`, browsers from a Blob URL (the init data then
 * arrives as the first message). Being a string, it needs no separate file in the published
 * package or the browser bundle, and works the same under vitest (which runs the TS sources).
 *
 * Protocol (Int32Array words over SharedArrayBuffers): the pool's `job` buffer holds a job as
 * chunks of kernel calls (`job[CHUNKS]` chunks; chunk `c`'s records are `job[TABLE + c]` up to
 * `job[TABLE + c + 1]`, each `RECORD` words from `RECORDS`: a kernel id, then 8 i32 arguments).
 * A thread reserves a chunk with `Atomics.add(job, TAKEN, 1)` (none left once it reaches
 * `CHUNKS`), then takes the next one from its end: the caller from the first (`NEXT` counts
 * up), workers from the last (`BACK` counts down from `CHUNKS - 1`); reservations never
 * exceed the chunks, so the two ends never meet. A worker that the OS has descheduled (the
 * machine is often shared) delays nobody: the caller takes its chunks. Taking from both ends
 * keeps each part of an array on the same core from one operation to the next (a product's
 * first rows and the elementwise loop over them on the caller, its last rows on the worker):
 * with every thread taking from the front, the parts fell to either core by chance and their
 * next reader often found them in the other core's cache. The jitted MNIST step took 1.11x,
 * 1.05x and 1.05x as long that way on 2 threads, the DenseMLP step 1.01x, 1.04x and 1.02x
 * (20 ABBA pairs of 20-call blocks in one process, paired medians; 2-core AMD EPYC,
 * 2026-12-06 ~11:15).
 * - `slot[READY]` is set to 1 once the worker's kernels are compiled;
 * - the caller publishes a job by storing `TAKEN` past every chunk and waiting until no worker
 *   is active (a worker late for the last job, counted in `ACTIVE` before it reserves, then
 *   reserves nothing and leaves), writing the job, storing `NEXT = BACK = 0`, then
 *   `TAKEN = 0`, incrementing `job[GEN]` and notifying it. A worker reads `CHUNKS` after its
 *   reservation, so one that arrives after `TAKEN = 0` sees this job's count. A worker spins
 *   on `GEN` for a while (a job every few microseconds is common in a training step, and
 *   waking a sleeping thread costs tens of microseconds), then sleeps in `Atomics.wait`;
 * - a worker counts itself in `job[ACTIVE]` while it takes chunks, and notifies `ACTIVE` when it
 *   leaves it at 0: the caller, once no chunk is left, waits for `ACTIVE` to be 0;
 * - a worker checks `job[HUSH]` every 1,024 loads of its spin and sleeps at once when it is 1
 *   (`hushWorkers`: the caller will run without the pool for a while);
 * - a failing call sets `job[FAILED]` and leaves its kernel id and message at `ERROR_AT` (the
 *   first failure of a job; the caller throws with them);
 * - `slot[QUIT] = 1` (then a `GEN` bump) ends the worker, which answers `slot[QUIT] = 2` outside any job: only then is it terminated (terminated
 *   between its `ACTIVE` increment and decrement, a worker late for the last job would leave
 *   `ACTIVE` counted forever, and the next job would wait for it);
 * - kernel modules added after start-up (`addKernelModule`) are posted to Node workers as
 *   `{ module, names }` before any job calls them; a worker meeting a kernel id it lacks takes
 *   the pending modules with `receiveMessageOnPort` (synchronously, within the job). Web
 *   Workers read them from the module mailbox (`module_mailbox.ts`) instead, compiling each.
 */

import { MAILBOX } from "./module_mailbox.js";

/** Word indices in the pool's job buffer (`WORKED` counts the chunks workers have run, for diagnostics). */
export const JOB = { GEN: 0, NEXT: 1, CHUNKS: 2, ACTIVE: 3, FAILED: 4, TAKEN: 5, BACK: 6, WORKED: 7, HUSH: 8, TABLE: 9 } as const;
/** Word indices in a worker's slot. */
export const SLOT = { READY: 0, QUIT: 1, WORDS: 4 } as const;
/** Words per call record: the kernel id and 8 i32 arguments. */
export const RECORD = 9;
/** Chunks one job may have. */
export const MAX_CHUNKS = 1024;
/** Calls one job may hold in all. */
export const MAX_CALLS = 16384;
/** Where the records start. */
export const RECORDS = JOB.TABLE + MAX_CHUNKS + 1;
/**
 * Where a worker whose kernel call threw leaves what the caller reports: the kernel id at
 * `ERROR_AT`, the message's length at `ERROR_AT + 1`, then its first {@link ERROR_CHARS} UTF-16
 * code units, one per word (the first failure of a job only).
 */
export const ERROR_AT = RECORDS + RECORD * MAX_CALLS;
/** Characters of a worker's error message that reach the caller. */
export const ERROR_CHARS = 240;
/** Bytes of the job buffer. */
export const JOB_BYTES = (ERROR_AT + 2 + ERROR_CHARS) * 4;
/** Spins (atomic loads) before a waiting thread sleeps: 0.5-2.0 ms on this machine (a throw-away loop of 65,536 loads, five runs, 2026-12-07). */
export const SPIN_LOADS = 1 << 16;

/** The worker's code; see the module comment. */
export const WORKER_SOURCE = `"use strict";
const MAILBOX_COUNT = ${MAILBOX.COUNT}, MAILBOX_INDEX = ${MAILBOX.INDEX};
const GEN = ${JOB.GEN}, NEXT = ${JOB.NEXT}, CHUNKS = ${JOB.CHUNKS}, ACTIVE = ${JOB.ACTIVE}, FAILED = ${JOB.FAILED}, TAKEN = ${JOB.TAKEN}, BACK = ${JOB.BACK}, WORKED = ${JOB.WORKED}, HUSH = ${JOB.HUSH}, TABLE = ${JOB.TABLE}, RECORDS = ${RECORDS}, ERROR_AT = ${ERROR_AT}, ERROR_CHARS = ${ERROR_CHARS};
const READY = ${SLOT.READY}, QUIT = ${SLOT.QUIT}, RECORD = ${RECORD}, SPIN = ${SPIN_LOADS};
function run(init, receive) {
  const fns = [];
  const add = (module, names) => {
    const instance = new WebAssembly.Instance(module, { env: { memory: init.memory } });
    for (const name of names) fns.push(instance.exports[name]);
  };
  for (let i = 0; i < init.modules.length; i++) add(init.modules[i], init.names[i]);
  // A kernel added after start-up: its module was posted before the job that calls it.
  const late = (id) => {
    for (let waited = 0; fns[id] === undefined; ) {
      const message = receive === undefined ? undefined : receive();
      if (message !== undefined) add(message.module, message.names);
      else if (++waited > 10000) throw new Error("kernel " + id + " never arrived");
      else Atomics.wait(s, QUIT, 0, 0.05);
    }
    return fns[id];
  };
  const j = new Int32Array(init.job);
  const s = new Int32Array(init.slot);
  let seen = Atomics.load(j, GEN);
  Atomics.store(s, READY, 1);
  Atomics.notify(s, READY);
  for (;;) {
    let gen = Atomics.load(j, GEN);
    for (let n = 0; gen === seen; ) {
      if (++n < SPIN && ((n & 1023) !== 0 || Atomics.load(j, HUSH) === 0)) gen = Atomics.load(j, GEN);
      else { Atomics.wait(j, GEN, seen); gen = Atomics.load(j, GEN); n = 0; }
    }
    seen = gen;
    if (Atomics.load(s, QUIT) !== 0) {
      Atomics.store(s, QUIT, 2);
      Atomics.notify(s, QUIT);
      return;
    }
    Atomics.add(j, ACTIVE, 1);
    let p = 0;
    try {
      for (;;) {
        const taken = Atomics.add(j, TAKEN, 1);
        const chunks = Atomics.load(j, CHUNKS);
        if (taken >= chunks) break;
        const c = chunks - 1 - Atomics.add(j, BACK, 1);
        Atomics.add(j, WORKED, 1);
        const end = RECORDS + j[TABLE + c + 1] * RECORD;
        for (p = RECORDS + j[TABLE + c] * RECORD; p < end; p += RECORD) (fns[j[p]] ?? late(j[p]))(j[p + 1], j[p + 2], j[p + 3], j[p + 4], j[p + 5], j[p + 6], j[p + 7], j[p + 8]);
      }
    } catch (err) {
      // The first failure of the job leaves the kernel id and the message for the caller (read
      // once no worker is active: after this thread's ACTIVE decrement below).
      if (Atomics.compareExchange(j, FAILED, 0, 1) === 0) {
        const text = String(err !== null && typeof err === "object" && "message" in err ? err.message : err).slice(0, ERROR_CHARS);
        j[ERROR_AT] = j[p];
        j[ERROR_AT + 1] = text.length;
        for (let i = 0; i < text.length; i++) j[ERROR_AT + 2 + i] = text.charCodeAt(i);
      }
    }
    if (Atomics.sub(j, ACTIVE, 1) === 1) Atomics.notify(j, ACTIVE);
  }
}
if (typeof require === "function" && typeof process === "object") {
  const { workerData, parentPort, receiveMessageOnPort } = require("node:worker_threads");
  run(workerData, () => receiveMessageOnPort(parentPort)?.message);
} else {
  // Late modules come through the mailbox (module_mailbox.ts): entries from mailboxStart on.
  const mailReader = (init) => {
    if (!init.mailbox) return undefined;
    const words = new Int32Array(init.mailbox), bytes = new Uint8Array(init.mailbox);
    let next = init.mailboxStart;
    return () => {
      if (next >= Atomics.load(words, MAILBOX_COUNT)) return undefined;
      const e = MAILBOX_INDEX + 3 * next++;
      const at = words[e], n = words[e + 1], m = words[e + 2];
      return { module: new WebAssembly.Module(bytes.slice(at, at + n)), names: JSON.parse(new TextDecoder().decode(bytes.slice(at + n, at + n + m))) };
    };
  };
  self.onmessage = (event) => { self.onmessage = null; run(event.data, mailReader(event.data)); };
}
`;
