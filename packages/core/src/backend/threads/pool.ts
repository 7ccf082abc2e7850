import { debugLog, nodeProcess, numThreads, onNumThreadsChange } from "./config.js";
import { kernelName, kernelRuntime, onKernelModuleAdded } from "./kernel_memory.js";
import { ERROR_AT, ERROR_CHARS, JOB, JOB_BYTES, MAX_CALLS, MAX_CHUNKS, RECORD, RECORDS, SLOT, SPIN_LOADS, WORKER_SOURCE } from "./worker_source.js";
import { createMailbox, mailboxCount, postModule, type ModuleMailbox } from "./module_mailbox.js";

/**
 * The worker pool: `numThreads() - 1` workers that run generated Wasm kernels over the shared
 * kernel memory (`kernel_memory.ts`), synchronised with `Atomics` (see `worker_source.ts`).
 *
 * A kernel that splits its work builds a {@link Job}: chunks of kernel calls, each chunk writing
 * its own part of the output. {@link runJob} publishes the job; the calling thread (from the
 * first chunk on) and the workers (from the last back) take chunks until none is left (so a
 * descheduled worker delays nobody), and it returns when all are done. Which thread computes a
 * chunk never changes how it is computed, so results do not depend on the thread count.
 *
 * Workers come from `worker_threads` in Node, reached through `process.getBuiltinModule` (no
 * static or dynamic `import` of a Node built-in, so browser bundles stay clean), and from Web
 * Workers over a Blob URL in cross-origin isolated pages. Where neither is possible the pool
 * has no workers and every job runs on the calling thread (noted once with `debugLog`).
 */

/** A started worker: its slot, how to stop it, and how to send it a kernel module added later. */
interface PoolWorker {
  slot: Int32Array;
  stop: () => void;
  post: (message: unknown) => void;
}

interface Pool {
  job: Int32Array;
  workers: PoolWorker[];
  /** Web Workers' way to late modules (`module_mailbox.ts`); `null` in Node, where they are posted. */
  mailbox: ModuleMailbox | null;
  /** Workers told to quit that have not answered yet (terminated by {@link reap} once they have). */
  stopping: PoolWorker[];
}

/**
 * The first kernel id the workers cannot get (a module the mailbox had no room for, and every
 * later one): a job calling one runs on the calling thread. Past every id while all reach them:
 * Node workers receive a module added while they run synchronously (`receiveMessageOnPort`)
 * when they meet one of its functions, Web Workers read it from the pool's mailbox.
 */
let workersLackFrom = Infinity;

let pool: Pool | null | undefined;

/**
 * Whether a job may call kernels of a module added from now on and still run on every thread
 * (Node, and browsers while the module mailbox has room); otherwise such a job runs on the
 * calling thread alone.
 * Example: `const kernels = threads > 1 && !lateModulesReachWorkers() ? general : specialised`.
 */
export function lateModulesReachWorkers(): boolean {
  return getPool() !== null && workersLackFrom === Infinity;
}

/** How a worker is started on this platform, or `null` when none can be. */
type Spawner = (init: Record<string, unknown>) => { stop: () => void; post: (message: unknown) => void };

interface NodeWorker {
  unref(): void;
  postMessage(message: unknown): void;
  terminate(): Promise<number>;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

function spawner(): Spawner | null {
  const proc = nodeProcess();
  if (proc !== undefined) {
    const wt = proc.getBuiltinModule?.("node:worker_threads") as { Worker?: new (src: string, opts: object) => NodeWorker } | undefined;
    if (wt?.Worker === undefined) {
      debugLog("node:worker_threads is unavailable (process.getBuiltinModule missing): kernels run on one thread");
      return null;
    }
    const NodeWorkerClass = wt.Worker;
    return (init) => {
      const w = new NodeWorkerClass(WORKER_SOURCE, { eval: true, workerData: init });
      // Idle workers sleep in Atomics.wait; they must not keep the process alive.
      w.unref();
      w.on("error", (err) => debugLog(`a kernel worker failed: ${String(err)}`));
      return { stop: () => void w.terminate(), post: (message) => w.postMessage(message) };
    };
  }
  const g = globalThis as { Worker?: new (url: string) => { postMessage(m: unknown): void; terminate(): void }; Blob?: typeof Blob; URL?: typeof URL; crossOriginIsolated?: boolean };
  if (g.Worker === undefined || g.Blob === undefined || g.URL === undefined || g.crossOriginIsolated !== true) {
    debugLog("Web Workers with shared memory need a cross-origin isolated page: kernels run on one thread");
    return null;
  }
  const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const WebWorker = g.Worker;
  return (init) => {
    const w = new WebWorker(url);
    w.postMessage(init);
    return { stop: () => w.terminate(), post: () => {} };
  };
}

let spawn: Spawner | null | undefined;

/** The pool, created (without workers) on first use; `null` when kernels cannot run on other threads. */
function getPool(): Pool | null {
  if (pool !== undefined) return pool;
  const rt = kernelRuntime();
  if (rt === null || !rt.shared) {
    pool = null;
    return pool;
  }
  spawn = spawner();
  pool = spawn === null ? null : { job: new Int32Array(new SharedArrayBuffer(JOB_BYTES)), workers: [], mailbox: nodeProcess() === undefined ? createMailbox() : null, stopping: [] };
  return pool;
}

/** Stops every worker, and makes the pool unavailable (kernels run on the calling thread). */
function shutDown(): void {
  const p = pool;
  if (!p) return;
  for (const w of [...p.workers, ...p.stopping]) w.stop();
  p.workers = [];
  p.stopping = [];
  pool = null;
  debugLog("a kernel worker stopped answering: the pool is shut down and kernels run on one thread");
}

/**
 * Workers told to quit that have not answered yet (diagnostics and tests: in Node, always 0 once
 * `setNumThreads` has returned, unless a worker took more than a second to answer).
 * Example: `setNumThreads(1); workersStopping()` is `0`.
 */
export function workersStopping(): number {
  return pool ? pool.stopping.length : 0;
}

/** Terminates the stopped workers that have answered their quit. */
function reap(p: Pool): void {
  if (p.stopping.length === 0) return;
  p.stopping = p.stopping.filter((w) => {
    if (Atomics.load(w.slot, SLOT.QUIT) !== 2) return true;
    w.stop();
    return false;
  });
}

/** Starts or stops workers so that there are `threads - 1`. */
function resize(p: Pool, threads: number): void {
  const rt = kernelRuntime()!;
  while (p.workers.length > threads - 1) {
    const w = p.workers.pop()!;
    Atomics.store(w.slot, SLOT.QUIT, 1);
    Atomics.add(p.job, JOB.GEN, 1);
    Atomics.notify(p.job, JOB.GEN);
    // Terminated only once it has answered (outside any job; see worker_source.ts). Node waits
    // here (a second at most); a browser's main thread cannot, so the worker waits in `stopping`.
    if (Atomics.load(w.slot, SLOT.READY) === 1 && nodeProcess() !== undefined) Atomics.wait(w.slot, SLOT.QUIT, 1, 1000);
    if (Atomics.load(w.slot, SLOT.READY) !== 1 || Atomics.load(w.slot, SLOT.QUIT) === 2) w.stop();
    else p.stopping.push(w);
  }
  reap(p);
  while (p.workers.length < threads - 1) {
    const slot = new Int32Array(new SharedArrayBuffer(SLOT.WORDS * 4));
    const names = [...groupNames(rt.ids)];
    try {
      // Every module compiled so far goes in the start-up data; later ones through the mailbox from its current count.
      const mail = p.mailbox === null ? {} : { mailbox: p.mailbox.buffer, mailboxStart: mailboxCount(p.mailbox) };
      const { stop, post } = spawn!({ memory: rt.memory, job: p.job.buffer, slot: slot.buffer, modules: rt.modules, names, ...mail });
      p.workers.push({ slot, stop, post });
    } catch (err) {
      debugLog(`a kernel worker could not start (${(err as Error).message}): using ${p.workers.length + 1} thread(s)`);
      return;
    }
  }
}

/** The export names of each module in registration order, from the `key/name → id` map (ids are dense and in order). */
function* groupNames(ids: ReadonlyMap<string, number>): Generator<string[]> {
  let key: string | null = null;
  let names: string[] = [];
  for (const [full] of [...ids.entries()].sort((a, b) => a[1] - b[1])) {
    const at = full.lastIndexOf("/");
    const k = full.slice(0, at);
    if (k !== key && key !== null) {
      yield names;
      names = [];
    }
    key = k;
    names.push(full.slice(at + 1));
  }
  if (key !== null) yield names;
}

// A module added later goes to every running worker before any job can call it (a new worker
// gets every module in its start-up data): posted to Node workers, into the mailbox for Web
// Workers. Once a module finds no room there, no later one is written (ids must stay in order).
onKernelModuleAdded((module, names, bytes, firstId) => {
  const p = pool;
  if (!p) return;
  if (p.mailbox === null) {
    for (const w of p.workers) w.post({ module, names });
  } else if (workersLackFrom === Infinity && !postModule(p.mailbox, bytes, names)) {
    workersLackFrom = firstId;
    debugLog(`the kernel module mailbox is full: jobs calling kernels from id ${firstId} on run on the calling thread`);
  }
});

onNumThreadsChange((n) => {
  const p = getPool();
  if (p === null) return;
  const before = p.workers.length;
  resize(p, n);
  // In Node, wait (briefly) for new workers, so the next large operation uses them.
  if (nodeProcess() !== undefined) for (const w of p.workers.slice(before)) Atomics.wait(w.slot, SLOT.READY, 0, 5000);
});

/**
 * How many threads a job may use now: the calling thread plus the ready workers, at most
 * `numThreads()`. Starts the workers on first call (they become ready in the background).
 * Example: `if (availableThreads() > 1 && work > threshold) runJob(split(job))`.
 */
export function availableThreads(): number {
  const want = numThreads();
  if (want <= 1 || threadCap <= 1) return 1;
  const p = getPool();
  if (p === null) return 1;
  if (p.workers.length !== want - 1) resize(p, want);
  if (p.stopping.length > 0) reap(p);
  let ready = 1;
  for (const w of p.workers) if (Atomics.load(w.slot, SLOT.READY) === 1) ready++;
  return Math.min(ready, threadCap);
}

/** At most this many threads for the jobs from now on (see {@link limitThreads}). */
let threadCap = Infinity;

/**
 * Caps the threads jobs may use from now on, below `numThreads()` (`Infinity`: no cap), and
 * returns the previous cap, to be restored. For a caller that found its work runs faster on
 * fewer threads (`pool_choice.ts`).
 * Example: `const before = limitThreads(1); try { run() } finally { limitThreads(before) }`.
 */
export function limitThreads(n: number): number {
  const before = threadCap;
  threadCap = n;
  return before;
}

/**
 * Tells spinning workers to sleep now rather than spin for the next job (`true`), or to spin
 * again after their next jobs (`false`); returns the previous setting. A worker checks every
 * 1,024 loads of its spin (a few microseconds). For a caller about to run without the pool for
 * a while: a worker spins for 0.5-2 ms after each job, and meanwhile the calling thread can run
 * slower (at times on this shared 2-vCPU machine: `pool_choice.ts`).
 * Example: `const before = hushWorkers(true); try { run() } finally { hushWorkers(before) }`.
 */
export function hushWorkers(hush: boolean): boolean {
  const p = getPool();
  if (p === null) return false;
  return Atomics.exchange(p.job, JOB.HUSH, hush ? 1 : 0) === 1;
}

/** Jobs that ran on more than one thread since the pool started. */
let sharedJobs = 0;

/**
 * Jobs handed to the workers since the pool started (whether some work was split across
 * threads in between).
 * Example: `const before = jobsShared(); run(); const split = jobsShared() > before`.
 */
export function jobsShared(): number {
  return sharedJobs;
}

/**
 * Chunks the workers have run since the pool started (diagnostics: whether a job's chunks
 * reached other threads); 0 without a pool.
 * Example: `const before = workerChunks(); runJob(job); workerChunks() - before`.
 */
export function workerChunks(): number {
  return pool ? Atomics.load(pool.job, JOB.WORKED) : 0;
}

/**
 * Whether kernels can run on other threads here (shared memory and workers), whatever the count.
 * Example: `threadsSupported()` is `true` in Node.
 */
export function threadsSupported(): boolean {
  return getPool() !== null;
}

/**
 * Waits (Node: blocking, up to `timeoutMs`) until every worker wanted by `numThreads()` is
 * ready; returns {@link availableThreads}. For tests and benchmarks that must compare counts.
 * Example: `setNumThreads(2); waitForThreads()` is `2` on a 2-core machine.
 */
export function waitForThreads(timeoutMs = 5000): number {
  availableThreads();
  const p = pool;
  if (p && nodeProcess() !== undefined) for (const w of p.workers) Atomics.wait(w.slot, SLOT.READY, 0, timeoutMs);
  return availableThreads();
}

/**
 * Kernel calls in chunks: a chunk's calls run in order on one thread; chunks may run on any
 * thread in any order, so they must write disjoint outputs. Each call is a kernel id
 * (`kernelId`) and up to 8 i32 arguments. Reading {@link Job.records} seals the job (no more
 * calls) and packs its records into one `Int32Array`, which {@link runJob} copies into the
 * pool's buffer in one block: a job kept and run again (a fused elementwise program's tiles,
 * thousands of calls) is packed once.
 * Example: `const job = new Job(); job.chunk(); job.call(id, a, b); job.chunk(); job.call(id, a2, b2); runJob(job)`.
 */
export class Job {
  private readonly list: number[] = [];
  private packed: Int32Array | null = null;
  /** The largest kernel id the job calls. */
  maxId = -1;
  /** Chunk `c` is records `starts[c]` up to `starts[c + 1]` (or the end). */
  readonly starts: number[] = [];
  /** Words recorded so far (`RECORD` per call). */
  get words(): number {
    return this.packed === null ? this.list.length : this.packed.length;
  }
  /** The records, `RECORD` words each, packed (the job is sealed from then on; the words may still be rewritten in place). */
  get records(): Int32Array {
    return (this.packed ??= Int32Array.from(this.list));
  }
  /** Starts a new chunk. */
  chunk(): void {
    this.starts.push(this.words / RECORD);
  }
  /** Appends a call to the current chunk. */
  call(id: number, ...args: number[]): void {
    if (this.packed !== null) throw new Error("Job.call: the job is sealed (its records were read)");
    if (this.starts.length === 0) this.chunk();
    const r = this.list;
    if (id > this.maxId) this.maxId = id;
    r.push(id);
    for (let i = 0; i < 8; i++) r.push(args[i] ?? 0);
  }
}

/**
 * A job over `parts` units of work split into consecutive, non-empty ranges: four chunks per
 * thread (at most one per unit), so the calling thread takes over the share of a worker the OS
 * delays. `emit(job, p0, p1)` appends the calls of units `p0` up to `p1` to the current chunk.
 * Example: `runJob(splitJob(rows, availableThreads(), (job, r0, r1) => job.call(id, r0, r1 - r0)))`.
 */
export function splitJob(parts: number, threads: number, emit: (job: Job, p0: number, p1: number) => void): Job {
  const chunks = Math.min(parts, 4 * threads);
  const job = new Job();
  for (let c = 0; c < chunks; c++) {
    const p0 = Math.floor((parts * c) / chunks);
    const p1 = Math.floor((parts * (c + 1)) / chunks);
    if (p1 === p0) continue;
    job.chunk();
    emit(job, p0, p1);
  }
  return job;
}

/** Runs records `from` up to `to` of a job on the calling thread. */
function runLocal(fns: readonly ((...args: number[]) => void)[], r: Int32Array, from: number, to: number): void {
  for (let q = from * RECORD; q < to * RECORD; q += RECORD) fns[r[q]!]!(r[q + 1]!, r[q + 2]!, r[q + 3]!, r[q + 4]!, r[q + 5]!, r[q + 6]!, r[q + 7]!, r[q + 8]!);
}

/**
 * Runs a job's chunks on the calling thread and the pool's ready workers, and returns when all
 * are done (on the calling thread alone when no worker is ready or the job is too large for the
 * pool's buffer).
 * Example: `runJob(job)`.
 */
export function runJob(job: Job): void {
  const fns = kernelRuntime()!.functions;
  const records = job.records;
  const calls = records.length / RECORD;
  const chunks = job.starts.length;
  const p = pool;
  const helpers = p ? p.workers.some((w) => Atomics.load(w.slot, SLOT.READY) === 1) : false;
  const lateModule = job.maxId >= workersLackFrom;
  if (!helpers || chunks < 2 || chunks > MAX_CHUNKS || calls > MAX_CALLS || lateModule) {
    runLocal(fns, records, 0, calls);
    return;
  }
  const j = p!.job;
  sharedJobs++;
  // No straggler from the previous job may reserve a chunk while this one is being written:
  // reservations are closed, and any worker that entered before that has left.
  Atomics.store(j, JOB.TAKEN, MAX_CHUNKS + 1);
  waitForWorkers(j);
  j.set(records, RECORDS);
  for (let c = 0; c < chunks; c++) j[JOB.TABLE + c] = job.starts[c]!;
  j[JOB.TABLE + chunks] = calls;
  Atomics.store(j, JOB.CHUNKS, chunks);
  Atomics.store(j, JOB.NEXT, 0);
  Atomics.store(j, JOB.BACK, 0);
  Atomics.store(j, JOB.TAKEN, 0);
  Atomics.add(j, JOB.GEN, 1);
  Atomics.notify(j, JOB.GEN);
  try {
    for (;;) {
      if (Atomics.add(j, JOB.TAKEN, 1) >= chunks) break;
      const c = Atomics.add(j, JOB.NEXT, 1);
      runLocal(fns, records, job.starts[c]!, c + 1 < chunks ? job.starts[c + 1]! : calls);
    }
  } catch (err) {
    // A call on this thread threw: no chunk is taken any more, the workers leave the job, and
    // this thread's error is the one reported (a worker's failure in the same job is dropped,
    // not left for the next job to throw).
    Atomics.store(j, JOB.TAKEN, MAX_CHUNKS + 1);
    waitForWorkers(j, false);
    throw err;
  }
  waitForWorkers(j);
}

/** How long a job may wait for a worker to leave it before the pool is given up (ms). */
export const WORKER_TIMEOUT_MS = 60_000;

/** The wait in force ({@link WORKER_TIMEOUT_MS} unless a test set another: {@link setWorkerTimeout}). */
let workerTimeoutMs = WORKER_TIMEOUT_MS;

/**
 * Sets how long a job waits for a worker before the pool is given up (tests of that path), and
 * returns the wait it replaces.
 * Example: `const before = setWorkerTimeout(300); ...; setWorkerTimeout(before)`.
 */
export function setWorkerTimeout(ms: number): number {
  const before = workerTimeoutMs;
  workerTimeoutMs = ms;
  return before;
}

/**
 * Spins, then sleeps, until no worker is active (browsers' main thread cannot sleep: it only
 * spins). A worker still active after {@link WORKER_TIMEOUT_MS} (or the limit a test set with
 * {@link setWorkerTimeout}; it died, or never left a job) would make every later job wait for
 * ever: the pool is shut down (kernels run on the calling thread from then on, noted once with
 * `debugLog`) and the job throws. Then, when a worker's kernel call threw in the job, throws
 * with its kernel and message (`report`; without it the failure is cleared).
 */
function waitForWorkers(j: Int32Array, report = true): void {
  let canSleep = nodeProcess() !== undefined;
  let since = -1;
  for (let n = 0; ; n++) {
    const active = Atomics.load(j, JOB.ACTIVE);
    if (active === 0) break;
    if (n >= SPIN_LOADS) {
      const t = Date.now();
      if (since < 0) since = t;
      else if (t - since > workerTimeoutMs) {
        shutDown();
        throw new Error(`runJob: a worker thread has not left a job for ${workerTimeoutMs / 1000} s; the pool is shut down and kernels run on the calling thread from now on`);
      }
      if (canSleep) {
        try {
          Atomics.wait(j, JOB.ACTIVE, active, Math.min(1000, workerTimeoutMs));
        } catch {
          canSleep = false;
        }
      }
      n = 0;
    }
  }
  // No worker is active: the failure's words are complete, and cleared whether reported or not.
  if (Atomics.load(j, JOB.FAILED) === 0) return;
  Atomics.store(j, JOB.FAILED, 0);
  if (!report) return;
  const id = j[ERROR_AT]!;
  const length = Math.min(j[ERROR_AT + 1]!, ERROR_CHARS);
  const message = String.fromCharCode(...j.subarray(ERROR_AT + 2, ERROR_AT + 2 + length));
  throw new Error(`runJob: kernel ${kernelName(id)} (id ${id}) failed in a worker thread: ${message}`);
}
