/**
 * Matrix product throughput (GFLOP/s) of @connex/core against TensorFlow.js (cpu and wasm
 * backends), measured in the same process on the same float32 inputs.
 *
 *   cd packages/core && npx tsup && cd ../../benchmarks && npx tsx matmul.bench.ts
 *
 * Shapes: square 128², 256², 512², and the three products of a DenseMLP layer on a batch of
 * 250 (forward x·W: 250x513·513x128; weight gradient xᵀ·δ: 513x250·250x128 with a transposed
 * view of x; input gradient δ·Wᵀ: 250x128·128x513 with a transposed view of W).
 *
 * Rows (libraries): `connex` is the public `np.matmul` (which dispatches float32 to the
 * WebAssembly SIMD kernel); `connex-wasm-kernel` and `connex-js-kernel` time the two kernels
 * directly (no tensor overhead), the latter being the pure-JS kernel used before the Wasm one
 * and still used for integers and tiny products. Figures are from the median latency.
 */
import { Bench } from "tinybench";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { np, type Tensor } from "@connex/core";
import { matmulAccumulateJs, type MatrixView } from "../packages/core/src/backend/kernels/matmul.js";
import { matmulWasm } from "../packages/core/src/backend/kernels/wasm/matmul_wasm.js";

interface Case {
  name: string;
  m: number;
  k: number;
  n: number;
  /** The left operand is stored k x m and used transposed. */
  transposeA?: boolean;
  /** The right operand is stored n x k and used transposed. */
  transposeB?: boolean;
}

const CASES: Case[] = [
  { name: "128²", m: 128, k: 128, n: 128 },
  { name: "256²", m: 256, k: 256, n: 256 },
  { name: "512²", m: 512, k: 512, n: 512 },
  { name: "250x513·513x128", m: 250, k: 513, n: 128 },
  { name: "(250x513)ᵀ·250x128", m: 513, k: 250, n: 128, transposeA: true },
  { name: "250x128·(513x128)ᵀ", m: 250, k: 128, n: 513, transposeB: true },
];

/** Deterministic pseudo-random float32 data (a small LCG), so every library sees the same values. */
function randomData(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** The operand as the kernels see it: stored rows x cols row-major, optionally read transposed. */
function view(data: Float32Array, rows: number, cols: number, transposed: boolean): MatrixView {
  return transposed ? { data, offset: 0, rowStride: 1, colStride: cols } : { data, offset: 0, rowStride: cols, colStride: 1 };
}

async function main(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  const record = (shape: string, t: { name: string; result?: unknown }, flops: number) =>
    rows.push({ shape, library: t.name, "GFLOP/s": +(flops / (medianLatencyMs(t) * 1e6)).toFixed(2) });
  for (const c of CASES) {
    const [aRows, aCols] = c.transposeA ? [c.k, c.m] : [c.m, c.k];
    const [bRows, bCols] = c.transposeB ? [c.n, c.k] : [c.k, c.n];
    const a = randomData(aRows * aCols, 1);
    const b = randomData(bRows * bCols, 2);
    const flops = 2 * c.m * c.k * c.n;
    const stored = { a: np.reshape(np.array(a), [aRows, aCols]), b: np.reshape(np.array(b), [bRows, bCols]) };
    const ours = { a: c.transposeA ? np.transpose(stored.a) : stored.a, b: c.transposeB ? np.transpose(stored.b) : stored.b };
    const av = view(a, aRows, aCols, c.transposeA ?? false);
    const bv = view(b, bRows, bCols, c.transposeB ?? false);
    const bench = new Bench({ time: 1000, warmupTime: 200 });
    bench.add("connex", () => {
      const out: Tensor = np.matmul(ours.a, ours.b);
      void out;
    });
    bench.add("connex-wasm-kernel", () => matmulWasm("f32", av, bv, c.m, c.k, c.n, new Float64Array(c.m * c.n), 0));
    bench.add("connex-js-kernel", () => matmulAccumulateJs(av, bv, c.m, c.k, c.n, new Float64Array(c.m * c.n), 0));
    for (const backend of ["cpu", "wasm"] as const) {
      await tf.setBackend(backend);
      await tf.ready();
      const ta = tf.tensor2d(a, [aRows, aCols]);
      const tb = tf.tensor2d(b, [bRows, bCols]);
      const product = () => tf.matMul(ta, tb, c.transposeA ?? false, c.transposeB ?? false);
      // Sanity: same product as ours (to float32 accuracy).
      const ref = product().dataSync();
      const mine = np.matmul(ours.a, ours.b).toTypedArray();
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i]! - mine[i]!));
      if (worst > 1e-3) throw new Error(`${c.name}: result differs from tfjs-${backend} by ${worst}`);
      // Each backend is benchmarked while it is the active one.
      const inner = new Bench({ time: 1000, warmupTime: 200 });
      inner.add(`tfjs-${backend}`, () => {
        const out = product();
        out.dataSync();
        out.dispose();
      });
      await inner.run();
      record(c.name, inner.tasks[0]!, flops);
      ta.dispose();
      tb.dispose();
    }
    await bench.run();
    for (const t of bench.tasks) record(c.name, t, flops);
  }
  console.table(rows);
}

/** Median latency of a finished task in ms (tinybench's result is a union with the aborted state). */
function medianLatencyMs(t: { result?: unknown }): number {
  const r = t.result as { latency?: { p50?: number; mean: number } } | undefined;
  if (!r?.latency) throw new Error("benchmark task did not complete");
  return r.latency.p50 ?? r.latency.mean;
}

await main();
