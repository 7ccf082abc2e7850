/**
 * Matrix product throughput (GFLOP/s) of @connex/core against TensorFlow.js (cpu and wasm
 * backends), measured in the same process on the same float32 inputs.
 *
 *   cd packages/core && npx tsup && cd ../../benchmarks && npx tsx matmul.bench.ts
 *
 * Shapes: square 128², 256², 512², and 250x513 · 513x128 (a DenseMLP layer on a batch of 250).
 */
import { Bench } from "tinybench";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { np, type Tensor } from "@connex/core";

interface Case {
  name: string;
  m: number;
  k: number;
  n: number;
}

const CASES: Case[] = [
  { name: "128²", m: 128, k: 128, n: 128 },
  { name: "256²", m: 256, k: 256, n: 256 },
  { name: "512²", m: 512, k: 512, n: 512 },
  { name: "250x513·513x128", m: 250, k: 513, n: 128 },
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

async function main(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  for (const c of CASES) {
    const a = randomData(c.m * c.k, 1);
    const b = randomData(c.k * c.n, 2);
    const flops = 2 * c.m * c.k * c.n;
    const ours = { a: np.reshape(np.array(a), [c.m, c.k]), b: np.reshape(np.array(b), [c.k, c.n]) };
    const bench = new Bench({ time: 1000, warmupTime: 200 });
    bench.add("connex", () => {
      const out: Tensor = np.matmul(ours.a, ours.b);
      void out;
    });
    for (const backend of ["cpu", "wasm"] as const) {
      await tf.setBackend(backend);
      await tf.ready();
      const ta = tf.tensor2d(a, [c.m, c.k]);
      const tb = tf.tensor2d(b, [c.k, c.n]);
      // Sanity: same product as ours (to float32 accuracy).
      const ref = tf.matMul(ta, tb).dataSync();
      const mine = np.matmul(ours.a, ours.b).toTypedArray();
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i]! - mine[i]!));
      if (worst > 1e-3) throw new Error(`${c.name}: result differs from tfjs-${backend} by ${worst}`);
      // Each backend is benchmarked while it is the active one.
      const inner = new Bench({ time: 1000, warmupTime: 200 });
      inner.add(`tfjs-${backend}`, () => {
        const out = tf.matMul(ta, tb);
        out.dataSync();
        out.dispose();
      });
      await inner.run();
      const t = inner.tasks[0]!;
      rows.push({ shape: c.name, library: t.name, "GFLOP/s": +(flops / (meanLatencyMs(t) * 1e6)).toFixed(2) });
      ta.dispose();
      tb.dispose();
    }
    await bench.run();
    const t = bench.tasks[0]!;
    rows.push({ shape: c.name, library: t.name, "GFLOP/s": +(flops / (meanLatencyMs(t) * 1e6)).toFixed(2) });
  }
  console.table(rows);
}

/** Mean latency of a finished task in ms (tinybench's result is a union with the aborted state). */
function meanLatencyMs(t: { result?: unknown }): number {
  const r = t.result as { latency?: { mean: number } } | undefined;
  if (!r?.latency) throw new Error("benchmark task did not complete");
  return r.latency.mean;
}

await main();
