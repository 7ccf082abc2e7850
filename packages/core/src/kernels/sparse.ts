import { allocateTyped } from "../slab_allocator.js";
import type { TypedArray } from "../dtype.js";
import type { EdgeTable } from "./edge_table.js";
import { edgeDotRowsWasm, edgeDotWasm, spmvRowsWasm, spmvWasm, wasmSparseAvailable } from "./wasm/sparse_wasm.js";

/**
 * Kernels of the sparse products over row-major operands whose feature axis sits between
 * `pre` leading and `post` trailing "sample" axes: `spmv`
 * (`out[p, r, q] = Σ_{e: rows[e]=r} values[e] · x[p, cols[e], q]`) and `edgeDot`
 * (`out[e] = Σ_{p, q} a[p, rows[e], q] · b[p, cols[e], q]`). Two layouts have kernels of their
 * own: samples-major (`post = 1`, features last: `[n][features]`) and features-major (`pre = 1`,
 * features first: `[features][n]`, what `vmap` of a per-sample network produces, since the
 * sparse primitives put the batch axis last). Float operands with enough samples go to the
 * WebAssembly SIMD kernels (samples in lanes, float32 computed in float32); the rest run the
 * JavaScript loops here (float64 accumulation, rounded once on store).
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

const isFloat = (d: TypedArray): d is Float32Array | Float64Array => d instanceof Float32Array || d instanceof Float64Array;

/**
 * `out[i·numRows + r] = Σ_{e: rows[e] = r} values[e] · x[i·w + cols[e]]` for `i < n` (`out`
 * zero-initialised by the caller, length `n · numRows`; rows past the table's are left at 0).
 * Example: `spmvKernel(x, 2, 3, values, table, 4, new Float64Array(8))`.
 */
export function spmvKernel(x: TypedArray, n: number, w: number, values: TypedArray, table: EdgeTable, numRows: number, out: TypedArray): void {
  if (n === 0 || numRows === 0) return;
  if (table.size <= MAX_UNROLLED) {
    unrolledSpmv(table)(x, n, w, values, numRows, out);
    return;
  }
  if (isFloat(x) && isFloat(values) && isFloat(out) && x.constructor === values.constructor && x.constructor === out.constructor && useWasmSparse(n, table.size, w + numRows) && wasmSparseAvailable()) {
    spmvWasm(x, n, w, values, table, numRows, out);
    return;
  }
  spmvJs(x, n, w, values, table, numRows, out);
}

/**
 * The JavaScript spmv (same contract as {@link spmvKernel}): per sample, each row's edges in
 * row order, accumulated in float64.
 * Example: `spmvJs(x, 2, 3, values, table, 4, new Float64Array(8))`.
 */
export function spmvJs(x: TypedArray, n: number, w: number, values: TypedArray, table: EdgeTable, numRows: number, out: TypedArray): void {
  const { order, rowStart, cols } = table.byRow();
  const bound = Math.min(table.rowBound, numRows);
  // Row by row, edge by edge, with the samples innermost: one multiply-add per step of a
  // strided loop (the sample loop innermost per entry was 3x slower on 250 samples of 2-4
  // entries). Each (sample, row) still sums its entries in row order in float64.
  const acc = allocateTyped(Float64Array, n);
  for (let r = 0; r < bound; r++) {
    const start = rowStart[r]!;
    const end = rowStart[r + 1]!;
    if (start === end) continue;
    acc.fill(0);
    for (let k = start; k < end; k++) {
      const v = values[order === null ? k : order[k]!]!;
      const c = cols[k]!;
      for (let i = 0, p = c; i < n; i++, p += w) acc[i]! += v * x[p]!;
    }
    for (let i = 0, o = r; i < n; i++, o += numRows) out[o] = acc[i]!;
  }
}

/**
 * `out[e] = Σ_{i < n} a[i·numRows + rows[e]] · b[i·w + cols[e]]` (`out` of length `table.size`).
 * Example: `edgeDotKernel(a, b, 2, 4, 3, table, new Float64Array(table.size))`.
 */
export function edgeDotKernel(a: TypedArray, b: TypedArray, n: number, numRows: number, w: number, table: EdgeTable, out: TypedArray): void {
  if (table.size === 0) return;
  if (table.size <= MAX_UNROLLED) {
    unrolledEdgeDot(table)(a, b, n, numRows, w, out);
    return;
  }
  if (isFloat(a) && isFloat(b) && isFloat(out) && a.constructor === b.constructor && a.constructor === out.constructor && useWasmSparse(n, table.size, numRows + w) && wasmSparseAvailable()) {
    edgeDotWasm(a, b, n, numRows, w, table, out);
    return;
  }
  edgeDotJs(a, b, n, numRows, w, table, out);
}

/**
 * The JavaScript edge_dot (same contract as {@link edgeDotKernel}), accumulated in float64.
 * Example: `edgeDotJs(a, b, 2, 4, 3, table, new Float64Array(table.size))`.
 */
export function edgeDotJs(a: TypedArray, b: TypedArray, n: number, numRows: number, w: number, table: EdgeTable, out: TypedArray): void {
  const { rows, cols, size } = table;
  // Entry by entry with the samples innermost (two strided loads per step); each entry sums
  // over the samples in order, in float64.
  for (let e = 0; e < size; e++) {
    let acc = 0;
    for (let i = 0, pa = rows[e]!, pb = cols[e]!; i < n; i++, pa += numRows, pb += w) acc += a[pa]! * b[pb]!;
    out[e] = acc;
  }
}

/**
 * Tables with at most this many entries get kernels generated for them, with the entries'
 * positions as constants and the sample loop around a fully unrolled body (the small networks
 * of the README have 2 to 4 edges per topological batch: 0.4 µs instead of 2 µs per call over
 * 250 samples). They compute exactly what `spmvJs` and `edgeDotJs` compute: the same products,
 * summed in the same order in float64.
 */
export const MAX_UNROLLED = 16;

type UnrolledSpmv = (x: TypedArray, n: number, w: number, values: TypedArray, numRows: number, out: TypedArray) => void;
type UnrolledEdgeDot = (a: TypedArray, b: TypedArray, n: number, numRows: number, w: number, out: TypedArray) => void;

let nextUnrolledTag = 0;

/** The generated spmv of a small table (see {@link MAX_UNROLLED}). */
function unrolledSpmv(table: EdgeTable): UnrolledSpmv {
  return table.memo("unrolled spmv", () => {
    const { order, rowStart, cols } = table.byRow();
    const lines: string[] = [];
    for (let k = 0; k < table.size; k++) lines.push(`const v${k} = values[${order === null ? k : order[k]!}];`);
    const body: string[] = [];
    for (let r = 0; r < table.rowBound; r++) {
      const start = rowStart[r]!;
      const end = rowStart[r + 1]!;
      if (start === end) continue;
      const terms: string[] = [];
      for (let k = start; k < end; k++) terms.push(`v${k} * x[xo + ${cols[k]!}]`);
      // Rows at or past numRows are skipped, as in spmvJs; the sum starts from 0 as its
      // accumulator does (so a single -0 product stores +0, as there).
      body.push(`if (${r} < numRows) out[oo + ${r}] = 0 + ${terms.join(" + ")};`);
    }
    lines.push(`for (let i = 0, xo = 0, oo = 0; i < n; i++, xo += w, oo += numRows) {`, ...body, `}`);
    lines.push(`// unrolled spmv #${nextUnrolledTag++}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function("x", "n", "w", "values", "numRows", "out", lines.join("\n")) as UnrolledSpmv;
  });
}

/** The generated edge_dot of a small table (see {@link MAX_UNROLLED}). */
function unrolledEdgeDot(table: EdgeTable): UnrolledEdgeDot {
  return table.memo("unrolled edge_dot", () => {
    const { rows, cols, size } = table;
    const lines: string[] = [];
    for (let e = 0; e < size; e++) lines.push(`let s${e} = 0;`);
    const body: string[] = [];
    for (let e = 0; e < size; e++) body.push(`s${e} += a[ao + ${rows[e]!}] * b[bo + ${cols[e]!}];`);
    lines.push(`for (let i = 0, ao = 0, bo = 0; i < n; i++, ao += numRows, bo += w) {`, ...body, `}`);
    for (let e = 0; e < size; e++) lines.push(`out[${e}] = s${e};`);
    lines.push(`// unrolled edge_dot #${nextUnrolledTag++}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function("a", "b", "n", "numRows", "w", "out", lines.join("\n")) as UnrolledEdgeDot;
  });
}

/**
 * Whether `n` samples of `entries` edges over `features` input and output rows in the
 * features-major layout are faster in the Wasm kernels. Operands are copied in and out row by
 * row (no transpose), so Wasm wins once there are a few edges per row copied and lanes to fill.
 * Example: `useWasmSparseRows(250, 20000, 641)` is `true`.
 */
export function useWasmSparseRows(n: number, entries: number, features: number): boolean {
  return n >= 8 && 2 * entries >= features;
}

/**
 * spmv over the middle axis of `x` (`pre × w × post`, row-major) into `out` (`pre × numRows ×
 * post`, zero-initialised by the caller): `out[p, r, q] = Σ_{e: rows[e]=r} values[e] · x[p, cols[e], q]`.
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
 * The features-major spmv: `out[r·n + i] = Σ_{e: rows[e] = r} values[e] · x[cols[e]·n + i]`
 * (`x` of `w × n`, `out` of `numRows × n` zero-initialised by the caller).
 * Example: `spmvRowsKernel(x, 250, 3, values, table, 4, out)`.
 */
export function spmvRowsKernel(x: TypedArray, n: number, w: number, values: TypedArray, table: EdgeTable, numRows: number, out: TypedArray): void {
  if (n === 0 || numRows === 0 || table.size === 0) return;
  if (table.size <= MAX_UNROLLED && table.rowBound <= numRows) {
    unrolledSpmvRows(table)(x, n, values, out);
    return;
  }
  if (isFloat(x) && isFloat(values) && isFloat(out) && x.constructor === values.constructor && x.constructor === out.constructor && useWasmSparseRows(n, table.size, w + numRows) && wasmSparseAvailable()) {
    spmvRowsWasm(x, n, w, values, table, numRows, out);
    return;
  }
  spmvRowsJs(x, n, w, values, table, numRows, out);
}

/**
 * The JavaScript features-major spmv (same contract as {@link spmvRowsKernel}): each output
 * row sums its edges in row order, per sample, in float64.
 * Example: `spmvRowsJs(x, 250, 3, values, table, 4, out)`.
 */
export function spmvRowsJs(x: TypedArray, n: number, _w: number, values: TypedArray, table: EdgeTable, numRows: number, out: TypedArray): void {
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
      for (let i = 0, p = cols[k]! * n; i < n; i++, p++) acc[i]! += v * x[p]!;
    }
    for (let i = 0, o = r * n; i < n; i++, o++) out[o] = acc[i]!;
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

/**
 * The features-major edge_dot: `out[e] = Σ_i a[rows[e]·n + i] · b[cols[e]·n + i]`.
 * Example: `edgeDotRowsKernel(a, b, 250, 4, 3, table, out)`.
 */
export function edgeDotRowsKernel(a: TypedArray, b: TypedArray, n: number, numRows: number, w: number, table: EdgeTable, out: TypedArray): void {
  if (table.size === 0) return;
  if (table.size <= MAX_UNROLLED) {
    unrolledEdgeDotRows(table)(a, b, n, out);
    return;
  }
  if (isFloat(a) && isFloat(b) && isFloat(out) && a.constructor === b.constructor && a.constructor === out.constructor && useWasmSparseRows(n, table.size, numRows + w) && wasmSparseAvailable()) {
    edgeDotRowsWasm(a, b, n, numRows, w, table, out);
    return;
  }
  edgeDotRowsJs(a, b, n, numRows, w, table, out);
}

/**
 * The JavaScript features-major edge_dot (same contract as {@link edgeDotRowsKernel}), each
 * entry summed over the samples in order, in float64.
 * Example: `edgeDotRowsJs(a, b, 250, 4, 3, table, out)`.
 */
export function edgeDotRowsJs(a: TypedArray, b: TypedArray, n: number, _numRows: number, _w: number, table: EdgeTable, out: TypedArray): void {
  const { rows, cols, size } = table;
  for (let e = 0; e < size; e++) {
    let acc = 0;
    for (let i = 0, pa = rows[e]! * n, pb = cols[e]! * n; i < n; i++, pa++, pb++) acc += a[pa]! * b[pb]!;
    out[e] = acc;
  }
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

type UnrolledRows = (x: TypedArray, n: number, values: TypedArray, out: TypedArray) => void;
type UnrolledEdgeDotRows = (a: TypedArray, b: TypedArray, n: number, out: TypedArray) => void;

/** The generated features-major spmv of a small table: the same sums as {@link spmvRowsJs}, in the same order. */
function unrolledSpmvRows(table: EdgeTable): UnrolledRows {
  return table.memo("unrolled spmv rows", () => {
    const { order, rowStart, cols } = table.byRow();
    const lines: string[] = [];
    for (let k = 0; k < table.size; k++) lines.push(`const v${k} = values[${order === null ? k : order[k]!}];`);
    const used = new Set<number>(Array.from(cols));
    for (const c of used) lines.push(`const x${c} = ${c} * n;`);
    const body: string[] = [];
    for (let r = 0; r < table.rowBound; r++) {
      const start = rowStart[r]!;
      const end = rowStart[r + 1]!;
      if (start === end) continue;
      const terms: string[] = [];
      for (let k = start; k < end; k++) terms.push(`v${k} * x[x${cols[k]!} + i]`);
      lines.push(`const o${r} = ${r} * n;`);
      body.push(`out[o${r} + i] = 0 + ${terms.join(" + ")};`);
    }
    lines.push(`for (let i = 0; i < n; i++) {`, ...body, `}`);
    lines.push(`// unrolled spmv rows #${nextUnrolledTag++}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function("x", "n", "values", "out", lines.join("\n")) as UnrolledRows;
  });
}

/** The generated features-major edge_dot of a small table: the same sums as {@link edgeDotRowsJs}. */
function unrolledEdgeDotRows(table: EdgeTable): UnrolledEdgeDotRows {
  return table.memo("unrolled edge_dot rows", () => {
    const { rows, cols, size } = table;
    const lines: string[] = [];
    for (let e = 0; e < size; e++) lines.push(`let s${e} = 0;`, `const a${e} = ${rows[e]!} * n;`, `const b${e} = ${cols[e]!} * n;`);
    const body: string[] = [];
    for (let e = 0; e < size; e++) body.push(`s${e} += a[a${e} + i] * b[b${e} + i];`);
    lines.push(`for (let i = 0; i < n; i++) {`, ...body, `}`);
    for (let e = 0; e < size; e++) lines.push(`out[${e}] = s${e};`);
    lines.push(`// unrolled edge_dot rows #${nextUnrolledTag++}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function("a", "b", "n", "out", lines.join("\n")) as UnrolledEdgeDotRows;
  });
}
