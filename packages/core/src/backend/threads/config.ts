import { ArgumentTypeError, ValueError } from "../../errors.js";

/**
 * How many threads the kernels may use: the calling thread plus `numThreads() - 1` workers of
 * the pool (`pool.ts`). Defaults to the `CONNEX_NUM_THREADS` environment variable when it is
 * set (Node), else to the machine's available parallelism (`os.availableParallelism()` in Node,
 * `navigator.hardwareConcurrency` in browsers), else 1. Results do not depend on it: every
 * threaded kernel splits its work over output elements, never over a summation.
 */

/** Environment variable that sets the default thread count. */
export const NUM_THREADS_VARIABLE = "CONNEX_NUM_THREADS";

/** An upper bound that keeps a mistyped count from starting hundreds of workers. */
export const MAX_THREADS = 256;

let requested: number | undefined;

/** Listeners told when the count changes (the pool resizes itself). */
const listeners: ((n: number) => void)[] = [];

interface NodeLikeProcess {
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (name: string) => unknown;
}

/** Node's `process`, or `undefined` in browsers (read through `globalThis` so bundlers see no Node global). */
export function nodeProcess(): NodeLikeProcess | undefined {
  const p = (globalThis as { process?: NodeLikeProcess }).process;
  return p !== undefined && typeof p === "object" ? p : undefined;
}

/** The machine's available parallelism, at least 1. */
function machineParallelism(): number {
  const os = nodeProcess()?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined;
  const fromOs = os?.availableParallelism?.() ?? os?.cpus?.().length;
  if (fromOs !== undefined && fromOs >= 1) return fromOs;
  const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return hc !== undefined && hc >= 1 ? hc : 1;
}

/** The count from `CONNEX_NUM_THREADS`, or `undefined` when unset; a malformed value is ignored with a debug note. */
function fromEnvironment(): number | undefined {
  const raw = nodeProcess()?.env?.[NUM_THREADS_VARIABLE];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_THREADS);
  debugLog(`${NUM_THREADS_VARIABLE}=${JSON.stringify(raw)} is not a positive integer; using the machine's parallelism`);
  return undefined;
}

/**
 * The number of threads kernels may use (the calling thread included).
 * Example: `numThreads()` is `2` on a 2-core machine unless `CONNEX_NUM_THREADS` or
 * {@link setNumThreads} says otherwise.
 */
export function numThreads(): number {
  if (requested === undefined) requested = Math.min(fromEnvironment() ?? machineParallelism(), MAX_THREADS);
  return requested;
}

/**
 * Sets the number of threads kernels may use, the calling thread included (`1`: everything on
 * the calling thread). Results are identical bit for bit whatever the count. Workers start (or
 * stop) in the background; in Node the call waits briefly for new workers to be ready, so the
 * next large operation already uses them. Where workers cannot run (no `SharedArrayBuffer`,
 * e.g. a page that is not cross-origin isolated) everything keeps running on one thread.
 * Example: `setNumThreads(1)` before timing single-threaded, `setNumThreads(2)` after.
 */
export function setNumThreads(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new ArgumentTypeError(`setNumThreads: n must be an integer, got ${typeof n === "number" ? String(n) : typeof n}`);
  }
  if (n < 1 || n > MAX_THREADS) {
    throw new ValueError(`setNumThreads: n must be an integer from 1 to ${MAX_THREADS}, got ${String(n)}`);
  }
  requested = n;
  for (const listener of listeners) listener(n);
}

/** Registers a listener for {@link setNumThreads} (the pool). */
export function onNumThreadsChange(listener: (n: number) => void): void {
  listeners.push(listener);
}

const logged: string[] = [];

/** Environment variable that makes {@link debugLog} print in Node (browsers hide `console.debug` by default, so there it always prints). */
export const DEBUG_VARIABLE = "CONNEX_DEBUG";

/**
 * Notes a message once (repeats are dropped), e.g. why the pool did not start: printed through
 * `console.debug` in browsers (shown only at the console's verbose level) and in Node when
 * `CONNEX_DEBUG` is set (Node's `console.debug` writes to stdout). Never throws.
 * Example: `debugLog("SharedArrayBuffer is unavailable: kernels run on one thread")`.
 */
export function debugLog(message: string): void {
  if (logged.includes(message)) return;
  logged.push(message);
  const proc = nodeProcess();
  if (proc !== undefined && proc.env?.[DEBUG_VARIABLE] === undefined) return;
  try {
    const c = (globalThis as { console?: { debug?: (...args: unknown[]) => void } }).console;
    c?.debug?.(`[connex] ${message}`);
  } catch {
    // A console that throws must not break a computation.
  }
}

/** The messages {@link debugLog} has noted, oldest first. Example: `debugMessages().some((m) => m.includes("one thread"))`. */
export function debugMessages(): readonly string[] {
  return logged;
}
