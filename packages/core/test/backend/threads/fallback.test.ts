import { afterEach, describe, expect, test, vi } from "vitest";

// Without SharedArrayBuffer (a page that is not cross-origin isolated) the kernels must still
// work, on one thread, noting why once in the debug log and never throwing.
describe("no SharedArrayBuffer", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  test("kernels run on the calling thread with the same bits, and the reason is logged once", async () => {
    const m = 100;
    const k = 784;
    const n = 300;
    const a = { data: Float32Array.from({ length: m * k }, (_, i) => Math.sin(i)), offset: 0, rowStride: k, colStride: 1 };
    const b = { data: Float32Array.from({ length: k * n }, (_, i) => Math.cos(i)), offset: 0, rowStride: n, colStride: 1 };
    const shared = await import("../../../src/backend/kernels/wasm/matmul_wasm.js");
    const expected = new Float32Array(m * n);
    shared.matmulWasmF32Into(a, b, m, k, n, expected);

    vi.resetModules();
    vi.stubGlobal("SharedArrayBuffer", undefined);
    const config = await import("../../../src/backend/threads/config.js");
    const pool = await import("../../../src/backend/threads/pool.js");
    const plain = await import("../../../src/backend/kernels/wasm/matmul_wasm.js");
    // Every kernel module registers at import, before the first kernel compiles them all.
    const ew = await import("../../../src/backend/kernels/wasm/elementwise_wasm.js");
    config.setNumThreads(2);
    expect(pool.threadsSupported()).toBe(false);
    expect(pool.availableThreads()).toBe(1);
    const out = new Float32Array(m * n);
    plain.matmulWasmF32Into(a, b, m, k, n, out);
    plain.matmulWasmF32Into(a, b, m, k, n, out);
    expect(out).toEqual(expected);
    // A fused elementwise program in WebAssembly over an ordinary (growing) memory: same bits.
    const size = 200_000;
    const x = Float32Array.from({ length: size }, (_, i) => Math.sin(i));
    const program = { inputs: ["float32", "float32"] as const, steps: [{ op: "mul" as const, args: [0, 1], dtype: "float32" as const }, { op: "sqrt" as const, args: [2], dtype: "float32" as const }], outputs: [3] };
    const y = new Float32Array(size);
    expect(ew.runSimd(program, [{ data: x, offset: 0 }, { data: x, offset: 0 }], 0, size, [y])).toBe(true);
    expect(Array.from(y.subarray(0, 1000))).toEqual(Array.from(x.subarray(0, 1000), (v) => Math.fround(Math.sqrt(Math.fround(v * v)))));
    expect(y[size - 1]).toBe(Math.fround(Math.sqrt(Math.fround(x[size - 1]! * x[size - 1]!))));
    const notes = config.debugMessages().filter((msg) => msg.includes("every kernel runs on the calling thread"));
    expect(notes).toHaveLength(1);
  });
});
