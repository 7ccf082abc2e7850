import { afterAll, describe, expect, test } from "vitest";
import { EdgeTable } from "../../../src/backend/kernels/edge_table.js";
import { EDGE_DOT_PARALLEL_WORK, edgeDotRowsWasm, edgeDotWasm, SPARSE_PARALLEL_WORK, spmvRowsWasm, spmvWasm } from "../../../src/backend/kernels/wasm/sparse_wasm.js";
import { numThreads, setNumThreads } from "../../../src/backend/threads/config.js";
import { waitForThreads } from "../../../src/backend/threads/pool.js";
import { allocateResident, releaseResident } from "../../../src/backend/resident_storage.js";
import { residentResultsOnThreads } from "./resident_results.js";

const initial = numThreads();
afterAll(() => setNumThreads(initial));

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function filled(f32: boolean, size: number, seed: number): Float32Array | Float64Array {
  const rand = lcg(seed);
  const out = f32 ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = rand() * 2 - 1 + 1e-3 * Math.sin(i);
  return out;
}

/** A random `r × c` table at `density`, entries in random order. */
function table(r: number, c: number, density: number, seed: number): EdgeTable {
  const rand = lcg(seed);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) if (rand() < density) (rows.push(i), cols.push(j));
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    [cols[i], cols[j]] = [cols[j]!, cols[i]!];
  }
  return EdgeTable.of(rows, cols);
}

// Sizes above the split threshold (edges × samples ≥ SPARSE_PARALLEL_WORK, checked below), odd
// sample counts (partial tiles).
const CASES = [
  { numRows: 301, w: 785, n: 301, density: 0.036 },
  { numRows: 100, w: 300, n: 777, density: 0.3 },
  { numRows: 13, w: 511, n: 999, density: 0.7 },
];

describe("sparse products split across threads", () => {
  for (const f32 of [true, false]) {
    test(`${f32 ? "f32" : "f64"}: spmv and edge_dot, both layouts, give the same bits on 1, 2 and 3 threads`, () => {
      const run = () =>
        CASES.flatMap(({ numRows, w, n, density }, i) => {
          const t = table(numRows, w, density, 11 + i);
          const x = filled(f32, n * w, 3 + i);
          const vals = filled(f32, t.size, 5 + i);
          const a = filled(f32, n * numRows, 7 + i);
          const mk = (size: number) => (f32 ? new Float32Array(size) : new Float64Array(size));
          const outs = [mk(n * numRows), mk(n * numRows), mk(t.size), mk(t.size), mk(n * numRows), mk(t.size)];
          spmvWasm(x, n, w, vals, t, numRows, outs[0]!);
          spmvRowsWasm(x, n, w, vals, t, numRows, outs[1]!);
          edgeDotWasm(a, x, n, numRows, w, t, outs[2]!);
          edgeDotRowsWasm(a, x, n, numRows, w, t, outs[3]!);
          // Features-major products with a samples-major operand (transposed on the way in).
          spmvRowsWasm(x, n, w, vals, t, numRows, outs[4]!, "samples-major");
          edgeDotRowsWasm(a, x, n, numRows, w, t, outs[5]!, "features-major", "samples-major");
          return outs;
        });
      for (const [i, { numRows, w, n, density }] of CASES.entries()) expect(table(numRows, w, density, 11 + i).size * n).toBeGreaterThanOrEqual(SPARSE_PARALLEL_WORK);
      const results = [1, 2, 3].map((threads) => {
        setNumThreads(threads);
        expect(waitForThreads()).toBe(threads);
        return run();
      });
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      // And spmv is the product: one output against a float64 sum.
      const { numRows, w, n, density } = CASES[0]!;
      const t = table(numRows, w, density, 11);
      const x = filled(f32, n * w, 3);
      const vals = filled(f32, t.size, 5);
      const r = t.rows[0]!;
      let ref = 0;
      for (let e = 0; e < t.size; e++) if (t.rows[e] === r) ref += vals[e]! * x[(n - 1) * w + t.cols[e]!]!;
      expect(results[0]![0]![(n - 1) * numRows + r]).toBeCloseTo(ref, f32 ? 4 : 10);
    });
  }
  test("edge_dot split from its own, lower threshold (the pruned MNIST first layer's weight gradient): same bits on 1, 2 and 3 threads", () => {
    // 300 × 784 at 3.6 %: split as edge_dot, not as spmv. 100 samples end on one vector past the
    // chunks, 73 on a single value.
    for (const n of [100, 73]) {
      const t = table(300, 784, 0.036, 41 + n);
      expect(t.size * n).toBeGreaterThanOrEqual(EDGE_DOT_PARALLEL_WORK);
      expect(t.size * n).toBeLessThan(SPARSE_PARALLEL_WORK);
      const a = filled(true, 300 * n, 43);
      const b = filled(true, 784 * n, 47);
      const results = [1, 2, 3].map((threads) => {
        setNumThreads(threads);
        expect(waitForThreads()).toBe(threads);
        const rows = new Float32Array(t.size);
        const samples = new Float32Array(t.size);
        edgeDotRowsWasm(a, b, n, 300, 784, t, rows);
        edgeDotWasm(a, b, n, 300, 784, t, samples);
        return [rows, samples];
      });
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      // The last edge's dot product against a float64 sum (features-major operands).
      const e = t.size - 1;
      let ref = 0;
      for (let i = 0; i < n; i++) ref += a[t.rows[e]! * n + i]! * b[t.cols[e]! * n + i]!;
      expect(results[0]![0]![e]).toBeCloseTo(ref, 4);
    }
  });
  test("features-major spmv into a result that owns its block: split by tiles of samples, same bits on 1, 2 and 3 threads", () => {
    // Sample counts with a partial last tile (its spill reaches the next row's first lanes) and
    // without; operands and output in the kernel memory, read and written in place.
    for (const n of [100, 97, 96, 333]) {
      const numRows = 300;
      const w = 784;
      const t = table(numRows, w, (SPARSE_PARALLEL_WORK / n / numRows / w) * 1.3, 21);
      expect(t.size * n).toBeGreaterThanOrEqual(SPARSE_PARALLEL_WORK);
      const resident = (src: Float32Array | Float64Array) => {
        const r = allocateResident(Float32Array, src.length)!;
        r.set(src);
        return r;
      };
      const x = resident(filled(true, w * n, 31));
      const vals = resident(filled(true, t.size, 37));
      const results = residentResultsOnThreads(numRows * n, (out) => spmvRowsWasm(x, n, w, vals, t, numRows, out));
      expect(results[0]!.every(Number.isFinite)).toBe(true);
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      // Row r, sample n - 1 against a float64 sum.
      const r = t.rows[0]!;
      let ref = 0;
      for (let e = 0; e < t.size; e++) if (t.rows[e] === r) ref += vals[e]! * x[t.cols[e]! * n + n - 1]!;
      expect(results[0]![r * n + n - 1]).toBeCloseTo(ref, 4);
      releaseResident(x);
      releaseResident(vals);
    }
  });
});
