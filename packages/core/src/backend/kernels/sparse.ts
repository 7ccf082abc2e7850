import { allocateTyped } from "../slab_allocator.js";
import type { TypedArray } from "../../dtype.js";
import type { EdgeTable } from "./edge_table.js";
import { edgeDotRowsWasm, edgeDotWasm, spmvRowsWasm, spmvWasm, wasmSparseAvailable, type Order } from "./wasm/sparse_wasm.js";

export type { Order } from "./wasm/sparse_wasm.js";

/**
 * Kernels of the sparse products over row-major operands whose feature axis sits between
 * `pre` leading and `post` trailing "sample" axes: `spmv`
 * (`out[p, r, q] = Σ_{e: rows[e]=r} values[e] · x[p, cols[e], q]`) and `edgeDot`
 * (`out[e] = Σ_{p, q} a[p, rows[e], q] · b[p, cols[e], q]`). Two layouts have kernels of their
 * own: samples-major (`post = 1`, features last: `[n][features]`) and features-major (`pre = 1`,
 * features first: `[features][n]`, what `vmap` of a per-sample network produces, since the
 * sparse primitives put the batch axis last). Float operands with enough samples go to the
 * WebAssembly SIMD kernels (samples in lanes, float32 computed in float32); the rest run the
 * JavaScript loops here (float64 accumulation, rounded once on store), written once for both
 * layouts over element strides: value (feature `f`, sample `i`) of an operand sits at
 * `f · featureStride + i · sampleStride` (samples-major: `1` and the feature count;
 * features-major: the sample count and `1`).
 */

/**
 * Whether `n` samples of `entries` edges between `features` input and output features (the
 * dense rows the Wasm path transposes in and out) are faster in the Wasm kernels. Measured
 * (2-core AMD EPYC, Node 20, float32, n = 250): a transpose costs about what one JS
 * multiply-add per sample costs (~2.4 ns per element), the Wasm kernels ~15x less per edge, so
 * Wasm wins once there are more edges than transposed features (128x513 blocks at 32 %: 1.2 ms
 * vs 12 ms; a 2x510 block with 324 edges: 0.65 ms vs 0.16 ms in JS), and with 8 samples or
 * more (fewer leave the SIMD lanes mostly padding).
 * Example: `useWasmSparse(250, 20000, 641)` is `true`.
 */
export function useWasmSparse(n: number, entries: number, features: number): boolean {
  return n >= 8 && entries >= features;
}

/**
 * Whether `n` samples of `entries` edges over `features` input and output rows in the
 * features-major layout are faster in the Wasm kernels. Operands are read in place when they
 * are in the kernel memory, else copied in as blocks (no transpose), so Wasm wins as soon as
 * lanes fill and there are a few edges per sixteen rows copied. Measured (Intel Xeon, 2 cores,
 * Node 20, float32, n = 100, resident operands, 2026-12-06, `spmvRowsWasm` against
 * `spmvRowsJs` in a loop): 36 edges from 10 to 100 rows 3.8 µs against 14 µs, 1,080 edges from
 * 100 to 300 rows 13 µs against 259 µs, 20 edges on 100 × 100 rows 2.5 µs against 10 µs;
 * copying a row in costs ~0.14 ns per element, a JavaScript multiply-add ~4 ns.
 * Example: `useWasmSparseRows(100, 36, 110)` is `true`.
 */
export function useWasmSparseRows(n: number, entries: number, features: number): boolean {
  return n >= 8 && 16 * entries >= features;
}

type FloatArray = Float32Array | Float64Array;

/** Whether all three arrays are float32, or all float64 (what the Wasm kernels take). */
function sameFloats(a: TypedArray, b: TypedArray, c: TypedArray): boolean {
  return (a instanceof Float32Array || a instanceof Float64Array) && b.constructor === a.constructor && c.constructor === a.constructor;
}

/**
 * `out[i·numRows + r] = Σ_{e: rows[e] = r} values[e] · x[i·w + cols[e]]` for `i < n` (`out` of
 * length `n · numRows`, its previous contents ignored: rows without entries become 0). The
 * Wasm kernels write every row; the JavaScript loops, which write only rows with entries, run
 * on a zeroed `out`, so the caller need not zero it (zeroing a resident array from JavaScript is
 * a slow pass over shared memory).
 * Example: `spmvKernel(x, 2, 3, values, table, 4, new Float64Array(8))`.
 */
export function spmvKernel(x: TypedArray, n: number, w: number, values: TypedArray, table: EdgeTable, numRows: number, out: TypedArray): void {
  if (n === 0 || numRows === 0 || table.size === 0) out.fill(0, 0, n * numRows);
  else if (table.size <= MAX_UNROLLED && table.rowBound <= numRows) unrolledSpmv(table)(x, values, out.fill(0, 0, n * numRows), n, 1, w, 1, numRows);
  else if (sameFloats(x, values, out) && useWasmSparse(n, table.size, w + numRows) && wasmSparseAvailable()) spmvWasm(x as FloatArray, n, w, values as FloatArray, table, numRows, out as FloatArray);
  else spmvJs(x, n, w, values, table, numRows, out.fill(0, 0, n * numRows));
}

/**
 * The features-major spmv: `out[r·n + i] = Σ_{e: rows[e] = r} values[e] · x[cols[e]·n + i]`
 * (`x` of `w × n`, `out` of `numRows × n`, its previous contents ignored as in
 * {@link spmvKernel}). With `xOrder`
 * `"samples-major"`, `x` holds the same operand transposed (`n` rows of `w`, `xStride` apart:
 * an input batch that vmap reads through a transpose, or its columns a network's first layer
 * reads), and the result is the same bit for bit (the same kernel runs on the same values; only
 * where they are read from differs). `xKey` (the view the operand was read from) lets the Wasm
 * path reuse its transposed rows for the next product of the same view.
 * Example: `spmvRowsKernel(x, 250, 3, values, table, 4, out)`.
 */
export function spmvRowsKernel(x: TypedArray, n: number, w: number, values: TypedArray, table: EdgeTable, numRows: number, out: TypedArray, xOrder: Order = "features-major", xKey?: object, xStride = w): void {
  const [xFeature, xSample] = xOrder === "features-major" ? [n, 1] : [1, xStride];
  if (n === 0 || numRows === 0 || table.size === 0) out.fill(0, 0, n * numRows);
  else if (table.size <= MAX_UNROLLED && table.rowBound <= numRows) unrolledSpmv(table)(x, values, out.fill(0, 0, n * numRows), n, xFeature, xSample, n, 1);
  else if (sameFloats(x, values, out) && useWasmSparseRows(n, table.size, w + numRows) && wasmSparseAvailable()) spmvRowsWasm(x as FloatArray, n, w, values as FloatArray, table, numRows, out as FloatArray, xOrder, xKey, xStride);
  else spmvStrided(x, xFeature, xSample, n, values, table, numRows, out.fill(0, 0, n * numRows), n, 1);
}

/**
 * The JavaScript spmv (same contract as {@link spmvKernel}): per sample, each row's edges in
 * row order, accumulated in float64.
 * Example: `spmvJs(x, 2, 3, values, table, 4, new Float64Array(8))`.
 */
export function spmvJs(x: TypedArray, n: number, w: number, values: TypedArray, table: EdgeTable, numRows: number, out: TypedArray): void {
  spmvStrided(x, 1, w, n, values, table, numRows, out, 1, numRows);
}

/**
 * The JavaScript features-major spmv (same contract as {@link spmvRowsKernel}).
 * Example: `spmvRowsJs(x, 250, 3, values, table, 4, out)`.
 */
export function spmvRowsJs(x: TypedArray, n: number, _w: number, values: TypedArray, table: EdgeTable, numRows: number, out: TypedArray): void {
  spmvStrided(x, n, 1, n, values, table, numRows, out, n, 1);
}

/**
 * spmv over strided operands (see the module comment), rows past `numRows` skipped: row by
 * row, edge by edge, with the samples innermost (one multiply-add per step of a strided loop;
 * the sample loop innermost per entry was 3x slower on 250 samples of 2-4 entries). Each
 * (sample, row) sums its entries in row order in float64.
 */
function spmvStrided(x: TypedArray, xFeature: number, xSample: number, n: number, values: TypedArray, table: EdgeTable, numRows: number, out: TypedArray, outFeature: number, outSample: number): void {
  const { order, rowStart, cols } = table.byRow();
  const bound = Math.min(table.rowBound, numRows);
  const acc = allocateTyped(Float64Array, n);
  for (let r = 0; r < bound; r++) {
    const start = rowStart[r]!;
    const end = rowStart[r + 1]!;
    if (start === end) continue;
    acc.fill(0);
    for (let k = start; k < end; k++) {
      const v = values[order === null ? k : order[k]!]!;
      for (let i = 0, p = cols[k]! * xFeature; i < n; i++, p += xSample) acc[i]! += v * x[p]!;
    }
    for (let i = 0, o = r * outFeature; i < n; i++, o += outSample) out[o] = acc[i]!;
  }
}

/**
 * `out[e] = Σ_{i < n} a[i·numRows + rows[e]] · b[i·w + cols[e]]` (`out` of length `table.size`).
 * Example: `edgeDotKernel(a, b, 2, 4, 3, table, new Float64Array(table.size))`.
 */
export function edgeDotKernel(a: TypedArray, b: TypedArray, n: number, numRows: number, w: number, table: EdgeTable, out: TypedArray): void {
  if (table.size === 0) return;
  if (table.size <= MAX_UNROLLED) unrolledEdgeDot(table)(a, b, out, n, 1, numRows, 1, w);
  else if (sameFloats(a, b, out) && useWasmSparse(n, table.size, numRows + w) && wasmSparseAvailable()) edgeDotWasm(a as FloatArray, b as FloatArray, n, numRows, w, table, out as FloatArray);
  else edgeDotJs(a, b, n, numRows, w, table, out);
}

/**
 * The features-major edge_dot: `out[e] = Σ_i a[rows[e]·n + i] · b[cols[e]·n + i]`. An operand
 * whose order is `"samples-major"` holds the same values transposed (`n` rows of `numRows` or
 * `w`, `aStride` or `bStride` apart), with the same result bit for bit (see {@link spmvRowsKernel}).
 * Example: `edgeDotRowsKernel(a, b, 250, 4, 3, table, out)`.
 */
export function edgeDotRowsKernel(
  a: TypedArray,
  b: TypedArray,
  n: number,
  numRows: number,
  w: number,
  table: EdgeTable,
  out: TypedArray,
  aOrder: Order = "features-major",
  bOrder: Order = "features-major",
  aKey?: object,
  bKey?: object,
  aStride = numRows,
  bStride = w,
): void {
  if (table.size === 0) return;
  const [aFeature, aSample] = aOrder === "features-major" ? [n, 1] : [1, aStride];
  const [bFeature, bSample] = bOrder === "features-major" ? [n, 1] : [1, bStride];
  if (table.size <= MAX_UNROLLED) unrolledEdgeDot(table)(a, b, out, n, aFeature, aSample, bFeature, bSample);
  else if (sameFloats(a, b, out) && useWasmSparseRows(n, table.size, numRows + w) && wasmSparseAvailable()) edgeDotRowsWasm(a as FloatArray, b as FloatArray, n, numRows, w, table, out as FloatArray, aOrder, bOrder, aKey, bKey, aStride, bStride);
  else edgeDotStrided(a, aFeature, aSample, b, bFeature, bSample, n, table, out);
}

/**
 * The JavaScript edge_dot (same contract as {@link edgeDotKernel}), accumulated in float64.
 * Example: `edgeDotJs(a, b, 2, 4, 3, table, new Float64Array(table.size))`.
 */
export function edgeDotJs(a: TypedArray, b: TypedArray, n: number, numRows: number, w: number, table: EdgeTable, out: TypedArray): void {
  edgeDotStrided(a, 1, numRows, b, 1, w, n, table, out);
}

/**
 * The JavaScript features-major edge_dot (same contract as {@link edgeDotRowsKernel}).
 * Example: `edgeDotRowsJs(a, b, 250, 4, 3, table, out)`.
 */
export function edgeDotRowsJs(a: TypedArray, b: TypedArray, n: number, _numRows: number, _w: number, table: EdgeTable, out: TypedArray): void {
  edgeDotStrided(a, n, 1, b, n, 1, n, table, out);
}

/** edge_dot over strided operands (see the module comment): entry by entry, the samples innermost and summed in order, in float64. */
function edgeDotStrided(a: TypedArray, aFeature: number, aSample: number, b: TypedArray, bFeature: number, bSample: number, n: number, table: EdgeTable, out: TypedArray): void {
  const { rows, cols, size } = table;
  for (let e = 0; e < size; e++) {
    let acc = 0;
    for (let i = 0, pa = rows[e]! * aFeature, pb = cols[e]! * bFeature; i < n; i++, pa += aSample, pb += bSample) acc += a[pa]! * b[pb]!;
    out[e] = acc;
  }
}

/**
 * spmv over the middle axis of `x` (`pre × w × post`, row-major) into `out` (`pre × numRows ×
 * post`, its previous contents ignored): `out[p, r, q] = Σ_{e: rows[e]=r} values[e] · x[p, cols[e], q]`.
 * Example: `spmvAlongAxis(x, 1, 3, 250, values, table, 4, out)` (features-major, 250 samples).
 */
export function spmvAlongAxis(x: TypedArray, pre: number, w: number, post: number, values: TypedArray, table: EdgeTable, numRows: number, out: TypedArray): void {
  if (post === 1) {
    spmvKernel(x, pre, w, values, table, numRows, out);
    return;
  }
  for (let p = 0; p < pre; p++) {
    const xs = pre === 1 ? x : x.subarray(p * w * post, (p + 1) * w * post);
    const os = pre === 1 ? out : out.subarray(p * numRows * post, (p + 1) * numRows * post);
    spmvRowsKernel(xs, post, w, values, table, numRows, os);
  }
}

/**
 * edge_dot over the middle axis (`a` of `pre × numRows × post`, `b` of `pre × w × post`):
 * `out[e] = Σ_{p, q} a[p, rows[e], q] · b[p, cols[e], q]`.
 * Example: `edgeDotAlongAxis(a, b, 1, 4, 3, 250, table, out)` (features-major).
 */
export function edgeDotAlongAxis(a: TypedArray, b: TypedArray, pre: number, numRows: number, w: number, post: number, table: EdgeTable, out: TypedArray): void {
  if (post === 1) edgeDotKernel(a, b, pre, numRows, w, table, out);
  else if (pre === 1) edgeDotRowsKernel(a, b, post, numRows, w, table, out);
  else edgeDotGeneralJs(a, b, pre, numRows, w, post, table, out);
}

/** edge_dot with both leading and trailing sample axes (rare: a feature axis in the middle), in float64. */
function edgeDotGeneralJs(a: TypedArray, b: TypedArray, pre: number, numRows: number, w: number, post: number, table: EdgeTable, out: TypedArray): void {
  const { rows, cols, size } = table;
  for (let e = 0; e < size; e++) {
    let acc = 0;
    for (let p = 0; p < pre; p++) {
      const pa = (p * numRows + rows[e]!) * post;
      const pb = (p * w + cols[e]!) * post;
      for (let q = 0; q < post; q++) acc += a[pa + q]! * b[pb + q]!;
    }
    out[e] = acc;
  }
}

/**
 * Tables with at most this many entries get kernels generated for them, with the entries'
 * positions as constants and the sample loop around a fully unrolled body (the small networks
 * of the README have 2 to 4 edges per topological batch: 0.4 µs instead of 2 µs per call over
 * 250 samples). They compute exactly what the JS loops compute: the same products, summed in
 * the same order in float64. One generated function per table serves both layouts (strides
 * are arguments).
 */
export const MAX_UNROLLED = 16;

type UnrolledSpmv = (x: TypedArray, values: TypedArray, out: TypedArray, n: number, xFeature: number, xSample: number, outFeature: number, outSample: number) => void;
type UnrolledEdgeDot = (a: TypedArray, b: TypedArray, out: TypedArray, n: number, aFeature: number, aSample: number, bFeature: number, bSample: number) => void;

let nextUnrolledTag = 0;

/** The generated spmv of a small table whose rows all fit the output (see {@link MAX_UNROLLED}). */
function unrolledSpmv(table: EdgeTable): UnrolledSpmv {
  return table.memo("unrolled spmv", () => {
    const { order, rowStart, cols } = table.byRow();
    const lines: string[] = [];
    for (let k = 0; k < table.size; k++) lines.push(`const v${k} = values[${order === null ? k : order[k]!}];`);
    for (const c of new Set(cols.subarray(0, table.size))) lines.push(`const x${c} = ${c} * xFeature;`);
    const body: string[] = [];
    for (let r = 0; r < table.rowBound; r++) {
      const start = rowStart[r]!;
      const end = rowStart[r + 1]!;
      if (start === end) continue;
      const terms: string[] = [];
      for (let k = start; k < end; k++) terms.push(`v${k} * x[x${cols[k]!} + xi]`);
      lines.push(`const o${r} = ${r} * outFeature;`);
      // The sum starts from 0 as the JS loop's accumulator does (so a single -0 product stores +0).
      body.push(`out[o${r} + oi] = 0 + ${terms.join(" + ")};`);
    }
    lines.push(`for (let i = 0, xi = 0, oi = 0; i < n; i++, xi += xSample, oi += outSample) {`, ...body, `}`);
    lines.push(`// unrolled spmv #${nextUnrolledTag++}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function("x", "values", "out", "n", "xFeature", "xSample", "outFeature", "outSample", lines.join("\n")) as UnrolledSpmv;
  });
}

/** The generated edge_dot of a small table (see {@link MAX_UNROLLED}). */
function unrolledEdgeDot(table: EdgeTable): UnrolledEdgeDot {
  return table.memo("unrolled edge_dot", () => {
    const { rows, cols, size } = table;
    const lines: string[] = [];
    for (let e = 0; e < size; e++) lines.push(`let s${e} = 0;`, `const a${e} = ${rows[e]!} * aFeature;`, `const b${e} = ${cols[e]!} * bFeature;`);
    const body: string[] = [];
    for (let e = 0; e < size; e++) body.push(`s${e} += a[a${e} + ai] * b[b${e} + bi];`);
    lines.push(`for (let i = 0, ai = 0, bi = 0; i < n; i++, ai += aSample, bi += bSample) {`, ...body, `}`);
    for (let e = 0; e < size; e++) lines.push(`out[${e}] = s${e};`);
    lines.push(`// unrolled edge_dot #${nextUnrolledTag++}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function("a", "b", "out", "n", "aFeature", "aSample", "bFeature", "bSample", lines.join("\n")) as UnrolledEdgeDot;
  });
}
