import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { MatrixView } from "../../../../src/backend/kernels/matmul.js";
import { DOT_COLS, DOT_ROWS, dotKernelName, dotModuleBytes, F32, F64, kernelName, MAX_CALL_BLOCKS, MAX_CALL_PANELS, MAX_FIXED_STRIDE, matmulModuleBytes, packWork, rowsModuleBytes, type ALayout, type SimdFloat } from "../../../../src/backend/kernels/wasm/matmul_kernels.js";
import { matmulWasm, matmulWasmF32Into, MAX_GENERATED_MODULES, PACK_B_MIN_K, PACK_B_MIN_M, wasmMatmulAvailable } from "../../../../src/backend/kernels/wasm/matmul_wasm.js";
import { allocateResident, releaseResident } from "../../../../src/backend/resident_storage.js";
import { webAssembly } from "../../../../src/backend/kernels/wasm/webassembly_api.js";
import { numThreads, setNumThreads } from "../../../../src/backend/threads/config.js";

const threadsBefore = numThreads();

type Precision = "f32" | "f64";
type Layout = "row" | "col" | "strided" | "broadcast" | "general" | "flipped";
const LAYOUTS: readonly Layout[] = ["row", "col", "strided", "broadcast", "general", "flipped"];

/** Deterministic values in [-1, 1) (exactly representable in float32). */
function values(size: number, seed: number, precision: Precision): Float32Array | Float64Array {
  const out = precision === "f32" ? new Float32Array(size) : new Float64Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.fround((s / 2 ** 32) * 2 - 1);
  }
  return out;
}

/**
 * An r × c operand in a given memory layout: row-major, column-major (a transposed view),
 * every other row of a wider matrix, one row repeated (stride 0), no contiguous axis at all,
 * or rows in reverse order (negative row stride).
 */
function operand(layout: Layout, r: number, c: number, seed: number, precision: Precision): MatrixView {
  switch (layout) {
    case "row":
      return { data: values(r * c, seed, precision), offset: 0, rowStride: c, colStride: 1 };
    case "col":
      return { data: values(r * c, seed, precision), offset: 0, rowStride: 1, colStride: r };
    case "strided":
      return { data: values(2 * r * c + 3, seed, precision), offset: 3, rowStride: 2 * c, colStride: 1 };
    case "broadcast":
      return { data: values(c + 1, seed, precision), offset: 1, rowStride: 0, colStride: 1 };
    case "general":
      return { data: values(4 * r * c + 1, seed, precision), offset: 1, rowStride: 2 * c, colStride: 2 };
    case "flipped":
      return { data: values(r * c, seed, precision), offset: Math.max(0, (r - 1) * c), rowStride: -c, colStride: 1 };
  }
}

/** A dense row-major float64 copy of an r × c operand. */
function dense(v: MatrixView, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * c + j] = v.data[v.offset + i * v.rowStride + j * v.colStride]!;
  return out;
}

/** The float64 product and, per element, Σ|a||b| (to bound the float32 rounding error). */
function reference(a: MatrixView, b: MatrixView, m: number, k: number, n: number) {
  const ad = dense(a, m, k);
  const bd = dense(b, k, n);
  const product = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const x = ad[i * k + p]!;
      for (let j = 0; j < n; j++) {
        const y = x * bd[p * n + j]!;
        product[i * n + j]! += y;
        magnitude[i * n + j]! += Math.abs(y);
      }
    }
  return { product, magnitude };
}

/**
 * Checks `matmulWasm` against the float64 reference: into an output pre-filled with 0.5 at an
 * offset, so accumulation and the untouched neighbours are checked too. float32 results may
 * differ by the rounding of k products and sums: |error| ≤ 2(k + 2)·2⁻²⁴·Σ|a||b|.
 */
function check(precision: Precision, la: Layout, lb: Layout, m: number, k: number, n: number): void {
  const a = operand(la, m, k, 1, precision);
  const b = operand(lb, k, n, 2, precision);
  const aBefore = a.data.slice();
  const bBefore = b.data.slice();
  const pad = 3;
  const out = new Float64Array(m * n + 2 * pad).fill(0.5);
  matmulWasm(precision, a, b, m, k, n, out, pad);
  const { product, magnitude } = reference(a, b, m, k, n);
  const unit = precision === "f32" ? 2 ** -24 : 2 ** -53;
  for (let t = 0; t < m * n; t++) {
    const tolerance = 2 * (k + 2) * unit * magnitude[t]! + 1e-300;
    const error = Math.abs(out[pad + t]! - (product[t]! + 0.5));
    if (!(error <= tolerance + unit)) throw new Error(`${precision} ${la}·${lb} ${m}x${k}x${n}: element ${t} is off by ${error} (tolerance ${tolerance})`);
  }
  for (let t = 0; t < pad; t++) {
    expect(out[t]).toBe(0.5);
    expect(out[pad + m * n + t]).toBe(0.5);
  }
  expect(unchanged(a.data, aBefore) && unchanged(b.data, bBefore)).toBe(true);
}

/** Element-wise equality (vitest's deep `toEqual` is slow on 100k-element typed arrays). */
function unchanged(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return x.length === y.length;
}

describe("matmulWasm", () => {
  test("WebAssembly SIMD is available in Node 20", () => {
    expect(wasmMatmulAvailable()).toBe(true);
  });

  // Sizes cross the 4-row tile, the 8-column (f32) / 4-column (f64) panel, and include the
  // empty and 1x1x1 cases and the DenseMLP layer shape.
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 2],
    [4, 8, 8],
    [5, 9, 17],
    [7, 130, 9],
    [13, 3, 1],
    [1, 64, 33],
    [0, 4, 3],
    [4, 0, 3],
    [4, 3, 0],
  ];
  for (const precision of ["f32", "f64"] as const)
    for (const la of LAYOUTS)
      for (const lb of LAYOUTS)
        test(`${precision}: a ${la}, b ${lb} equals the float64 product on every size`, () => {
          for (const [m, k, n] of sizes) check(precision, la, lb, m, k, n);
        });

  test.each([
    ["row", "row"],
    ["col", "row"],
    ["row", "col"],
  ] as const)("f32 DenseMLP shapes (a %s, b %s): forward 250x513·513x128 and the two gradient products", (la, lb) => {
    check("f32", la, lb, 250, 513, 128);
    check("f32", la, lb, 513, 250, 128);
    check("f32", la, lb, 250, 128, 513);
  });

  test("random shapes and layouts (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Precision>("f32", "f64"),
        fc.constantFrom(...LAYOUTS),
        fc.constantFrom(...LAYOUTS),
        fc.nat(23),
        fc.nat(40),
        fc.nat(23),
        (precision, la, lb, m, k, n) => check(precision, la, lb, m, k, n),
      ),
      { numRuns: 150 },
    );
  });

  test("the shared memory grows for a large product and small products still come out right afterwards", () => {
    check("f32", "row", "row", 3, 5, 2);
    check("f64", "row", "row", 300, 700, 90); // ~2.3 MB of operands: several pages of growth
    check("f32", "col", "col", 3, 5, 2);
    check("f64", "row", "col", 6, 7, 5);
  });

  test("products with more tiles or panels than one kernel call takes are cut into several calls, on 1 and 2 threads", () => {
    // 4 · 65,535 + 9 rows (f32 tiles are 4 rows): two calls of full tiles plus the rest; and
    // 16,383 · 8 + 11 columns (f32 panels are 8 wide): two ranges of panels.
    for (const [m, k, n] of [
      [4 * MAX_CALL_BLOCKS + 9, 2, 3],
      [2, 3, 8 * MAX_CALL_PANELS + 11],
    ] as const) {
      const a = operand("row", m, k, 7, "f32");
      const b = operand("row", k, n, 8, "f32");
      const { product } = reference(a, b, m, k, n);
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        const out = new Float32Array(m * n);
        matmulWasmF32Into(a, b, m, k, n, out);
        let worst = 0;
        for (let t = 0; t < m * n; t++) worst = Math.max(worst, Math.abs(out[t]! - product[t]!));
        expect(worst).toBeLessThan(1e-5);
      }
      setNumThreads(threadsBefore);
    }
  });

  test("zero-sized products leave the output untouched", () => {
    const a = operand("row", 2, 0, 1, "f32");
    const b = operand("row", 0, 3, 2, "f32");
    const out = new Float64Array(6).fill(7);
    matmulWasm("f32", a, b, 2, 0, 3, out, 0);
    expect([...out]).toEqual([7, 7, 7, 7, 7, 7]);
  });

  test("float32 products are computed in float32 (not widened)", () => {
    // 1 + 2⁻²⁴ rounds to 1 in float32; in float64 it would survive the sum.
    const a: MatrixView = { data: new Float32Array([1, 1]), offset: 0, rowStride: 2, colStride: 1 };
    const b: MatrixView = { data: new Float32Array([1, 2 ** -24]), offset: 0, rowStride: 1, colStride: 1 };
    const out = new Float64Array(1);
    matmulWasm("f32", a, b, 1, 2, 1, out, 0);
    expect(out[0]).toBe(1);
  });
});

describe("matmulModuleBytes", () => {
  const wasm = webAssembly!;

  /**
   * Runs one generated kernel directly on a row-major (or column-major) A and a B panel whose
   * rows are `bRow` elements apart (`nr`: packed; more: the first `nr` columns of a wider B read in place).
   */
  function runKernel(type: SimdFloat, layout: ALayout, mr: number, vectors: number, unroll: number, blocks: number, k: number, bRow = vectors * type.lanes) {
    const memory = new wasm.Memory({ initial: 4 });
    const bytes = matmulModuleBytes(type, { mr, vectors, unroll }, { module: "env", name: "memory", minPages: 1 });
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
    const nr = vectors * type.lanes;
    const m = blocks * mr;
    const view = type === F32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
    const aVals = values(m * k, 3, "f32");
    const bVals = values(k * bRow, 4, "f32");
    const bAt = m * k + 4;
    const cAt = bAt + k * bRow + 4;
    // A: element (i, p) at i*k + p ("rows") or p*m + i ("cols").
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) view[layout === "rows" ? i * k + p : p * m + i] = aVals[i * k + p]!;
    view.set(bVals, bAt);
    const stride = (layout === "rows" ? k : m) * type.bytes;
    (instance.exports[kernelName(layout, mr)] as (...args: number[]) => void)(0, stride, bAt * type.bytes, bRow * type.bytes, cAt * type.bytes, nr * type.bytes, k, blocks);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < nr; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += aVals[i * k + p]! * bVals[p * bRow + j]!;
        expect(view[cAt + i * nr + j]).toBeCloseTo(s, 4);
      }
  }

  test.each([
    ["f32", "rows", 4, 2, 1],
    ["f32", "cols", 4, 2, 4],
    ["f32", "rows", 3, 1, 2],
    ["f32", "rows", 2, 3, 4],
    ["f64", "cols", 3, 2, 2],
    ["f64", "rows", 1, 1, 4],
  ] as const)("%s %s kernel, %i rows x %i vectors, k unrolled %i, matches the product (k with and without remainder)", (type, layout, mr, vectors, unroll) => {
    for (const k of [0, 1, 7, 8, 13]) runKernel(type === "f32" ? F32 : F64, layout, mr, vectors, unroll, 3, k);
  });

  test.each([
    ["f32", "rows", 4, 2, 1, 13],
    ["f32", "cols", 4, 2, 1, 8 + 300],
    ["f64", "rows", 4, 2, 1, 7],
  ] as const)("%s %s kernel, %i rows x %i vectors, k unrolled %i: B read in place with rows %i elements apart", (type, layout, mr, vectors, unroll, bRow) => {
    for (const k of [1, 5, 16]) runKernel(type === "f32" ? F32 : F64, layout, mr, vectors, unroll, 2, k, bRow);
  });

  test.each([
    ["f32", "rows", true],
    ["f32", "cols", false],
    ["f64", "rows", false],
    ["f64", "cols", true],
  ] as const)("%s %s kernel runs several panels in one call (packed %s), last to first, each over the same tiles", (typeName, layout, packed) => {
    const type = typeName === "f32" ? F32 : F64;
    const mr = 3;
    const vectors = 2;
    const memory = new wasm.Memory({ initial: 4 });
    const instance = new wasm.Instance(new wasm.Module(matmulModuleBytes(type, { mr, vectors, unroll: 2 }, { module: "env", name: "memory", minPages: 1 })), { env: { memory } });
    const nr = vectors * type.lanes;
    const [blocks, panels, k] = [2, 5, 7];
    const m = blocks * mr;
    const n = panels * nr;
    const view = type === F32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
    const aVals = values(m * k, 5, "f32");
    const bVals = values(k * n, 6, "f32");
    const bAt = m * k + 4;
    // Packed: panel q is k rows of nr at bAt + q·k·nr. In place: B row-major k × n, rows n apart.
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) view[packed ? bAt + Math.floor(j / nr) * k * nr + p * nr + (j % nr) : bAt + p * n + j] = bVals[p * n + j]!;
    const cAt = bAt + k * n + 8;
    // C rows n + 3 apart, prefilled: the gaps must stay as they are.
    const crs = n + 3;
    view.fill(9, cAt, cAt + m * crs);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) view[layout === "rows" ? i * k + p : p * m + i] = aVals[i * k + p]!;
    const stride = (layout === "rows" ? k : m) * type.bytes;
    const run = instance.exports[kernelName(layout, mr)] as (...args: number[]) => void;
    run(0, stride, bAt * type.bytes, (packed ? nr : n) * type.bytes, cAt * type.bytes, crs * type.bytes, k, packWork(blocks, panels, packed));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += aVals[i * k + p]! * bVals[p * n + j]!;
        expect(view[cAt + i * crs + j]).toBeCloseTo(sum, 4);
      }
      for (let j = n; j < crs; j++) expect(view[cAt + i * crs + j]).toBe(9);
    }
  });

  test.each([["f32"], ["f64"]] as const)("%s dot-product kernels: rows of A by columns of B read in place, every tile size and k mod lanes, C's gaps untouched", (typeName) => {
    const type = typeName === "f32" ? F32 : F64;
    const memory = new wasm.Memory({ initial: 4 });
    const instance = new wasm.Instance(new wasm.Module(matmulModuleBytes(type, { mr: 4, vectors: 2, unroll: 1 }, { module: "env", name: "memory", minPages: 1 })), { env: { memory } });
    const view = type === F32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
    for (const k of [16, 17, 18, 19, 40]) {
      for (let rows = 1; rows <= DOT_ROWS; rows++) {
        for (let cols = 1; cols <= DOT_COLS; cols++) {
          const [tiles, groups] = [3, 2];
          const m = tiles * rows;
          const n = groups * cols;
          // A: m rows of k, rows k + 1 apart; Bᵀ: n rows of k (B's columns), k + 3 apart.
          const aRow = k + 1;
          const bCol = k + 3;
          const aVals = values(m * k, 9 + k, "f32");
          const bVals = values(n * k, 10 + k, "f32");
          const bAt = m * aRow + 8;
          const cAt = bAt + n * bCol + 8;
          const crs = n + 2;
          view.fill(0, 0, cAt);
          view.fill(5, cAt, cAt + m * crs);
          for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) view[i * aRow + p] = aVals[i * k + p]!;
          for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) view[bAt + j * bCol + p] = bVals[j * k + p]!;
          const run = instance.exports[dotKernelName(rows, cols)] as (...args: number[]) => void;
          run(0, aRow * type.bytes, bAt * type.bytes, bCol * type.bytes, cAt * type.bytes, crs * type.bytes, k, packWork(tiles, groups, false));
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let sum = 0;
              for (let p = 0; p < k; p++) sum += aVals[i * k + p]! * bVals[j * k + p]!;
              expect(view[cAt + i * crs + j]).toBeCloseTo(sum, 4);
            }
            for (let j = n; j < crs; j++) expect(view[cAt + i * crs + j]).toBe(5);
          }
        }
      }
    }
  });

  test("packWork packs tiles, panels and the layout of B, and rejects counts a call cannot hold", () => {
    expect(packWork(25, 38, false)).toBe(25 | (38 << 16));
    expect(packWork(MAX_CALL_BLOCKS, MAX_CALL_PANELS, true)).toBe(MAX_CALL_BLOCKS | (MAX_CALL_PANELS << 16) | (1 << 30));
    expect(() => packWork(MAX_CALL_BLOCKS + 1, 1, false)).toThrow(RangeError);
    expect(() => packWork(1, MAX_CALL_PANELS + 1, false)).toThrow(/packWork: 1 blocks or 16384 panels out of range/);
  });

  test("rejects a tile that is not positive or an unroll that is not a power of two", () => {
    const memory = { module: "env", name: "memory", minPages: 1 };
    expect(() => matmulModuleBytes(F32, { mr: 0, vectors: 2, unroll: 1 }, memory)).toThrow(/matmulModuleBytes: mr must be a positive integer, got 0/);
    expect(() => matmulModuleBytes(F32, { mr: 4, vectors: 1.5, unroll: 1 }, memory)).toThrow(/vectors must be a positive integer, got 1.5/);
    expect(() => matmulModuleBytes(F32, { mr: 4, vectors: 2, unroll: 3 }, memory)).toThrow(/unroll must be a power of two, got 3/);
  });
});

describe("dotModuleBytes and rowsModuleBytes: kernels with the strides baked in", () => {
  const wasm = webAssembly!;
  const memoryImport = { module: "env", name: "memory", minPages: 1 };
  /** Instances of the general module and of `fixed`'s module over one memory. */
  function instances(type: SimdFloat, fixed: (memory: typeof memoryImport) => Uint8Array) {
    const memory = new wasm.Memory({ initial: 8 });
    const general = new wasm.Instance(new wasm.Module(matmulModuleBytes(type, { mr: 4, vectors: 2, unroll: 1 }, memoryImport)), { env: { memory } }).exports;
    const baked = new wasm.Instance(new wasm.Module(fixed(memoryImport)), { env: { memory } }).exports;
    return { view: type === F32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer), general, baked };
  }

  test.each([["f32"], ["f64"]] as const)("%s dot kernels give the general kernels' bits, ignoring their stride arguments, every tile and k mod lanes, C's gaps untouched", (typeName) => {
    const type = typeName === "f32" ? F32 : F64;
    for (const k of [16, 17, 18, 19, 41]) {
      // A: rows k + 1 apart; Bᵀ: B's columns k + 3 apart.
      const [aRow, bCol] = [k + 1, k + 3];
      const { view, general, baked } = instances(type, (m) => dotModuleBytes(type, { aRow: aRow * type.bytes, bCol: bCol * type.bytes }, m));
      for (let rows = 1; rows <= DOT_ROWS; rows++) {
        for (let cols = 1; cols <= DOT_COLS; cols++) {
          const [tiles, groups] = [3, 2];
          const [m, n] = [tiles * rows, groups * cols];
          const bAt = m * aRow + 8;
          const crs = n + 2;
          const cAt = [bAt + n * bCol + 8, bAt + n * bCol + 8 + m * crs + 8];
          view.fill(0, 0, cAt[1]! + m * crs);
          view.set(values(m * aRow, 20 + k, "f32"), 0);
          view.set(values(n * bCol, 21 + k, "f32"), bAt);
          view.fill(5, cAt[0]!, cAt[1]! + m * crs);
          const name = dotKernelName(rows, cols);
          (general[name] as (...args: number[]) => void)(0, aRow * type.bytes, bAt * type.bytes, bCol * type.bytes, cAt[0]! * type.bytes, crs * type.bytes, k, packWork(tiles, groups, false));
          // The stride arguments are garbage: the baked-in strides must be the ones used.
          (baked[name] as (...args: number[]) => void)(0, 12345 * type.bytes, bAt * type.bytes, 0, cAt[1]! * type.bytes, crs * type.bytes, k, packWork(tiles, groups, false));
          const [g, b] = cAt.map((at) => Array.from(view.subarray(at, at + m * crs)));
          expect(b, `${typeName} ${name} k ${k}`).toEqual(g);
          expect(g!.filter((x) => x === 5)).toHaveLength(m * (crs - n));
        }
      }
    }
  });

  test.each([
    ["f32", true],
    ["f32", false],
    ["f64", true],
    ["f64", false],
  ] as const)("%s rows kernels give the general kernels' bits over several panels (B packed: %s), every tile height, any k", (typeName, packed) => {
    const type = typeName === "f32" ? F32 : F64;
    const nr = 2 * type.lanes;
    for (const k of [1, 7, 33]) {
      const aRow = k + 5;
      const { view, general, baked } = instances(type, (m) => rowsModuleBytes(type, { mr: 4, vectors: 2, unroll: 1 }, aRow * type.bytes, m));
      for (let rows = 1; rows <= 4; rows++) {
        const [blocks, panels] = [3, 4];
        const m = blocks * rows;
        const n = panels * nr;
        const bAt = m * aRow + 8;
        const bRow = packed ? nr : n + 1;
        const crs = n + 3;
        const cAt = [bAt + k * Math.max(bRow, n) * (packed ? panels : 1) + 16, 0];
        cAt[1] = cAt[0]! + m * crs + 8;
        view.fill(0, 0, cAt[1]! + m * crs + 8);
        view.set(values(m * aRow, 30 + k, "f32"), 0);
        view.set(values(k * Math.max(bRow, n) * (packed ? panels : 1), 31 + k, "f32"), bAt);
        view.fill(9, cAt[0]!, cAt[1]! + m * crs);
        const name = kernelName("rows", rows);
        const args = (c: number, stride: number) => [0, stride, bAt * type.bytes, bRow * type.bytes, c * type.bytes, crs * type.bytes, k, packWork(blocks, panels, packed)];
        (general[name] as (...args: number[]) => void)(...args(cAt[0]!, aRow * type.bytes));
        (baked[name] as (...args: number[]) => void)(...args(cAt[1]!, 7 * type.bytes));
        const [g, b] = cAt.map((at) => Array.from(view.subarray(at, at + m * crs)));
        expect(b, `${typeName} ${name} k ${k}`).toEqual(g);
        expect(g!.some((x) => x !== 9 && x !== 0)).toBe(true);
      }
    }
  });

  test("reject strides that are not whole elements or past MAX_FIXED_STRIDE, naming the stride", () => {
    expect(() => dotModuleBytes(F32, { aRow: 6, bCol: 16 }, memoryImport)).toThrow(/dotModuleBytes: stride aRow = 6 is not a whole number of f32 elements/);
    expect(() => dotModuleBytes(F64, { aRow: 16, bCol: 12 }, memoryImport)).toThrow(/stride bCol = 12 .* f64/);
    expect(() => dotModuleBytes(F32, { aRow: 16, bCol: MAX_FIXED_STRIDE + 4 }, memoryImport)).toThrow(RangeError);
    expect(() => rowsModuleBytes(F32, { mr: 4, vectors: 2, unroll: 1 }, 10, memoryImport)).toThrow(/rowsModuleBytes: row stride 10 is not a whole number of f32 elements/);
    expect(() => rowsModuleBytes(F32, { mr: 4, vectors: 2, unroll: 1 }, MAX_FIXED_STRIDE + 4, memoryImport)).toThrow(RangeError);
  });

  test("more distinct strides than MAX_GENERATED_MODULES: the products past the bound take the general kernels, same values", () => {
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      for (let extra = 0; extra < MAX_GENERATED_MODULES / 2 + 4; extra++) {
        // Dot-product layout (A rows, B columns contiguous) and panel layout, each with strides of their own.
        const [m, k, n] = [5, 20, 6];
        const a: MatrixView = { data: values(m * (k + extra), 40 + extra, "f32"), offset: 0, rowStride: k + extra, colStride: 1 };
        const bt: MatrixView = { data: values(n * (k + extra + 1), 41 + extra, "f32"), offset: 0, rowStride: 1, colStride: k + extra + 1 };
        const b: MatrixView = { data: values(k * n, 42 + extra, "f32"), offset: 0, rowStride: n, colStride: 1 };
        for (const right of [bt, b]) {
          const out = new Float64Array(m * n);
          matmulWasm("f32", a, right, m, k, n, out, 0);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let p = 0; p < k; p++) s += a.data[i * a.rowStride + p]! * right.data[p * right.rowStride + j * right.colStride]!;
              expect(out[i * n + j]).toBeCloseTo(s, 4);
            }
          }
        }
      }
    }
    setNumThreads(threadsBefore);
  });
});

describe("matmulWasm with a small A in another layout and B's columns contiguous", () => {
  test.each(["f32", "f64"] as const)("copies A row-major and takes the dot-product kernels: the same bits as with a row-major A (%s)", (precision) => {
    // The DenseMLP output layer's weight gradient: δ (2 × 250, read from 250 × 2) · xᵀ (250 × 513).
    for (const [m, k, n] of [
      [2, 250, 513],
      [3, 17, 9],
      [8, 1024, 5],
    ] as const) {
      const data = values(m * k, 3, precision);
      const rowMajor: MatrixView = { data, offset: 0, rowStride: k, colStride: 1 };
      const transposedData = dense({ data, offset: 0, rowStride: k, colStride: 1 }, m, k);
      // The same values held k × m, read transposed; and with every other element skipped.
      const stored = precision === "f32" ? new Float32Array(m * k) : new Float64Array(m * k);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) stored[p * m + i] = transposedData[i * k + p]!;
      const transposed: MatrixView = { data: stored, offset: 0, rowStride: 1, colStride: m };
      const spaced = precision === "f32" ? new Float32Array(2 * m * k) : new Float64Array(2 * m * k);
      for (let t = 0; t < m * k; t++) spaced[2 * t] = data[t]!;
      const general: MatrixView = { data: spaced, offset: 0, rowStride: 2 * k, colStride: 2 };
      const bData = values(k * n, 4, precision);
      const b: MatrixView = { data: bData, offset: 0, rowStride: 1, colStride: k };
      const run = (a: MatrixView) => {
        const out = new Float64Array(m * n);
        matmulWasm(precision, a, b, m, k, n, out, 0);
        return out;
      };
      const want = run(rowMajor);
      expect(unchanged(run(transposed), want)).toBe(true);
      expect(unchanged(run(general), want)).toBe(true);
      check(precision, "col", "col", m, k, n);
    }
  });
});

describe("a long row-major B packed into panels by the Wasm kernel", () => {
  test("gives the bits of the same product with B packed in JavaScript, resident or not, f32 and f64, on 1 and 2 threads", () => {
    const [m, k, n] = [PACK_B_MIN_M + 9, PACK_B_MIN_K + 45, 37]; // n: four whole panels and a partial one
    for (const precision of ["f32", "f64"] as const) {
      const a = operand("row", m, k, 51, precision);
      const vals = values(k * n, 52, precision);
      for (const resident of [false, true]) {
        // Row-major B, contiguous: read by pack_panels (in place when resident, from a copy of its span when not).
        let data: Float32Array | Float64Array = vals;
        if (resident) {
          data = precision === "f32" ? allocateResident(Float32Array, k * n + 2, false)! : allocateResident(Float64Array, k * n + 2, false)!;
          data.set(vals, 2);
        }
        const packedInWasm: MatrixView = { data, offset: resident ? 2 : 0, rowStride: n, colStride: 1 };
        // The same matrix with rows 3n apart: its span is past twice its size, so it is packed in JavaScript.
        const spread = precision === "f32" ? new Float32Array(3 * n * k) : new Float64Array(3 * n * k);
        for (let p = 0; p < k; p++) spread.set(vals.subarray(p * n, (p + 1) * n), 3 * n * p);
        const packedInJs: MatrixView = { data: spread, offset: 0, rowStride: 3 * n, colStride: 1 };
        for (const threads of [1, 2]) {
          setNumThreads(threads);
          const [x, y] = [new Float64Array(m * n), new Float64Array(m * n)];
          matmulWasm(precision, a, packedInWasm, m, k, n, x, 0);
          matmulWasm(precision, a, packedInJs, m, k, n, y, 0);
          expect(Array.from(x), `${precision}, resident ${resident}, ${threads} thread(s)`).toEqual(Array.from(y));
          // And the product itself, against float64 sums.
          for (const [i, j] of [[0, 0], [m - 1, n - 1], [7, 33], [20, 36]] as const) {
            let sum = 0;
            for (let p = 0; p < k; p++) sum += a.data[i * k + p]! * vals[p * n + j]!;
            expect(x[i * n + j]).toBeCloseTo(sum, precision === "f32" ? 3 : 9);
          }
        }
        if (resident) releaseResident(data);
      }
    }
    setNumThreads(threadsBefore);
  });
});

describe("matmulWasmF32Into", () => {
  test("gives matmulWasm's float32 bits, written straight into a float32 output, for any strides (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1000 }), (m, k, n, aT, bT, seed) => {
        let s = seed + 1;
        const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
        const a = Float32Array.from({ length: m * k + 3 }, r);
        const b = Float32Array.from({ length: k * n + 5 }, r);
        // Row-major or transposed views, with an offset.
        const av: MatrixView = aT ? { data: a, offset: 3, rowStride: 1, colStride: m } : { data: a, offset: 3, rowStride: k, colStride: 1 };
        const bv: MatrixView = bT ? { data: b, offset: 5, rowStride: 1, colStride: k } : { data: b, offset: 5, rowStride: n, colStride: 1 };
        const acc = new Float64Array(m * n);
        matmulWasm("f32", av, bv, m, k, n, acc, 0);
        const out = new Float32Array(m * n).fill(7);
        matmulWasmF32Into(av, bv, m, k, n, out);
        expect(Array.from(out)).toEqual(Array.from(acc, (v) => Math.fround(v)));
      }),
      { numRuns: 150 },
    );
  });
});
