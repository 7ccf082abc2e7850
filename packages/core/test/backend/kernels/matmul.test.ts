import { describe, expect, test } from "vitest";
import { matmulAccumulate, matmulAccumulateJs, useWasmMatmul, type MatrixView } from "../../../src/backend/kernels/matmul.js";

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

function naive(a: MatrixView, b: MatrixView, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[a.offset + i * a.rowStride + p * a.colStride]! * b.data[b.offset + p * b.rowStride + j * b.colStride]!;
      out[i * n + j] = s;
    }
  return out;
}

/** A view of an r x c matrix stored row-major (`"row"`), column-major (`"col"`) or as every other row of a larger one (`"strided"`). */
function layout(kind: "row" | "col" | "strided", r: number, c: number, seed: number): MatrixView {
  if (kind === "row") return { data: values(r * c, seed), offset: 0, rowStride: c, colStride: 1 };
  if (kind === "col") return { data: values(r * c, seed), offset: 0, rowStride: 1, colStride: r };
  return { data: values(2 * r * c + 3, seed), offset: 3, rowStride: 2 * c, colStride: 1 };
}

const kernels = { matmulAccumulate, matmulAccumulateJs } as const;

describe.each(Object.keys(kernels) as (keyof typeof kernels)[])("%s", (name) => {
  const kernel = kernels[name];
  const kinds = ["row", "col", "strided"] as const;
  // Sizes cross the kernel's block edges (128 rows of b, 512 columns, 64 rows of bᵀ) and the 4-way unrolls.
  const sizes: [number, number, number][] = [[1, 1, 1], [3, 5, 2], [7, 130, 9], [5, 3, 515], [2, 257, 70], [0, 4, 3], [4, 0, 3]];
  for (const ka of kinds)
    for (const kb of kinds)
      test.each(sizes)(`a ${ka}, b ${kb}: %i x %i x %i equals the naive product`, (m, k, n) => {
        const a = layout(ka, m, k, 1);
        const b = layout(kb, k, n, 2);
        const aBefore = a.data.slice();
        const bBefore = b.data.slice();
        const out = new Float64Array(m * n).fill(0.5);
        kernel(a, b, m, k, n, out, 0);
        const want = naive(a, b, m, k, n);
        out.forEach((v, i) => expect(v).toBeCloseTo(want[i]! + 0.5, 10));
        expect(a.data).toEqual(aBefore);
        expect(b.data).toEqual(bBefore);
      });
});

describe("matmulAccumulate dispatch", () => {
  const asType = <T extends Float32Array | Int32Array>(v: MatrixView, make: (d: Float64Array) => T): MatrixView => ({ ...v, data: make(v.data as Float64Array) });

  test("float32 operands large enough go to the float32 Wasm kernel: within float32 rounding of the float64 product, not equal to it", () => {
    const [m, k, n] = [9, 300, 11];
    expect(useWasmMatmul("f32", m, k, n)).toBe(true);
    const a = asType(layout("row", m, k, 1), (d) => new Float32Array(d));
    const b = asType(layout("col", k, n, 2), (d) => new Float32Array(d));
    const out = new Float64Array(m * n);
    matmulAccumulate(a, b, m, k, n, out, 0);
    const want = naive(a, b, m, k, n);
    let worst = 0;
    out.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]!))));
    expect(worst).toBeGreaterThan(0); // float32 sums, so not the float64 result...
    expect(worst).toBeLessThan(1e-4); // ...but within float32 rounding of it
  });

  test("integer operands always use the exact JS kernel", () => {
    const [m, k, n] = [6, 40, 7];
    const a = asType(layout("row", m, k, 1), (d) => Int32Array.from(d, (x) => Math.round(x * 100)));
    const b = asType(layout("strided", k, n, 2), (d) => Int32Array.from(d, (x) => Math.round(x * 100)));
    const out = new Float64Array(m * n);
    matmulAccumulate(a, b, m, k, n, out, 0);
    expect([...out]).toEqual([...naive(a, b, m, k, n)]);
  });

  test("the size rule: float32 from tiny products up, whatever k; float64 only from 4 rows, k >= 8 and m·k·n >= 4096", () => {
    expect(useWasmMatmul("f32", 4, 4, 4)).toBe(true);
    expect(useWasmMatmul("f32", 2, 2, 2)).toBe(false);
    expect(useWasmMatmul("f32", 250, 4, 128)).toBe(true);
    expect(useWasmMatmul("f32", 513, 2, 250)).toBe(true);
    expect(useWasmMatmul("f32", 250, 8, 128)).toBe(true);
    expect(useWasmMatmul("f64", 16, 16, 16)).toBe(true);
    expect(useWasmMatmul("f64", 8, 8, 8)).toBe(false);
    expect(useWasmMatmul("f64", 2, 250, 128)).toBe(false);
    expect(useWasmMatmul("f64", 250, 4, 128)).toBe(false);
  });
});
