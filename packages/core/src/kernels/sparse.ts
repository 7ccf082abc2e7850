import type { TypedArray } from "../dtype.js";
import type { EdgeTable } from "./edge_table.js";
import { edgeDotWasm, spmvWasm, wasmSparseAvailable } from "./wasm/sparse_wasm.js";

/**
 * Kernels of the sparse products over row-major operands with `n` leading "sample" rows:
 * `spmv` (`out[i, r] = Σ_{e: rows[e]=r} values[e] · x[i, cols[e]]`) and `edgeDot`
 * (`out[e] = Σ_i a[i, rows[e]] · b[i, cols[e]]`). Float operands with enough samples go to the
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
  const e = table.size;
  const v = new Float64Array(e);
  if (order === null) for (let k = 0; k < e; k++) v[k] = values[k]!;
  else for (let k = 0; k < e; k++) v[k] = values[order[k]!]!;
  const bound = Math.min(table.rowBound, numRows);
  for (let i = 0; i < n; i++) {
    const xo = i * w;
    const oo = i * numRows;
    for (let r = 0; r < bound; r++) {
      let acc = 0;
      for (let k = rowStart[r]!, end = rowStart[r + 1]!; k < end; k++) acc += v[k]! * x[xo + cols[k]!]!;
      out[oo + r] = acc;
    }
  }
}

/**
 * `out[e] = Σ_{i < n} a[i·numRows + rows[e]] · b[i·w + cols[e]]` (`out` of length `table.size`).
 * Example: `edgeDotKernel(a, b, 2, 4, 3, table, new Float64Array(table.size))`.
 */
export function edgeDotKernel(a: TypedArray, b: TypedArray, n: number, numRows: number, w: number, table: EdgeTable, out: TypedArray): void {
  if (table.size === 0) return;
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
  const acc = new Float64Array(size);
  for (let i = 0; i < n; i++) {
    const ao = i * numRows;
    const bo = i * w;
    for (let e = 0; e < size; e++) acc[e]! += a[ao + rows[e]!]! * b[bo + cols[e]!]!;
  }
  for (let e = 0; e < size; e++) out[e] = acc[e]!;
}
