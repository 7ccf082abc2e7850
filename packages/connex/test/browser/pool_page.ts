/**
 * The page that checks the worker pool in a cross-origin isolated page: Web Workers from a Blob
 * URL over the shared kernel memory. It waits for the second thread, runs a float32 matmul, a
 * fused elementwise program (a module generated at run time, which workers read from the module
 * mailbox) and GELU on 2 threads and then on 1, and reports whether the bits agree and how many
 * chunks the worker ran for each. Bundled from core's sources (the pool is internal). Reports
 * `__poolResult`.
 */
import { np, random, setNumThreads } from "@connex/core";
import { jit } from "@connex/autodiff";
import { availableThreads, threadsSupported, workerChunks } from "../../../core/src/backend/threads/pool.js";
import { geluF32Wasm } from "../../../core/src/backend/kernels/wasm/gelu_wasm.js";

const g = globalThis as { __poolResult?: unknown; __poolError?: string; crossOriginIsolated?: boolean };

const [ka, kb, kx] = random.split(random.key(7), 3);
const a = random.normal(ka!, [256, 192]);
const b = random.normal(kb!, [192, 160]);
const x = random.normal(kx!, [100_000]);
const fused = jit((v: ReturnType<typeof np.array>) => np.sqrt(np.add(np.multiply(v, v), 1)));
const src = Float32Array.from({ length: 40_000 }, (_, i) => Math.sin(i * 0.01) * 4);

/** Each workload's output bits (as plain arrays) and the worker chunks it took. */
function workloads(): Record<string, { bits: number[]; chunks: number }> {
  const out: Record<string, { bits: number[]; chunks: number }> = {};
  const measure = (name: string, run: () => Float32Array) => {
    const before = workerChunks();
    const result = run();
    // Calls back to back: whether the worker takes part in one call depends on when it wakes
    // (the calling thread takes every chunk it gets to first), so the count is over many.
    for (let i = 0; i < 60; i++) run();
    out[name] = { bits: Array.from(new Int32Array(result.buffer, result.byteOffset, result.length)), chunks: workerChunks() - before };
  };
  measure("matmul", () => np.matmul(a, b).toTypedArray() as Float32Array);
  measure("fused", () => fused(x).toTypedArray() as Float32Array);
  measure("gelu", () => {
    const dst = new Float32Array(src.length);
    geluF32Wasm(src, dst, false);
    return dst;
  });
  return out;
}

async function main(): Promise<unknown> {
  const isolated = g.crossOriginIsolated === true;
  const supported = threadsSupported();
  setNumThreads(2);
  const started = performance.now();
  while (availableThreads() < 2 && performance.now() - started < 30_000) await new Promise((ok) => setTimeout(ok, 20));
  const threads = availableThreads();
  const two = workloads();
  setNumThreads(1);
  const one = workloads();
  const same = Object.fromEntries(Object.keys(two).map((k) => [k, two[k]!.bits.length > 0 && two[k]!.bits.every((v, i) => v === one[k]!.bits[i])]));
  const chunks = Object.fromEntries(Object.keys(two).map((k) => [k, { two: two[k]!.chunks, one: one[k]!.chunks }]));
  return { isolated, supported, threads, same, chunks };
}

setTimeout(() => {
  main().then(
    (r) => (g.__poolResult = r),
    (e) => (g.__poolError = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e)),
  );
}, 0);
