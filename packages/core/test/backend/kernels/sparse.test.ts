import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { EdgeTable } from "../../../src/backend/kernels/edge_table.js";
import {
  edgeDotAlongAxis,
  edgeDotJs,
  edgeDotKernel,
  edgeDotRowsJs,
  edgeDotRowsKernel,
  MAX_UNROLLED,
  spmvAlongAxis,
  spmvJs,
  spmvKernel,
  spmvRowsJs,
  spmvRowsKernel,
  useWasmSparse,
  useWasmSparseRows,
} from "../../../src/backend/kernels/sparse.js";
import { edgeDotRowsWasm, edgeDotWasm, SPARSE_PARALLEL_WORK, spmvRowsWasm, spmvWasm, wasmSparseAvailable } from "../../../src/backend/kernels/wasm/sparse_wasm.js";
import { numThreads, setNumThreads } from "../../../src/backend/threads/config.js";
import { waitForThreads } from "../../../src/backend/threads/pool.js";
import { kernelFunction } from "../../../src/backend/threads/kernel_memory.js";
import { heapAvailable } from "../../../src/backend/threads/kernel_heap.js";
import { allocateResident, releaseResident, residentAddress } from "../../../src/backend/resident_storage.js";

type Float = Float32Array | Float64Array;

/** Deterministic values in [-1, 1), exactly representable in float32. */
function values(size: number, seed: number, f32: boolean): Float {
  const out = f32 ? new Float32Array(size) : new Float64Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.fround((s / 2 ** 32) * 2 - 1);
  }
  return out;
}

/** A random table over an `r × c` matrix: each position kept with probability `density`, shuffled unless `sorted`. */
function randomTable(r: number, c: number, density: number, seed: number, sorted: boolean): EdgeTable {
  const u = values(r * c + 1, seed, false);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) if ((u[i * c + j]! + 1) / 2 < density) rows.push(i), cols.push(j);
  if (!sorted) {
    // Reverse every other block of 3: an order that is neither sorted by row nor by column.
    for (let k = 0; k + 3 <= rows.length; k += 6) {
      rows.splice(k, 3, ...rows.slice(k, k + 3).reverse());
      cols.splice(k, 3, ...cols.slice(k, k + 3).reverse());
    }
  }
  return EdgeTable.of(rows, cols);
}

/** The dense reference: out[i, r] = Σ_e values[e] x[i, cols[e]] (float64). */
function spmvReference(x: Float, n: number, w: number, vals: Float, t: EdgeTable, numRows: number): Float64Array {
  const out = new Float64Array(n * numRows);
  for (let i = 0; i < n; i++) for (let e = 0; e < t.size; e++) out[i * numRows + t.rows[e]!]! += vals[e]! * x[i * w + t.cols[e]!]!;
  return out;
}

function edgeDotReference(a: Float, b: Float, n: number, numRows: number, w: number, t: EdgeTable): Float64Array {
  const out = new Float64Array(t.size);
  for (let e = 0; e < t.size; e++) for (let i = 0; i < n; i++) out[e]! += a[i * numRows + t.rows[e]!]! * b[i * w + t.cols[e]!]!;
  return out;
}

function maxRelDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
  return m;
}

describe("EdgeTable", () => {
  test("groups entries by row, stably, and caches the grouping and the transpose", () => {
    const t = EdgeTable.of([2, 0, 2, 1, 0], [5, 1, 3, 4, 0]);
    expect([t.size, t.rowBound, t.colBound]).toEqual([5, 3, 6]);
    const g = t.byRow();
    expect(Array.from(g.order!)).toEqual([1, 4, 3, 0, 2]);
    expect(Array.from(g.rowStart)).toEqual([0, 2, 3, 5]);
    expect(Array.from(g.cols)).toEqual([1, 0, 4, 5, 3]);
    expect(t.byRow()).toBe(g);
    expect(t.transposed().transposed()).toBe(t);
    expect(Array.from(t.transposed().rows)).toEqual([5, 1, 3, 4, 0]);
    expect(EdgeTable.of([0, 0, 1], [1, 0, 0]).byRow().order).toBeNull();
  });

  test("copies its inputs and names itself uniquely in JSON", () => {
    const rows = [0, 1];
    const t = EdgeTable.of(rows, [0, 0]);
    rows[0] = 7;
    expect(t.rows[0]).toBe(0);
    const u = EdgeTable.of([0, 1], [0, 0]);
    expect(JSON.stringify(t)).not.toBe(JSON.stringify(u));
    expect(JSON.stringify(t)).toMatch(/^"EdgeTable#\d+\(2 entries\)"$/);
    expect(EdgeTable.of([], []).rowBound).toBe(0);
  });

  test("rejects mismatched lengths and bad indices, naming the entry", () => {
    expect(() => EdgeTable.of([0, 1], [0])).toThrow(/2 rows but 1 columns/);
    expect(() => EdgeTable.of([0, -1], [0, 0])).toThrow(/entry 1 is \(-1, 0\)/);
    expect(() => EdgeTable.of([0.5], [0])).toThrow(/entry 0/);
  });
});

describe("sparse kernels", () => {
  const shapes = [
    { n: 1, r: 3, c: 4, density: 0.5 },
    { n: 7, r: 5, c: 9, density: 0.4 },
    { n: 33, r: 17, c: 23, density: 0.3 },
    { n: 250, r: 40, c: 65, density: 0.33 },
  ];
  for (const f32 of [false, true]) {
    for (const sorted of [true, false]) {
      for (const { n, r, c, density } of shapes) {
        const label = `${f32 ? "f32" : "f64"} n=${n} ${r}x${c} ${sorted ? "row-sorted" : "shuffled"}`;
        const tol = f32 ? 1e-5 : 1e-12;
        test(`spmv ${label}: JS, Wasm and the dispatcher equal the dense reference`, () => {
          const t = randomTable(r, c, density, n + r, sorted);
          const x = values(n * c, 3, f32);
          const v = values(t.size, 5, f32);
          const numRows = r + 2; // rows past the table's stay 0
          const want = spmvReference(x, n, c, v, t, numRows);
          const make = () => (f32 ? new Float32Array(n * numRows) : new Float64Array(n * numRows));
          const js = make();
          spmvJs(x, n, c, v, t, numRows, js);
          expect(maxRelDiff(js, want)).toBeLessThanOrEqual(tol);
          const any = make();
          spmvKernel(x, n, c, v, t, numRows, any);
          expect(maxRelDiff(any, want)).toBeLessThanOrEqual(tol);
          if (wasmSparseAvailable()) {
            const wasm = make();
            spmvWasm(x, n, c, v, t, numRows, wasm);
            expect(maxRelDiff(wasm, want)).toBeLessThanOrEqual(tol);
          }
        });
        test(`edge_dot ${label}: JS, Wasm and the dispatcher equal the dense reference`, () => {
          const t = randomTable(r, c, density, n + c, sorted);
          const a = values(n * r, 7, f32);
          const b = values(n * c, 11, f32);
          const want = edgeDotReference(a, b, n, r, c, t);
          const make = () => (f32 ? new Float32Array(t.size) : new Float64Array(t.size));
          const js = make();
          edgeDotJs(a, b, n, r, c, t, js);
          expect(maxRelDiff(js, want)).toBeLessThanOrEqual(tol * Math.sqrt(n));
          const any = make();
          edgeDotKernel(a, b, n, r, c, t, any);
          expect(maxRelDiff(any, want)).toBeLessThanOrEqual(tol * Math.sqrt(n));
          if (wasmSparseAvailable()) {
            const wasm = make();
            edgeDotWasm(a, b, n, r, c, t, wasm);
            expect(maxRelDiff(wasm, want)).toBeLessThanOrEqual(tol * Math.sqrt(n));
          }
        });
      }
    }
  }

  test("Wasm SIMD is available on Node 20 and chosen for batched work only", () => {
    expect(wasmSparseAvailable()).toBe(true);
    expect(useWasmSparse(250, 20000, 641)).toBe(true);
    expect(useWasmSparse(4, 20000, 641)).toBe(false);
    expect(useWasmSparse(250, 324, 512)).toBe(false);
  });

  test("empty tables give zero rows whatever the output held; zero samples write nothing", () => {
    const t = EdgeTable.of([], []);
    const out = new Float64Array(6).fill(NaN);
    spmvKernel(new Float64Array(6), 2, 3, new Float64Array(0), t, 3, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    const rowsOut = new Float64Array(6).fill(7);
    spmvRowsKernel(new Float64Array(6), 2, 3, new Float64Array(0), t, 3, rowsOut);
    expect(Array.from(rowsOut)).toEqual([0, 0, 0, 0, 0, 0]);
    const dots = new Float64Array(0);
    edgeDotKernel(new Float64Array(4), new Float64Array(4), 2, 2, 2, t, dots);
    expect(dots.length).toBe(0);
  });

  test("small tables: the generated (unrolled) kernels equal the JS loops bit for bit, in both layouts (property)", () => {
    // Samples-major and features-major take arrays of the same lengths (n·c in, n·r out).
    const layouts = [
      { spmvJs, spmvKernel, edgeDotJs, edgeDotKernel },
      { spmvJs: spmvRowsJs, spmvKernel: spmvRowsKernel, edgeDotJs: edgeDotRowsJs, edgeDotKernel: edgeDotRowsKernel },
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        (n, r, c, seed, f32) => {
          const t = randomTable(r, c, 0.4, seed, seed % 2 === 0);
          fc.pre(t.size <= MAX_UNROLLED);
          const x = values(n * c, seed + 1, f32);
          const v = values(t.size, seed + 2, f32);
          const a = values(n * r, seed + 3, f32);
          const make = (len: number) => (f32 ? new Float32Array(len) : new Float64Array(len));
          const same = (p: ArrayLike<number>, q: ArrayLike<number>) => Array.from(p).every((value, i) => Object.is(value, q[i]));
          for (const k of layouts) {
            const js = make(n * r);
            const unrolled = make(n * r);
            k.spmvJs(x, n, c, v, t, r, js);
            k.spmvKernel(x, n, c, v, t, r, unrolled);
            expect(same(unrolled, js)).toBe(true);
            const dj = make(t.size);
            const du = make(t.size);
            k.edgeDotJs(a, x, n, r, c, t, dj);
            k.edgeDotKernel(a, x, n, r, c, t, du);
            expect(same(du, dj)).toBe(true);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  test("the dispatchers ignore what the output held: rows without entries become 0 on every path (property)", () => {
    const same = (p: ArrayLike<number>, q: ArrayLike<number>) => Array.from(p).every((value, i) => Object.is(value, q[i]));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), (n, r, c, seed, f32) => {
        // Sparse enough that some rows have no entries; small tables take the unrolled kernels, n < 8 the JS loops, the rest Wasm.
        const t = randomTable(r, c, seed % 3 === 0 ? 0.15 : 0.6, seed, seed % 2 === 0);
        const x = values(n * c, seed + 1, f32);
        const v = values(t.size, seed + 2, f32);
        const make = (fill: number) => (f32 ? new Float32Array(n * r) : new Float64Array(n * r)).fill(fill);
        for (const kernel of [spmvKernel, spmvRowsKernel]) {
          const clean = make(0);
          const dirty = make(NaN);
          kernel(x, n, c, v, t, r, clean);
          kernel(x, n, c, v, t, r, dirty);
          expect(same(dirty, clean)).toBe(true);
        }
        const dots = (fill: number) => (f32 ? new Float32Array(t.size) : new Float64Array(t.size)).fill(fill);
        const a = values(n * r, seed + 3, f32);
        for (const kernel of [edgeDotKernel, edgeDotRowsKernel]) {
          const clean = dots(0);
          const dirty = dots(NaN);
          kernel(a, x, n, r, c, t, clean);
          kernel(a, x, n, r, c, t, dirty);
          expect(same(dirty, clean)).toBe(true);
        }
      }),
      { numRuns: 120 },
    );
  });

  test("random tables and sample counts: Wasm equals JS (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1000 }), (n, r, c, seed) => {
        const t = randomTable(r, c, 0.5, seed, seed % 2 === 0);
        const x = values(n * c, seed + 1, false);
        const v = values(t.size, seed + 2, false);
        const js = new Float64Array(n * r);
        const wasm = new Float64Array(n * r);
        spmvJs(x, n, c, v, t, r, js);
        spmvWasm(x, n, c, v, t, r, wasm);
        expect(maxRelDiff(wasm, js)).toBeLessThanOrEqual(1e-12);
        const a = values(n * r, seed + 3, false);
        const dj = new Float64Array(t.size);
        const dw = new Float64Array(t.size);
        edgeDotJs(a, x, n, r, c, t, dj);
        edgeDotWasm(a, x, n, r, c, t, dw);
        expect(maxRelDiff(dw, dj)).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 60 },
    );
  });
});

/** `x` (`pre × w × post`) -> the dense reference `out[p, r, q] = Σ_e values[e] x[p, cols[e], q]`. */
function spmvAxisReference(x: Float, pre: number, w: number, post: number, vals: Float, t: EdgeTable, numRows: number): Float64Array {
  const out = new Float64Array(pre * numRows * post);
  for (let p = 0; p < pre; p++)
    for (let e = 0; e < t.size; e++)
      for (let q = 0; q < post; q++) out[(p * numRows + t.rows[e]!) * post + q]! += vals[e]! * x[(p * w + t.cols[e]!) * post + q]!;
  return out;
}

function edgeDotAxisReference(a: Float, b: Float, pre: number, numRows: number, w: number, post: number, t: EdgeTable): Float64Array {
  const out = new Float64Array(t.size);
  for (let e = 0; e < t.size; e++)
    for (let p = 0; p < pre; p++)
      for (let q = 0; q < post; q++) out[e]! += a[(p * numRows + t.rows[e]!) * post + q]! * b[(p * w + t.cols[e]!) * post + q]!;
  return out;
}

describe("sparse kernels along a feature axis (features-major and general)", () => {
  const shapes = [
    { n: 1, r: 3, c: 4, density: 0.5 },
    { n: 9, r: 5, c: 9, density: 0.4 },
    { n: 37, r: 17, c: 23, density: 0.3 },
    { n: 250, r: 40, c: 65, density: 0.33 },
  ];
  for (const f32 of [false, true]) {
    for (const sorted of [true, false]) {
      for (const { n, r, c, density } of shapes) {
        const label = `${f32 ? "f32" : "f64"} n=${n} ${r}x${c} ${sorted ? "row-sorted" : "shuffled"}`;
        const tol = f32 ? 1e-5 : 1e-12;
        test(`features-major spmv ${label}: JS, Wasm and the dispatcher equal the dense reference`, () => {
          const t = randomTable(r, c, density, 3 * n + r, sorted);
          const x = values(c * n, 13, f32);
          const v = values(t.size, 17, f32);
          const numRows = r + 1;
          const want = spmvAxisReference(x, 1, c, n, v, t, numRows);
          const make = () => (f32 ? new Float32Array(numRows * n) : new Float64Array(numRows * n));
          for (const run of [spmvRowsJs, spmvRowsKernel, ...(wasmSparseAvailable() ? [spmvRowsWasm as typeof spmvRowsJs] : [])]) {
            const out = make();
            run(x, n, c, v, t, numRows, out);
            expect(maxRelDiff(out, want)).toBeLessThanOrEqual(tol);
          }
        });
        test(`features-major edge_dot ${label}: JS, Wasm and the dispatcher equal the dense reference`, () => {
          const t = randomTable(r, c, density, 5 * n + c, sorted);
          const a = values(r * n, 19, f32);
          const b = values(c * n, 23, f32);
          const want = edgeDotAxisReference(a, b, 1, r, c, n, t);
          for (const run of [edgeDotRowsJs, edgeDotRowsKernel, ...(wasmSparseAvailable() ? [edgeDotRowsWasm as typeof edgeDotRowsJs] : [])]) {
            const out = f32 ? new Float32Array(t.size) : new Float64Array(t.size);
            run(a, b, n, r, c, t, out);
            expect(maxRelDiff(out, want)).toBeLessThanOrEqual(tol * Math.sqrt(n));
          }
        });
      }
    }
  }

  /** `x` (`rows × cols`, row-major) transposed. */
  const transpose = (x: Float, rows: number, cols: number): Float => {
    const out = x instanceof Float32Array ? new Float32Array(x.length) : new Float64Array(x.length);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
    return out;
  };
  // Unrolled (≤ MAX_UNROLLED entries), JS (few samples) and Wasm (many) paths of the dispatchers.
  for (const { n, r, c, density } of [...shapes, { n: 3, r: 2, c: 3, density: 1 }, { n: 100, r: 30, c: 78, density: 0.04 }]) {
    for (const f32 of [false, true]) {
      test(`features-major products of samples-major operands (${f32 ? "f32" : "f64"} n=${n} ${r}x${c}) give the bits of the features-major operands`, () => {
        const t = randomTable(r, c, density, 7 * n + r, false);
        const x = values(c * n, 29, f32);
        const v = values(t.size, 31, f32);
        const numRows = r + 1;
        const make = (size: number) => (f32 ? new Float32Array(size) : new Float64Array(size));
        const want = make(numRows * n);
        spmvRowsKernel(x, n, c, v, t, numRows, want);
        const got = make(numRows * n);
        spmvRowsKernel(transpose(x, c, n), n, c, v, t, numRows, got, "samples-major");
        expect(got).toEqual(want);
        const a = values(r * n, 37, f32);
        const dots = make(t.size);
        edgeDotRowsKernel(a, x, n, r, c, t, dots);
        for (const [ao, bo] of [["samples-major", "features-major"], ["features-major", "samples-major"], ["samples-major", "samples-major"]] as const) {
          const out = make(t.size);
          edgeDotRowsKernel(ao === "samples-major" ? transpose(a, r, n) : a, bo === "samples-major" ? transpose(x, c, n) : x, n, r, c, t, out, ao, bo);
          expect(out).toEqual(dots);
        }
      });
      test(`samples-major operands whose rows are further apart than their width (${f32 ? "f32" : "f64"} n=${n} ${r}x${c}) give the bits of the features-major operands`, () => {
        const t = randomTable(r, c, density, 11 * n + c, false);
        const x = values(c * n, 41, f32);
        const a = values(r * n, 43, f32);
        const v = values(t.size, 47, f32);
        const numRows = r + 1;
        const make = (size: number) => (f32 ? new Float32Array(size) : new Float64Array(size));
        /** `m` (`rows × n`) transposed into rows of `ld = rows + gap` (a wider batch's columns `lead..lead+rows`), from its first element on. */
        const spread = (m: Float, rows: number, lead: number, gap: number): { data: Float; ld: number } => {
          const ld = rows + gap;
          const wide = make(n * ld + lead).fill(Number.NaN);
          const tm = transpose(m, rows, n);
          for (let i = 0; i < n; i++) wide.set(tm.subarray(i * rows, (i + 1) * rows), lead + i * ld);
          // What the primitive hands over: from the first element to the last row's end.
          return { data: wide.subarray(lead, lead + (n - 1) * ld + rows), ld };
        };
        const want = make(numRows * n);
        spmvRowsKernel(x, n, c, v, t, numRows, want);
        const dots = make(t.size);
        edgeDotRowsKernel(a, x, n, r, c, t, dots);
        for (const key of [undefined, {}]) {
          const xs = spread(x, c, 3, 5);
          const got = make(numRows * n);
          spmvRowsKernel(xs.data, n, c, v, t, numRows, got, "samples-major", key, xs.ld);
          expect(got).toEqual(want);
          const as = spread(a, r, 1, 2);
          for (const [ao, bo] of [["samples-major", "features-major"], ["features-major", "samples-major"], ["samples-major", "samples-major"]] as const) {
            const out = make(t.size);
            const [ad, al] = ao === "samples-major" ? [as.data, as.ld] : [a, r];
            const [bd, bl] = bo === "samples-major" ? [xs.data, xs.ld] : [x, c];
            edgeDotRowsKernel(ad, bd, n, r, c, t, out, ao, bo, key && {}, key, al, bl);
            expect(out).toEqual(dots);
          }
        }
      });
    }
  }

  test("any (pre, w, post) split: spmvAlongAxis and edgeDotAlongAxis equal the reference (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1000 }), (pre, post, r, c, seed) => {
        const t = randomTable(r, c, 0.5, seed, seed % 2 === 0);
        const x = values(pre * c * post, seed + 1, false);
        const v = values(t.size, seed + 2, false);
        const out = new Float64Array(pre * r * post);
        spmvAlongAxis(x, pre, c, post, v, t, r, out);
        expect(maxRelDiff(out, spmvAxisReference(x, pre, c, post, v, t, r))).toBeLessThanOrEqual(1e-12);
        const a = values(pre * r * post, seed + 3, false);
        const dots = new Float64Array(t.size);
        edgeDotAlongAxis(a, x, pre, r, c, post, t, dots);
        expect(maxRelDiff(dots, edgeDotAxisReference(a, x, pre, r, c, post, t))).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 150 },
    );
  });

  test("a samples-major operand given with a key is transposed once: the next product of the same key reads the kept rows", () => {
    const [n, w, r] = [100, 60, 40];
    const t = randomTable(r, w, 0.3, 5, true);
    const x = values(n * w, 6, true) as Float32Array;
    const v = values(t.size, 7, true) as Float32Array;
    const g = values(n * r, 8, true) as Float32Array;
    const plain = new Float32Array(n * r);
    spmvRowsKernel(x, n, w, v, t, r, plain, "samples-major");
    const dots = new Float32Array(t.size);
    edgeDotRowsKernel(g, x, n, r, w, t, dots, "features-major", "samples-major");
    const key = {};
    const keyed = new Float32Array(n * r);
    spmvRowsKernel(x, n, w, v, t, r, keyed, "samples-major", key);
    expect(Array.from(keyed)).toEqual(Array.from(plain));
    // The key promises that the values behind it do not change: a changed array under the same
    // key is not read again (this is how the reuse shows), under a new key it is.
    const changed = x.map((value) => value * 2);
    const keyedDots = new Float32Array(t.size);
    edgeDotRowsKernel(g, changed, n, r, w, t, keyedDots, "features-major", "samples-major", undefined, key);
    expect(Array.from(keyedDots)).toEqual(Array.from(dots));
    const fresh = new Float32Array(t.size);
    edgeDotRowsKernel(g, changed, n, r, w, t, fresh, "features-major", "samples-major", undefined, {});
    const want = new Float32Array(t.size);
    edgeDotRowsKernel(g, changed, n, r, w, t, want, "features-major", "samples-major");
    expect(Array.from(fresh)).toEqual(Array.from(want));
    expect(Array.from(fresh)).not.toEqual(Array.from(dots));
    // Both operands samples-major and keyed: the kept rows of one are never overwritten by the other's.
    const gt = new Float32Array(n * r);
    for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) gt[i * r + j] = g[j * n + i]!;
    const both = new Float32Array(t.size);
    edgeDotRowsKernel(gt, x, n, r, w, t, both, "samples-major", "samples-major", {}, {});
    expect(Array.from(both)).toEqual(Array.from(dots));
  });

  test("keyed samples-major operands of products split across threads (padded rows) give the unkeyed bits, read again or not", () => {
    const initial = numThreads();
    try {
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        waitForThreads();
        // 300 x 784 at 4 %, 256 samples: past SPARSE_PARALLEL_WORK, so split (padded rows) on 2 threads.
        const [n, w, r] = [256, 784, 300];
        const t = randomTable(r, w, 0.04, 11, true);
        expect(t.size * n).toBeGreaterThanOrEqual(SPARSE_PARALLEL_WORK);
        const x = values(n * w, 12, true) as Float32Array;
        const v = values(t.size, 13, true) as Float32Array;
        const g = values(n * r, 14, true) as Float32Array;
        const want = new Float32Array(n * r);
        spmvRowsKernel(x, n, w, v, t, r, want, "samples-major");
        const wantDots = new Float32Array(t.size);
        edgeDotRowsKernel(g, x, n, r, w, t, wantDots, "features-major", "samples-major");
        const key = {};
        for (let k = 0; k < 2; k++) {
          const got = new Float32Array(n * r);
          spmvRowsKernel(x, n, w, v, t, r, got, "samples-major", key);
          expect(Array.from(got)).toEqual(Array.from(want));
          const dots = new Float32Array(t.size);
          edgeDotRowsKernel(g, x, n, r, w, t, dots, "features-major", "samples-major", undefined, key);
          expect(Array.from(dots)).toEqual(Array.from(wantDots));
        }
      }
    } finally {
      setNumThreads(initial);
    }
  });

  test("features-major work goes to Wasm once lanes fill and there are edges for the copied rows", () => {
    expect(useWasmSparseRows(250, 20000, 641)).toBe(true);
    expect(useWasmSparseRows(4, 20000, 641)).toBe(false);
    expect(useWasmSparseRows(250, 322, 512)).toBe(true);
    expect(useWasmSparseRows(100, 36, 110)).toBe(true);
    expect(useWasmSparseRows(250, 20, 512)).toBe(false);
  });
});

describe("edge_dot_grouped", () => {
  type EdgeDot = (a: number, b: number, rowOff: number, colOff: number, out: number, numEdges: number, chunks: number, tail: number) => void;
  test("gives edge_dot's bits, edge by edge, for runs of any length of one row (f32 and f64, any tail)", () => {
    if (!heapAvailable()) return;
    for (const [type, Ctor, lanes] of [["f32", Float32Array, 4], ["f64", Float64Array, 2]] as const) {
      const single = kernelFunction<EdgeDot>(`sparse-${type}`, "edge_dot");
      const grouped = kernelFunction<EdgeDot>(`sparse-${type}`, "edge_dot_grouped");
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 70 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 1000 }), (n, runs, seed) => {
          // Rows 0, 1, ... with `runs[r]` edges each; columns drawn from 6 rows of b.
          const rows = runs.flatMap((k, r) => new Array<number>(k).fill(r));
          const cols = rows.map((_, k) => (k * 5 + seed) % 6);
          const eb = Ctor.BYTES_PER_ELEMENT;
          const chunk = 2 * lanes;
          const chunks = Math.floor(n / chunk);
          const a = allocateResident(Ctor as Float64ArrayConstructor, runs.length * n)!;
          const b = allocateResident(Ctor as Float64ArrayConstructor, 6 * n)!;
          a.set(values(runs.length * n, seed + 1, type === "f32"));
          b.set(values(6 * n, seed + 2, type === "f32"));
          const rowOff = allocateResident(Int32Array, rows.length)!;
          const colOff = allocateResident(Int32Array, rows.length)!;
          rowOff.set(rows.map((r) => r * n * eb));
          colOff.set(cols.map((c) => c * n * eb));
          const want = allocateResident(Ctor as Float64ArrayConstructor, rows.length)!;
          const got = allocateResident(Ctor as Float64ArrayConstructor, rows.length)!;
          const args = [residentAddress(a), residentAddress(b), residentAddress(rowOff), residentAddress(colOff)] as const;
          single(...args, residentAddress(want), rows.length, chunks, n - chunks * chunk);
          grouped(...args, residentAddress(got), rows.length, chunks, n - chunks * chunk);
          expect(Array.from(got).every((v, i) => Object.is(v, want[i]))).toBe(true);
          for (const x of [a, b, rowOff, colOff, want, got]) releaseResident(x);
        }),
        { numRuns: 60 },
      );
    }
  });
});
