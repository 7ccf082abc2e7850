/**
 * The `threads` suite: what the worker pool and the Wasm SIMD matmul kernels give.
 * - float32 matrix products at the MNIST LeNet-300-100 layer shapes (batch 100) and square
 *   shapes, on 1 thread and on `numThreads()` threads, against NumPy+OpenBLAS forced to one
 *   thread (`OPENBLAS_NUM_THREADS=1`; `OPENBLAS_CORETYPE`/`OPENBLAS_L2_SIZE` unset for that
 *   child only), in ms per product with GFLOP/s in the note. Two rows of ours per shape and
 *   count: the kernel as a jitted step runs it (operands and result in the kernel memory, the
 *   result's block reused from call to call), and eager `np.matmul` (ordinary operands copied
 *   in, a new ordinary result per call, as `a @ b` makes a new array in NumPy);
 * - the jitted DenseMLP training step on 1 thread and on `numThreads()` threads (the parallel
 *   speed-up is the inverse of the ratio), beside NumPy's same step (`np_dense.py`) on every core
 *   and on one, and the machine's ceiling for any 2-thread ratio at the time
 *   (`lib/parallel_ceiling.ts`).
 * Rounds alternate between the variants (1 thread, N threads, NumPy) so they see the same load.
 */
import { spawnSync } from "node:child_process";
import { np, numThreads, setNumThreads, type Tensor } from "@connex/core";
import { allocateResident, releaseResident } from "../packages/core/src/backend/resident_storage.js";
import { matmulWasmF32Into, wasmMatmulAvailable } from "../packages/core/src/backend/kernels/wasm/matmul_wasm.js";
import { withRatio, type ResultRow, type Skipped } from "./lib/report.js";
import { ProbeTally } from "./lib/probe_tally.js";
import type { Suite } from "./lib/suite.js";
import { collectGarbageThenSettle, median, timeOnce } from "./lib/timing.js";
import { denseNetwork, Trainer } from "./lib/workloads.js";
import { parallelCeilingRows, ParallelCeilingRecorder } from "./lib/parallel_ceiling.js";
import { PeerRecorder, preparePeerCopy, selectPeers } from "./peers.js";

/** `[m, k, n]`: the LeNet-300-100 forward product, its weight gradient (`xᵀ·δ`), its input gradient, and squares. */
const SHAPES: readonly (readonly [number, number, number])[] = [
  [100, 784, 300],
  [784, 100, 300],
  [100, 300, 784],
  [256, 256, 256],
  [512, 512, 512],
];

const label = ([m, k, n]: readonly number[]) => `${m}x${k}·${k}x${n}`;

/** ms per product in NumPy (float32, OpenBLAS on one thread), per shape; or the reason it cannot run. */
function numpyMatmul(shapes: readonly (readonly number[])[], reps: number): number[] | string {
  const script = `
import json, time, numpy as np
out = []
for (m, k, n) in ${JSON.stringify(shapes)}:
    a = np.random.rand(m, k).astype(np.float32); b = np.random.rand(k, n).astype(np.float32)
    for _ in range(3): a @ b
    t = time.perf_counter()
    for _ in range(${reps}): a @ b
    out.append((time.perf_counter() - t) / ${reps} * 1e3)
print(json.dumps(out))`;
  const env: Record<string, string | undefined> = { ...process.env, OPENBLAS_NUM_THREADS: "1" };
  delete env["OPENBLAS_CORETYPE"];
  delete env["OPENBLAS_L2_SIZE"];
  const run = spawnSync("python3", ["-c", script], { encoding: "utf8", env });
  if (run.error) return `python3 not available (${run.error.message})`;
  if (run.status !== 0) return `numpy failed: ${run.stderr.split("\n").slice(-2).join(" ")}`;
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as number[];
}

function operands([m, k, n]: readonly number[]): [Tensor, Tensor] {
  const a = np.reshape(np.array(Float32Array.from({ length: m! * k! }, (_, i) => Math.sin(i)), { dtype: "float32" }), [m!, k!]);
  const b = np.reshape(np.array(Float32Array.from({ length: k! * n! }, (_, i) => Math.cos(i)), { dtype: "float32" }), [k!, n!]);
  return [a, b];
}

export const threadsSuite: Suite = {
  name: "threads",
  title: "worker pool: float32 matmul (1 vs N threads vs NumPy single-threaded) and the DenseMLP step's parallel speed-up",
  async run(ctx) {
    const threads = numThreads();
    const rows: ResultRow[] = [];
    const skipped: Skipped[] = [];
    const rounds = ctx.quick ? 3 : 7;
    const reps = ctx.quick ? 5 : 20;

    // Matmul: per round, each shape at 1 thread, then at N threads, then NumPy for all shapes.
    const ours: number[][][] = SHAPES.map(() => [[], []]);
    const kernel: number[][][] = SHAPES.map(() => [[], []]);
    const theirs: number[][] = SHAPES.map(() => []);
    let numpySkip: string | null = null;
    const cases = SHAPES.map(operands);
    // The kernel as a jitted step calls it: operands and result are blocks of the kernel memory
    // (`resident_storage.ts`), the result's block the same from call to call.
    const resident = (t: Tensor): Float32Array => {
      const src = t.toTypedArray() as Float32Array;
      const r = allocateResident(Float32Array, src.length) ?? new Float32Array(src.length);
      r.set(src);
      return r;
    };
    const kernelCases = wasmMatmulAvailable()
      ? SHAPES.map(([m, k, n], s) => {
          const [a, b] = cases[s]!;
          const out = allocateResident(Float32Array, m! * n!, false) ?? new Float32Array(m! * n!);
          const A = { data: resident(a), offset: 0, rowStride: k!, colStride: 1 };
          const B = { data: resident(b), offset: 0, rowStride: n!, colStride: 1 };
          return { run: () => matmulWasmF32Into(A, B, m!, k!, n!, out), arrays: [A.data, B.data, out] };
        })
      : null;
    // V8 compiles Wasm with its baseline tier first and swaps in optimised code only after a
    // function has run a while (no on-stack replacement): time the optimised kernels, on every
    // thread, as a training loop sees them.
    for (const t of [1, threads]) {
      setNumThreads(t);
      for (const [a, b] of cases) {
        const end = performance.now() + (ctx.quick ? 50 : 200);
        while (performance.now() < end) np.matmul(a, b);
      }
      for (const c of kernelCases ?? []) {
        const end = performance.now() + (ctx.quick ? 50 : 200);
        while (performance.now() < end) c.run();
      }
    }
    for (let r = 0; r < rounds; r++) {
      for (const [v, t] of [1, threads].entries()) {
        setNumThreads(t);
        cases.forEach(([a, b], s) => {
          np.matmul(a, b);
          ours[s]![v]!.push(timeOnce(() => void np.matmul(a, b), reps));
          const c = kernelCases?.[s];
          if (c) {
            c.run();
            kernel[s]![v]!.push(timeOnce(c.run, reps));
          }
        });
      }
      if (numpySkip === null) {
        const figures = numpyMatmul(SHAPES, reps);
        if (typeof figures === "string") numpySkip = figures;
        else figures.forEach((ms, s) => theirs[s]!.push(ms));
      }
    }
    if (numpySkip !== null) skipped.push({ suite: "threads", reason: `NumPy matmul: ${numpySkip}` });
    SHAPES.forEach((shape, s) => {
      const flop = 2 * shape[0]! * shape[1]! * shape[2]!;
      const gf = (ms: number) => (flop / ms / 1e6).toFixed(1);
      const row = (variant: string, ms: number[]): ResultRow => ({ suite: "threads", variant, median: median(ms), unit: "ms/product", rounds: ms, note: `${gf(median(ms))} GFLOP/s` });
      const ref = numpySkip === null ? row(`numpy+openblas f32 ${label(shape)}, 1 thread`, theirs[s]!) : null;
      const vsNumpy = (r: ResultRow) => (ref === null ? r : withRatio(r, ref));
      if (ref !== null) rows.push(ref);
      if (kernelCases !== null) {
        const one = row(`matmul kernel f32 ${label(shape)}, 1 thread`, kernel[s]![0]!);
        const many = row(`matmul kernel f32 ${label(shape)}, ${threads} threads`, kernel[s]![1]!);
        rows.push(vsNumpy(one), vsNumpy(withRatio(many, one, { label: "1 thread" })));
      }
      const one = row(`np.matmul f32 ${label(shape)} (eager), 1 thread`, ours[s]![0]!);
      const many = row(`np.matmul f32 ${label(shape)} (eager), ${threads} threads`, ours[s]![1]!);
      rows.push(vsNumpy(one), vsNumpy(withRatio(many, one, { label: "1 thread" })));
    });
    for (const c of kernelCases ?? []) for (const a of c.arrays) releaseResident(a);

    // The DenseMLP jitted step, 1 vs N threads, interleaved rounds; in each round also NumPy's
    // same step on every core and on one (its own parallel speed-up) and the machine's ceiling.
    preparePeerCopy();
    const numpy = new PeerRecorder(selectPeers("dense", ["numpy-dense", "numpy-dense-1thread"]), ctx.quick);
    const ceiling = threads > 1 ? new ParallelCeilingRecorder(threads, ctx.quick) : null;
    const trainer = new Trainer(denseNetwork(), { compiled: true, donate: true });
    const stepMs: number[][] = [[], []];
    // 100 steps per round, as many as NumPy's script times per run (20-step rounds, ~0.1 s,
    // took 0.65x-1.12x the 1-thread round's time on 2 threads within one run, 2026-12-07 21:40 UTC).
    const steps = ctx.quick ? 5 : 100;
    // What the step's pool choice (core's threads/pool_choice.ts) decided in the rounds (on one thread it never probes).
    const choices = new ProbeTally();
    for (const t of [1, threads]) {
      setNumThreads(t);
      const start = performance.now();
      while (performance.now() - start < (ctx.quick ? 300 : 1000)) trainer.step();
    }
    for (let r = 0; r < rounds; r++) {
      await numpy.round();
      await ceiling?.round();
      // Untimed steps first: the first steps after another process ran are slower (mnist.bench.ts).
      choices.start();
      for (const t of [1, threads]) {
        setNumThreads(t);
        const settleEnd = performance.now() + (ctx.quick ? 50 : 500);
        while (performance.now() < settleEnd) trainer.step();
      }
      // The 1-thread round first in even rounds, last in odd ones (as in the MNIST suite).
      for (const v of r % 2 === 0 ? [0, 1] : [1, 0]) {
        setNumThreads(v === 0 ? 1 : threads);
        collectGarbageThenSettle(() => trainer.step(), ctx.quick ? 20 : 250);
        stepMs[v]!.push(timeOnce(() => void trainer.step(), steps));
      }
      choices.stop();
    }
    const one: ResultRow = { suite: "threads", variant: "DenseMLP jit step, 1 thread", median: median(stepMs[0]!), unit: "ms/step", rounds: stepMs[0]! };
    const many: ResultRow = { suite: "threads", variant: `DenseMLP jit step, ${threads} threads`, median: median(stepMs[1]!), unit: "ms/step", rounds: stepMs[1]!, note: choices.note() };
    rows.push(one, withRatio(many, one, { label: "1 thread", max: 1 / 1.7 }));
    const numpyRows = numpy.rows("threads").map((r) => ({ ...r, variant: `DenseMLP step, ${r.variant}` }));
    const numpyOne = numpyRows.find((r) => r.variant.endsWith(", 1 thread"));
    for (const r of numpyRows) rows.push(numpyOne && r !== numpyOne ? withRatio(r, numpyOne, { label: "numpy 1 thread" }) : r);
    skipped.push(...numpy.skipped("threads"));
    if (ceiling) rows.push(...parallelCeilingRows("threads", ceiling));
    setNumThreads(threads);
    ctx.log(`threads: ${threads}`);
    return { rows, skipped };
  },
};
