/**
 * What the machine allows a parallel workload at the moment a suite measures one: the same
 * floating-point loop (8 independent multiply-add chains, no memory traffic, nothing shared) run
 * `n` times over on one thread, then on `threads` threads at once with the same loop each.
 * Perfectly parallel work on free cores takes the same time on `threads` threads as one loop on
 * one thread, so `max(times on threads) / (threads × time on one)` is the best any
 * "N threads vs 1" ratio can be then: on a shared virtual machine the other core may be slowed
 * by its neighbours (a 2-core AMD EPYC, 2026-12-06: 0.56–0.58 in three rounds of this loop,
 * and 0.47–0.91 for a loop streaming 3 MB per thread within ten minutes).
 *
 * The loop runs in worker threads of its own (not the kernel pool), started before timing and
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

/** The worker's source: warm up, wait for the start flag, time `n` iterations, report. */
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
const { n, flag } = workerData;
let sink = loop(Math.min(n, 1e6));
parentPort.postMessage({ ready: true });
Atomics.wait(new Int32Array(flag), 0, 0);
const t0 = performance.now();
sink += loop(n);
parentPort.postMessage({ ms: performance.now() - t0, sink });
`;

/** Runs the loop on `threads` workers at once; resolves to each worker's ms. */
async function runAtOnce(threads: number, n: number): Promise<number[]> {
  const flag = new SharedArrayBuffer(4);
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { n, flag } }));
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
 * One round: the loop (`n` iterations) on one thread, then on `threads` threads at once.
 *
 * @example
 * const r = await measureParallelCeiling(2, 5e7); // r.ratio ≈ 0.5 on two free cores
 */
export async function measureParallelCeiling(threads: number, n: number): Promise<CeilingRound> {
  if (!Number.isInteger(threads) || threads < 2) throw new RangeError(`measureParallelCeiling: threads must be an integer >= 2, got ${threads}`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`measureParallelCeiling: n must be a positive integer, got ${n}`);
  const [oneMs] = await runAtOnce(1, n);
  const manyMs = await runAtOnce(threads, n);
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
 * Collects {@link measureParallelCeiling} rounds beside a suite's own rounds (the loop's length
 * chosen so that one loop takes ~150 ms here, ~5 ms in quick runs).
 */
export class ParallelCeilingRecorder {
  readonly rounds: CeilingRound[] = [];
  constructor(
    readonly threads: number,
    private readonly quick: boolean,
  ) {}

  /** One more measurement. */
  async round(): Promise<void> {
    this.rounds.push(await measureParallelCeiling(this.threads, this.quick ? 2_000_000 : 60_000_000));
  }
}

/**
 * Two rows of `suite`: the loops' work on one thread and on the recorder's threads at once,
 * the second with its ratio to the first (the best "N threads vs 1" ratio of that moment). No
 * rows before the first round.
 *
 * @example
 * parallelCeilingRows("LeNet-300-100 MNIST step", recorder); // [..., { variant: "machine ceiling: ..., 2 threads at once", ratios: [{ to: "1 thread", value: 0.57 }] }]
 */
export function parallelCeilingRows(suite: string, recorder: ParallelCeilingRecorder): ResultRow[] {
  const { threads, rounds } = recorder;
  if (rounds.length === 0) return [];
  const serial = rounds.map((r) => threads * r.oneMs);
  const parallel = rounds.map((r) => Math.max(...r.manyMs));
  const what = `machine ceiling: ${threads} copies of a floating-point loop (no memory traffic)`;
  const note = `the best any ${threads}-thread speed-up could be at the time; per round ${rounds.map((r) => r.ratio.toFixed(2)).join(", ")}`;
  const one: ResultRow = { suite, variant: `${what}, 1 thread`, median: median(serial), unit: "ms", rounds: serial };
  const many: ResultRow = { suite, variant: `${what}, ${threads} threads at once`, median: median(parallel), unit: "ms", rounds: parallel, note };
  return [one, withRatio(many, one, { label: "1 thread" })];
}
