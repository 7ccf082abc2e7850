import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import type { MatrixView } from "../../../../src/backend/kernels/matmul.js";
import { transposeColumnsIntoRows, transposesA, TRANSPOSE_A_MIN_M, TRANSPOSE_A_MIN_N } from "../../../../src/backend/kernels/wasm/matmul_pack_a.js";
import { kernelSet } from "../../../../src/backend/kernels/wasm/matmul_kernel_set.js";
import { F32, F64, type SimdFloat } from "../../../../src/backend/kernels/wasm/matmul_kernels.js";
import { matmulWasm, wasmMatmulAvailable } from "../../../../src/backend/kernels/wasm/matmul_wasm.js";
import { heapBuffer, scratchArea } from "../../../../src/backend/threads/kernel_heap.js";
import { allocateResident, releaseResident } from "../../../../src/backend/resident_storage.js";
import { numThreads, setNumThreads } from "../../../../src/backend/threads/config.js";

const threadsBefore = numThreads();
afterAll(() => setNumThreads(threadsBefore));

type Floats = Float32Array | Float64Array;
const array = (type: SimdFloat, n: number): Floats => (type === F32 ? new Float32Array(n) : new Float64Array(n));

/** Deterministic values in [-1, 1), exact in float32, none zero (so a missed element shows). */
function values(type: SimdFloat, size: number, seed: number): Floats {
  const out = array(type, size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.fround((s / 2 ** 32) * 2 - 1) || 0.5;
  }
  return out;
}

describe("transposeColumnsIntoRows", () => {
  test("writes the m × k rows of A from its columns, edges included, and nothing past them (f32 and f64, by property)", () => {
    expect(wasmMatmulAvailable()).toBe(true);
    fc.assert(
      fc.property(fc.constantFrom(F32, F64), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 5 }), (type, m, k, gap) => {
        const eb = type.bytes;
        // Column p of A holds m values, then `gap` others: columns (m + gap) elements apart.
        const colElems = m + gap;
        const source = values(type, k * colElems, m * 131 + k);
        const srcBytes = k * colElems * eb;
        const dstBytes = (m * k + 8) * eb;
        const base = scratchArea(srcBytes + dstBytes + 32);
        const view = type === F32 ? new Float32Array(heapBuffer()) : new Float64Array(heapBuffer());
        const src = base;
        const dst = base + Math.ceil(srcBytes / 16) * 16;
        view.set(source, src / eb);
        view.fill(7, dst / eb, dst / eb + m * k + 8);
        transposeColumnsIntoRows(kernelSet(type), src, dst, m, k, colElems * eb);
        for (let i = 0; i < m; i++) {
          for (let p = 0; p < k; p++) {
            if (view[dst / eb + i * k + p] !== source[p * colElems + i]) return false;
          }
        }
        // The source is read only; past the rows, nothing is written.
        for (let t = 0; t < source.length; t++) if (view[src / eb + t] !== source[t]) return false;
        for (let t = m * k; t < m * k + 8; t++) if (view[dst / eb + t] !== 7) return false;
        return true;
      }),
      { numRuns: 150 },
    );
  });
});

describe("a product whose A is a transposed view", () => {
  /** A (m × k) stored k × m (its columns contiguous, `gap` elements between them), and a row-major copy of it. */
  function aBoth(type: SimdFloat, m: number, k: number, gap: number, resident: boolean): { transposed: MatrixView; rows: MatrixView; release: () => void } {
    const rowMajor = values(type, m * k, 17 * m + k);
    const size = k * (m + gap);
    const stored = resident ? (type === F32 ? allocateResident(Float32Array, size, false)! : allocateResident(Float64Array, size, false)!) : array(type, size);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) stored[p * (m + gap) + i] = rowMajor[i * k + p]!;
    return {
      transposed: { data: stored, offset: 0, rowStride: 1, colStride: m + gap },
      rows: { data: rowMajor, offset: 0, rowStride: k, colStride: 1 },
      release: () => {
        if (resident) releaseResident(stored);
      },
    };
  }

  test("is transposed into rows from TRANSPOSE_A_MIN_M rows and TRANSPOSE_A_MIN_N columns of the result", () => {
    expect(transposesA(TRANSPOSE_A_MIN_M, TRANSPOSE_A_MIN_N)).toBe(true);
    expect(transposesA(TRANSPOSE_A_MIN_M - 1, 1000)).toBe(false);
    expect(transposesA(1000, TRANSPOSE_A_MIN_N - 1)).toBe(false);
  });

  test("gives the bits of the same product with A row-major: odd shapes, f32 and f64, resident or not, 1 and 2 threads", () => {
    const shapes: [number, number, number][] = [
      [TRANSPOSE_A_MIN_M, 1, TRANSPOSE_A_MIN_N],
      [TRANSPOSE_A_MIN_M + 5, 19, 70],
      [TRANSPOSE_A_MIN_M + 1, 250, 67],
      [385, 128, 250],
      // Below the thresholds: the column-layout kernels, the same bits.
      [TRANSPOSE_A_MIN_M - 1, 9, 100],
      [TRANSPOSE_A_MIN_M + 3, 9, TRANSPOSE_A_MIN_N - 1],
    ];
    for (const type of [F32, F64]) {
      const precision = type === F32 ? "f32" : "f64";
      for (const [m, k, n] of shapes) {
        const b: MatrixView = { data: values(type, k * n, 5 + n), offset: 0, rowStride: n, colStride: 1 };
        for (const resident of [false, true]) {
          for (const gap of [0, 3]) {
            const a = aBoth(type, m, k, gap, resident);
            const before = a.transposed.data.slice();
            for (const threads of [1, 2]) {
              setNumThreads(threads);
              const [x, y] = [new Float64Array(m * n), new Float64Array(m * n)];
              matmulWasm(precision, a.transposed, b, m, k, n, x, 0);
              matmulWasm(precision, a.rows, b, m, k, n, y, 0);
              const what = `${precision} ${m}x${k}x${n}, gap ${gap}, resident ${resident}, ${threads} thread(s)`;
              expect(Array.from(x), what).toEqual(Array.from(y));
              // And the product itself, at a few elements, against float64 sums.
              for (const [i, j] of [[0, 0], [m - 1, n - 1], [m >> 1, n >> 1]] as const) {
                let sum = 0;
                for (let p = 0; p < k; p++) sum += a.rows.data[i * k + p]! * b.data[p * n + j]!;
                expect(x[i * n + j], what).toBeCloseTo(sum, precision === "f32" ? 3 : 9);
              }
            }
            expect(a.transposed.data, "A is only read").toEqual(before);
            a.release();
          }
        }
      }
    }
  });
});
