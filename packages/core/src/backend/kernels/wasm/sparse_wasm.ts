import type { EdgeTable } from "../edge_table.js";
import { F32, F64, type SimdFloat } from "./matmul_kernels.js";
import { DOT_VECTORS, sparseModuleBytes, SPMV_VECTORS } from "./sparse_kernels.js";
import { heapBuffer, scratchArea } from "../../threads/kernel_heap.js";
import { kernelFunction, kernelId, kernelRuntime, registerKernelModule } from "../../threads/kernel_memory.js";
import { availableThreads, runJob, splitJob } from "../../threads/pool.js";

/**
 * The WebAssembly SIMD128 sparse products. Operands are copied into one memory (grown as needed
 * and reused by every call) as `[features][samples]` (samples-major ones transposed there by a
 * Wasm kernel), so the generated kernels (`sparse_kernels.ts`) process the samples in SIMD
 * lanes; results are copied back.
 */

type SpmvKernel = (x: number, colOff: number, vals: number, rowStart: number, out: number, numRows: number, rowBytes: number, tiles: number) => void;
type TransposeKernel = (src: number, dst: number, n: number, w: number, srcRowBytes: number, dstRowBytes: number, padded: number) => void;
type EdgeDotKernel = (a: number, b: number, rowOff: number, colOff: number, out: number, numEdges: number, chunks: number, tail: number) => void;

interface KernelSet {
  spmv: SpmvKernel;
  edgeDot: EdgeDotKernel;
  transpose: TransposeKernel;
  spmvId: number;
  edgeDotId: number;
}

interface Runtime {
  f32: KernelSet;
  f64: KernelSet;
}

for (const type of [F32, F64]) registerKernelModule(`sparse-${type.name}`, (memory) => sparseModuleBytes(type, memory), ["spmv", "edge_dot", "transpose"]);

let runtime: Runtime | null | undefined;

function kernelSet(type: SimdFloat): KernelSet {
  const key = `sparse-${type.name}`;
  return {
    spmv: kernelFunction<SpmvKernel>(key, "spmv"),
    edgeDot: kernelFunction<EdgeDotKernel>(key, "edge_dot"),
    transpose: kernelFunction<TransposeKernel>(key, "transpose"),
    spmvId: kernelId(key, "spmv"),
    edgeDotId: kernelId(key, "edge_dot"),
  };
}

function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  runtime = kernelRuntime() === null ? null : { f32: kernelSet(F32), f64: kernelSet(F64) };
  return runtime;
}

/**
 * Whether the WebAssembly SIMD sparse kernels compiled in this engine.
 * Example: `if (wasmSparseAvailable()) spmvWasm(...)`.
 */
export function wasmSparseAvailable(): boolean {
  return getRuntime() !== null;
}

/**
 * Multiply-adds (edges × samples) from which a sparse product is split across threads (over
 * output rows for spmv, over edges for edge_dot: each output is computed as on one thread).
 * Measured on the LeNet-300-100 MNIST step (`pnpm bench --only mnist`, 2-core AMD EPYC shared
 * with other jobs, 2026-12-05) with the split from 2^17: the 3.6 % step (its largest product
 * 8,468 edges × 100 samples, 0.85 M) took 1.55 ms on 2 threads against 1.18 ms on 1, the 7 %
 * step (1.65 M) 1.95 against 1.50 ms, the 21 % step (4.9 M) 3.01 against 2.92 ms: waking a
 * worker and waiting for its chunks cost more than it saved below a few million.
 */
export const SPARSE_PARALLEL_WORK = 1 << 21;

/** Threads for `work` multiply-adds. */
const threadsFor = (work: number) => (work >= SPARSE_PARALLEL_WORK ? availableThreads() : 1);

type FloatArray = Float32Array | Float64Array;

/** A bump allocator over the memory: byte offsets of 16-byte-aligned regions. */
class Layout {
  bytes = 0;
  take(n: number): number {
    const at = this.bytes;
    this.bytes += Math.ceil(n / 16) * 16;
    return at;
  }
}

/** Views of the kernel memory over the scratch area of a layout: `base` is its byte address (the layout's offsets are added to it). */
function views(bytes: number) {
  const base = scratchArea(bytes);
  const buffer = heapBuffer();
  return { base, f32: new Float32Array(buffer), f64: new Float64Array(buffer), i32: new Int32Array(buffer) };
}

function typeOf(data: FloatArray): SimdFloat {
  return data instanceof Float32Array ? F32 : F64;
}

/** How an operand sits in JS memory: samples-major (`[n][features]`, transposed on the way) or features-major (`[features][n]`, copied as one block). */
export type Order = "samples-major" | "features-major";

/** Each entry's column as a byte offset of its row (`cols[k] · rowBytes`, row-grouped order), cached per table and stride. */
function colOffsets(table: EdgeTable, rowBytes: number): Int32Array {
  return table.memo(`spmv column offsets ${rowBytes}`, () => {
    const { cols } = table.byRow();
    return Int32Array.from(cols.subarray(0, table.size), (c) => c * rowBytes);
  });
}

/** Each entry's row and column as byte offsets of their rows, cached per table and stride. */
function edgeOffsets(table: EdgeTable, rowBytes: number): { rows: Int32Array; cols: Int32Array } {
  return table.memo(`edge_dot offsets ${rowBytes}`, () => ({
    rows: Int32Array.from(table.rows, (r) => r * rowBytes),
    cols: Int32Array.from(table.cols, (c) => c * rowBytes),
  }));
}

/**
 * Places a samples-major operand (`n × w`, row-major) in the memory as `w` features-major rows
 * `rowBytes` apart, each zero-filled from `n` to `np` elements: one block copy to a staging
 * region at `stageAt`, then the Wasm transpose (a strided JavaScript loop cost ~3 ns per element).
 */
function transposeIn(set: KernelSet, fv: FloatArray, src: FloatArray, n: number, w: number, stageAt: number, at: number, rowBytes: number, np: number): void {
  const eb = fv.BYTES_PER_ELEMENT;
  fv.set(src.subarray(0, n * w), stageAt / eb);
  set.transpose(stageAt, at, n, w, w * eb, rowBytes, np);
}

function spmvIn(xOrder: Order, outOrder: Order, x: FloatArray, n: number, w: number, values: FloatArray, table: EdgeTable, numRows: number, out: FloatArray): void {
  const rt = getRuntime();
  if (rt === null) throw new Error("spmvWasm: WebAssembly SIMD128 is not available in this engine");
  const type = typeOf(x);
  const eb = type.bytes;
  const tileLanes = SPMV_VECTORS * type.lanes;
  // Rows written out samples-major are padded to whole tiles. Features-major output rows are
  // unpadded: the last, partial tile is computed first, its spill into the next row is
  // overwritten by that row's first tile later, and both regions have one tile of slack at the
  // end. Split across threads, every row is padded (a tile's spill must not reach another
  // thread's rows). Samples-major inputs are transposed into the same rows (see transposeIn).
  const threads = threadsFor(table.size * n);
  const padded = outOrder === "samples-major" || threads > 1;
  const np = padded ? Math.ceil(n / tileLanes) * tileLanes : n;
  const { order: edgeOrder, rowStart } = table.byRow();
  const e = table.size;
  const mem = new Layout();
  const sizes = [(w * np + tileLanes) * eb, e * 4, e * eb, (numRows + 1) * 4, (numRows * np + tileLanes) * eb, n * Math.max(xOrder === "samples-major" ? w : 0, outOrder === "samples-major" ? numRows : 0) * eb];
  const rel = sizes.map((b) => mem.take(b));
  const v = views(mem.bytes);
  const [xAt, colAt, valAt, startAt, outAt, stageAt] = rel.map((r) => v.base + r) as [number, number, number, number, number, number];
  const fv = type === F32 ? v.f32 : v.f64;
  const set = rt[type.name];
  const x0 = xAt / eb;
  if (xOrder === "samples-major") transposeIn(set, fv, x, n, w, stageAt, xAt, np * eb, np);
  else if (padded) {
    for (let j = 0; j < w; j++) {
      fv.set(x.subarray(j * n, (j + 1) * n), x0 + j * np);
      fv.fill(0, x0 + j * np + n, x0 + (j + 1) * np);
    }
  }
  else fv.set(x.subarray(0, w * n), x0);
  fv.fill(0, x0 + w * np, x0 + w * np + tileLanes);
  const rowBytes = np * eb;
  v.i32.set(colOffsets(table, rowBytes), colAt / 4);
  const v0 = valAt / eb;
  if (edgeOrder === null) fv.set(values.subarray(0, e), v0);
  else for (let k = 0; k < e; k++) fv[v0 + k] = values[edgeOrder[k]!]!;
  const s0 = startAt / 4;
  const bound = Math.min(table.rowBound, numRows);
  v.i32.set(rowStart.subarray(0, bound + 1), s0);
  v.i32.fill(e, s0 + bound + 1, s0 + numRows + 1);
  const kernel = set.spmv;
  const full = Math.floor(np / tileLanes);
  if (threads > 1) {
    // Padded rows: `full` tiles cover every sample; chunks of output rows.
    runJob(splitJob(numRows, threads, (job, r0, r1) => job.call(set.spmvId, xAt, colAt, valAt, startAt + r0 * 4, outAt + r0 * rowBytes, r1 - r0, rowBytes, full)));
  } else {
    const tailAt = full * tileLanes * eb;
    if (full * tileLanes < np) kernel(xAt + tailAt, colAt, valAt, startAt, outAt + tailAt, numRows, rowBytes, 1);
    if (full > 0) kernel(xAt, colAt, valAt, startAt, outAt, numRows, rowBytes, full);
  }
  const o0 = outAt / eb;
  if (!padded) {
    out.set(fv.subarray(o0, o0 + numRows * n));
    return;
  }
  if (outOrder === "features-major") {
    for (let r = 0; r < numRows; r++) out.set(fv.subarray(o0 + r * np, o0 + r * np + n), r * n);
    return;
  }
  // Samples-major output: the rows' first n samples transposed to `n × numRows`, then one copy.
  set.transpose(outAt, stageAt, numRows, n, rowBytes, numRows * eb, numRows);
  out.set(fv.subarray(stageAt / eb, stageAt / eb + n * numRows));
}

/**
 * `out[i, r] = Σ_{e: rows[e] = r} values[e] · x[i, cols[e]]` for `x` of `n × w` and `out` of
 * `n × numRows` (samples-major, row-major), computed in the precision of the element type.
 * Throws if WebAssembly SIMD is unavailable (check {@link wasmSparseAvailable}).
 * Example: `spmvWasm(x, 250, 513, values, table, 128, out)`.
 */
export function spmvWasm(x: FloatArray, n: number, w: number, values: FloatArray, table: EdgeTable, numRows: number, out: FloatArray): void {
  spmvIn("samples-major", "samples-major", x, n, w, values, table, numRows, out);
}

/**
 * The features-major spmv: `out[r, i] = Σ_{e: rows[e] = r} values[e] · x[cols[e], i]` for `x`
 * of `w × n` and `out` of `numRows × n` (row-major; the samples are contiguous, so operands are
 * copied in and out as single blocks, not transposed). With `xOrder` `"samples-major"`, `x`
 * holds the operand transposed (`n × w`), transposed in the kernel memory, with the same result
 * bit for bit. Throws if WebAssembly SIMD is unavailable.
 * Example: `spmvRowsWasm(x, 250, 513, values, table, 128, out)`.
 */
export function spmvRowsWasm(x: FloatArray, n: number, w: number, values: FloatArray, table: EdgeTable, numRows: number, out: FloatArray, xOrder: Order = "features-major"): void {
  spmvIn(xOrder, "features-major", x, n, w, values, table, numRows, out);
}

function edgeDotIn(padded: boolean, aOrder: Order, bOrder: Order, a: FloatArray, b: FloatArray, n: number, numRows: number, w: number, table: EdgeTable, out: FloatArray): void {
  const rt = getRuntime();
  if (rt === null) throw new Error("edgeDotWasm: WebAssembly SIMD128 is not available in this engine");
  const type = typeOf(a);
  const eb = type.bytes;
  const chunkLanes = DOT_VECTORS * type.lanes;
  // `padded` (the samples-major product): rows zero-padded to whole chunks. Otherwise rows hold
  // the n samples (features-major operands copied as they are, samples-major ones transposed)
  // and the kernel finishes each dot product's last samples one at a time, so the features-major
  // product gives the same bits whatever the operands' order.
  const np = padded ? Math.ceil(n / chunkLanes) * chunkLanes : n;
  const e = table.size;
  const mem = new Layout();
  const sizes = [numRows * np * eb, w * np * eb, e * 4, e * 4, e * eb, n * Math.max(aOrder === "samples-major" ? numRows : 0, bOrder === "samples-major" ? w : 0) * eb];
  const rel = sizes.map((b) => mem.take(b));
  const v = views(mem.bytes);
  const [aAt, bAt, rowAt, colAt, outAt, stageAt] = rel.map((r) => v.base + r) as [number, number, number, number, number, number];
  const fv = type === F32 ? v.f32 : v.f64;
  const set = rt[type.name];
  const rowBytes = np * eb;
  if (aOrder === "samples-major") transposeIn(set, fv, a, n, numRows, stageAt, aAt, rowBytes, np);
  else fv.set(a.subarray(0, numRows * n), aAt / eb);
  if (bOrder === "samples-major") transposeIn(set, fv, b, n, w, stageAt, bAt, rowBytes, np);
  else fv.set(b.subarray(0, w * n), bAt / eb);
  const offsets = edgeOffsets(table, rowBytes);
  v.i32.set(offsets.rows, rowAt / 4);
  v.i32.set(offsets.cols, colAt / 4);
  const chunks = Math.floor(np / chunkLanes);
  const tail = np - chunks * chunkLanes;
  const threads = threadsFor(e * n);
  if (threads > 1) {
    // Chunks of edges: each edge's dot product is computed as on one thread.
    runJob(splitJob(e, threads, (job, e0, e1) => job.call(set.edgeDotId, aAt, bAt, rowAt + e0 * 4, colAt + e0 * 4, outAt + e0 * eb, e1 - e0, chunks, tail)));
  } else {
    set.edgeDot(aAt, bAt, rowAt, colAt, outAt, e, chunks, tail);
  }
  out.set(fv.subarray(outAt / eb, outAt / eb + e));
}

/**
 * `out[e] = Σ_i a[i, rows[e]] · b[i, cols[e]]` for `a` of `n × numRows` and `b` of `n × w`
 * (samples-major, row-major), computed in the precision of the element type. Throws if
 * WebAssembly SIMD is unavailable.
 * Example: `edgeDotWasm(a, b, 250, 128, 513, table, out)`.
 */
export function edgeDotWasm(a: FloatArray, b: FloatArray, n: number, numRows: number, w: number, table: EdgeTable, out: FloatArray): void {
  edgeDotIn(true, "samples-major", "samples-major", a, b, n, numRows, w, table, out);
}

/**
 * The features-major edge_dot: `out[e] = Σ_i a[rows[e], i] · b[cols[e], i]` for `a` of
 * `numRows × n` and `b` of `w × n` (row-major); an operand whose order is `"samples-major"` holds
 * it transposed (`n × numRows`, `n × w`), with the same result bit for bit. Throws if
 * WebAssembly SIMD is unavailable.
 * Example: `edgeDotRowsWasm(a, b, 250, 128, 513, table, out)`.
 */
export function edgeDotRowsWasm(a: FloatArray, b: FloatArray, n: number, numRows: number, w: number, table: EdgeTable, out: FloatArray, aOrder: Order = "features-major", bOrder: Order = "features-major"): void {
  edgeDotIn(false, aOrder, bOrder, a, b, n, numRows, w, table, out);
}
