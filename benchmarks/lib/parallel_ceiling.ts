/**
 * What the machine allows a parallel workload at the moment a suite measures one: the same loop
 * run `n` times over on one thread, then on `threads` threads at once with the same loop each.
 * Perfectly parallel work on free cores takes the same time on `threads` threads as one loop on
 * one thread, so `max(times on threads) / (threads × time on one)` is the best any
 * "N threads vs 1" ratio can be then. Two loops:
 * - `compute`: 8 independent multiply-add chains, no memory traffic, nothing shared (a 2-core
 *   AMD EPYC, 2026-12-06: 0.56–0.58 in three rounds): what arithmetic allows, where the other
 *   core may be slowed by its neighbours on a shared virtual machine;
 * - `stream`: copies between two arrays of {@link STREAM_BYTES} bytes per thread, far past the
 *   caches: what memory bandwidth allows the parts of a step that stream large arrays (an
 *   optimiser's update over the weights). On that machine one thread copied at 19.5–22.6 GB/s (reads
 *   plus writes) and the ratios were 0.75, 0.93 and 0.75 (`measureParallelCeiling(2, 30,
 *   "stream")` three times, 2026-12-06 ~20:48 UTC; the compute loop 0.82, 0.64, 0.53 meanwhile).
 *
 * The loops run in worker threads of their own (not the kernel pool), started before timing and
 * released together through an `Atomics` flag.
 */
import { Worker } from "node:worker_threads";
import { withRatio, type ResultRow } from "./report.js";
import { median } from "./timing.js";

/** One measurement: the loop on one thread, and on `threads` threads at once. */
export interface CeilingRound {
  /** Threads run at once. */
  readonly threads: number;
  /** ms for one loop on one thread. */
  readonly oneMs: number;
  /** ms of each thread when `threads` loops ran at once. */
  readonly manyMs: readonly number[];
  /** `max(manyMs) / (threads × oneMs)`: the time of `threads` loops' work on `threads` threads over its time on one (1/threads: perfect). */
  readonly ratio: number;
}

/** Bytes of each of the two arrays a `stream` loop copies between, per thread: past any L3 share. */
export const STREAM_BYTES = 32 * 1024 * 1024;

/** Which loop: see the module comment. */
export type CeilingLoop = "compute" | "stream";

/** The worker's source: warm up, wait for the start flag, time `n` iterations (stream: `n` copies), report. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
function loop(n) {
  let a0 = 1, a1 = 1.1, a2 = 1.2, a3 = 1.3, a4 = 1.4, a5 = 1.5, a6 = 1.6, a7 = 1.7;
  const m = 0.9999999, c = 1e-7;
  for (let i = 0; i < n; i++) {
    a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;
    a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;
  }
  return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}
const { n, flag, kind, bytes } = workerData;
const a = kind === "stream" ? new Float32Array(bytes / 4).fill(1) : null;
const b = kind === "stream" ? new Float32Array(bytes / 4) : null;
function stream(n) {
  for (let i = 0; i < n; i++) (i % 2 === 0 ? b.set(a) : a.set(b));
  return a[0] + b[b.length - 1];
}
const run = kind === "stream" ? stream : loop;
let sink = run(kind === "stream" ? 2 : Math.min(n, 1e6));
parentPort.postMessage({ ready: true });
Atomics.wait(new Int32Array(flag), 0, 0);
const t0 = performance.now();
sink += run(n);
parentPort.postMessage({ ms: performance.now() - t0, sink });
`;

/** Runs the loop on `threads` workers at once; resolves to each worker's ms. */
async function runAtOnce(threads: number, n: number, kind: CeilingLoop): Promise<number[]> {
  const flag = new SharedArrayBuffer(4);
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { n, flag, kind, bytes: STREAM_BYTES } }));
  try {
    const results = workers.map(
      (w) =>
        new Promise<number>((resolve, reject) => {
          w.on("message", (m: { ms?: number }) => m.ms !== undefined && resolve(m.ms));
          w.once("error", reject);
          w.once("exit", (code) => reject(new Error(`parallel ceiling: a worker exited with ${code} before reporting`)));
        }),
    );
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => w.on("message", (m: { ready?: boolean }) => m.ready && resolve()))));
    const view = new Int32Array(flag);
    Atomics.store(view, 0, 1);
    Atomics.notify(view, 0);
    return await Promise.all(results);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * One round: the loop (`n` iterations; `stream`: `n` copies of {@link STREAM_BYTES}) on one
 * thread, then on `threads` threads at once.
 *
 * @example
 * const r = await measureParallelCeiling(2, 5e7); // r.ratio ≈ 0.5 on two free cores
 * const s = await measureParallelCeiling(2, 60, "stream"); // near 1 where memory bandwidth does not grow with cores
 */
export async function measureParallelCeiling(threads: number, n: number, kind: CeilingLoop = "compute"): Promise<CeilingRound> {
  if (!Number.isInteger(threads) || threads < 2) throw new RangeError(`measureParallelCeiling: threads must be an integer >= 2, got ${threads}`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`measureParallelCeiling: n must be a positive integer, got ${n}`);
  if (kind !== "compute" && kind !== "stream") throw new RangeError(`measureParallelCeiling: kind must be "compute" or "stream", got ${JSON.stringify(kind)}`);
  const [oneMs] = await runAtOnce(1, n, kind);
  const manyMs = await runAtOnce(threads, n, kind);
  return { threads, oneMs: oneMs!, manyMs, ratio: ceilingRatio(oneMs!, manyMs) };
}

/**
 * `max(manyMs) / (manyMs.length × oneMs)`: see {@link CeilingRound.ratio}.
 *
 * @example
 * ceilingRatio(100, [100, 110]); // 0.55
 */
export function ceilingRatio(oneMs: number, manyMs: readonly number[]): number {
  if (!(oneMs > 0) || manyMs.length === 0 || manyMs.some((ms) => !(ms > 0))) throw new RangeError(`ceilingRatio: times must be positive (one ${oneMs}, many [${manyMs.join(", ")}])`);
  return Math.max(...manyMs) / (manyMs.length * oneMs);
}

/**
 * Collects {@link measureParallelCeiling} rounds of both loops beside a suite's own rounds (each
 * loop's length chosen so that one takes ~150 ms here, a few ms in quick runs).
 */
export class ParallelCeilingRecorder {
  readonly rounds: CeilingRound[] = [];
  readonly streamRounds: CeilingRound[] = [];
  constructor(
    readonly threads: number,
    private readonly quick: boolean,
  ) {}

  /** One more measurement of each loop. */
  async round(): Promise<void> {
    this.rounds.push(await measureParallelCeiling(this.threads, this.quick ? 2_000_000 : 60_000_000));
    this.streamRounds.push(await measureParallelCeiling(this.threads, this.quick ? 1 : 30, "stream"));
  }
}

/**
 * Four rows of `suite`: each loop's work on one thread and on the recorder's threads at once,
 * the second of each pair with its ratio to the first (the best "N threads vs 1" ratio of that
 * moment for arithmetic, and for streaming memory). No rows before the first round.
 *
 * @example
 * parallelCeilingRows("LeNet-300-100 MNIST step", recorder); // [..., { variant: "machine ceiling: ..., 2 threads at once", ratios: [{ to: "1 thread", value: 0.57 }] }, ...]
 */
export function parallelCeilingRows(suite: string, recorder: ParallelCeilingRecorder): ResultRow[] {
  const { threads } = recorder;
  const pair = (rounds: readonly CeilingRound[], what: string): ResultRow[] => {
    if (rounds.length === 0) return [];
    const serial = rounds.map((r) => threads * r.oneMs);
    const parallel = rounds.map((r) => Math.max(...r.manyMs));
    const note = `the best any ${threads}-thread speed-up could be at the time; per round ${rounds.map((r) => r.ratio.toFixed(2)).join(", ")}`;
    const one: ResultRow = { suite, variant: `${what}, 1 thread`, median: median(serial), unit: "ms", rounds: serial };
    const many: ResultRow = { suite, variant: `${what}, ${threads} threads at once`, median: median(parallel), unit: "ms", rounds: parallel, note };
    return [one, withRatio(many, one, { label: "1 thread" })];
  };
  return [
    ...pair(recorder.rounds, `machine ceiling: ${threads} copies of a floating-point loop (no memory traffic)`),
    ...pair(recorder.streamRounds, `machine ceiling: ${threads} copies of a memory-streaming loop (${STREAM_BYTES >> 20} MiB arrays per thread)`),
  ];
}
