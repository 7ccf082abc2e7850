import { afterAll, describe, expect, test } from "vitest";
import type { MatrixView } from "../../../src/backend/kernels/matmul.js";
import { matmulWasm, matmulWasmF32Into } from "../../../src/backend/kernels/wasm/matmul_wasm.js";
import { numThreads, setNumThreads } from "../../../src/backend/threads/config.js";
import { threadsSupported, waitForThreads } from "../../../src/backend/threads/pool.js";
import { residentResultsOnThreads } from "./resident_results.js";

const initial = numThreads();
afterAll(() => setNumThreads(initial));

/** Deterministic values in [-1, 1) with many distinct roundings (so any change of summation order shows). */
function values(size: number, seed: number, f32: boolean): Float32Array | Float64Array {
  const out = f32 ? new Float32Array(size) : new Float64Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1 + 1e-3 * Math.sin(i);
  }
  return out;
}

type Layout = "row" | "col";
function operand(layout: Layout, r: number, c: number, seed: number, f32: boolean): MatrixView {
  const data = values(r * c, seed, f32);
  return layout === "row" ? { data, offset: 0, rowStride: c, colStride: 1 } : { data, offset: 0, rowStride: 1, colStride: r };
}

/** The product on the current thread count (float32 into float32, or accumulated into float64). */
function product(f32: boolean, a: MatrixView, b: MatrixView, m: number, k: number, n: number): Float32Array | Float64Array {
  if (f32) {
    const out = new Float32Array(m * n);
    matmulWasmF32Into(a, b, m, k, n, out);
    return out;
  }
  const out = new Float64Array(m * n).fill(0.5);
  matmulWasm("f64", a, b, m, k, n, out, 0);
  return out;
}

// Odd sizes: partial row blocks and partial panels at every chunk boundary; above the split
// threshold, tall (split over row blocks) and wide (split over panels).
const SHAPES: [number, number, number][] = [
  [67, 129, 45],
  [13, 257, 301],
  [301, 97, 7],
  [100, 784, 300],
  [129, 65, 131],
];

describe("matmul split across threads", () => {
  test("the pool starts in Node", () => {
    expect(threadsSupported()).toBe(true);
  });

  for (const f32 of [true, false]) {
    test(`${f32 ? "f32" : "f64"}: 1, 2 and 3 threads give the same bits, every layout`, () => {
      const cases = SHAPES.flatMap(([m, k, n]) =>
        (["row", "col"] as const).flatMap((la) => (["row", "col"] as const).map((lb) => ({ m, k, n, a: operand(la, m, k, m + k, f32), b: operand(lb, k, n, n + 7, f32) }))),
      );
      const results = [1, 2, 3].map((threads) => {
        setNumThreads(threads);
        expect(waitForThreads()).toBe(threads);
        return cases.map(({ m, k, n, a, b }) => product(f32, a, b, m, k, n));
      });
      cases.forEach(({ m, k, n, a, b }, i) => {
        expect(results[1]![i]).toEqual(results[0]![i]);
        expect(results[2]![i]).toEqual(results[0]![i]);
        // And it is the product: one element against a float64 dot product.
        let ref = f32 ? 0 : 0.5;
        for (let p = 0; p < k; p++) ref += a.data[a.offset + (m - 1) * a.rowStride + p * a.colStride]! * b.data[b.offset + p * b.rowStride + (n - 1) * b.colStride]!;
        expect(results[0]![i]![m * n - 1]).toBeCloseTo(ref, f32 ? 3 : 10);
      });
    });
  }

  test("B read in place from a wider matrix: the NaNs past its columns never reach the result, on 1, 2 and 3 threads", () => {
    // B is the first n columns of a k × (n + 5) matrix whose other columns are NaN: the kernels
    // read B's rows in place, so the last panel's lanes past n see NaN (and the next row's values).
    for (const [m, k, n] of [[37, 150, 45], [100, 784, 300], [9, 20, 3]] as const) {
      const wide = values(k * (n + 5), 11, true) as Float32Array;
      for (let p = 0; p < k; p++) for (let j = n; j < n + 5; j++) wide[p * (n + 5) + j] = Number.NaN;
      const b: MatrixView = { data: wide, offset: 0, rowStride: n + 5, colStride: 1 };
      const a = operand("row", m, k, 5, true);
      const results = [1, 2, 3].map((threads) => {
        setNumThreads(threads);
        waitForThreads();
        return product(true, a, b, m, k, n);
      });
      expect(results[0]!.every(Number.isFinite)).toBe(true);
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      for (const [i, j] of [[0, 0], [m - 1, n - 1], [m >> 1, n - 1]] as const) {
        let ref = 0;
        for (let p = 0; p < k; p++) ref += a.data[i * k + p]! * wide[p * (n + 5) + j]!;
        expect(results[0]![i * n + j]).toBeCloseTo(ref, 3);
      }
    }
  });
  test("a result that owns its block is written in place on any thread count, partial last panels included: same bits", () => {
    // n not a multiple of the 8-column panel: split across threads, the partial panel's tiles
    // spill into the next row's first columns, which the chunk of panel 0 must overwrite.
    for (const [m, k, n] of [[300, 100, 100], [100, 300, 100], [64, 64, 77], [301, 97, 45]] as const) {
      for (const [la, lb] of [["row", "row"], ["col", "row"], ["row", "col"]] as const) {
        const a = operand(la, m, k, 3, true);
        const b = operand(lb, k, n, 4, true);
        const results = residentResultsOnThreads(m * n, (out) => matmulWasmF32Into(a, b, m, k, n, out));
        expect(results[0]!.every(Number.isFinite)).toBe(true);
        expect(results[1]).toEqual(results[0]);
        expect(results[2]).toEqual(results[0]);
        let ref = 0;
        for (let p = 0; p < k; p++) ref += a.data[a.offset + (m - 1) * a.rowStride + p * a.colStride]! * b.data[b.offset + p * b.rowStride + (n - 1) * b.colStride]!;
        expect(results[0]![m * n - 1]).toBeCloseTo(ref, 3);
      }
    }
  });
});
