import type { DType, TypedArray } from "../../../dtype.js";
import { residentAddress } from "../../resident_storage.js";
import { kernelId, kernelRuntime } from "../../threads/kernel_memory.js";
import { SIMD_UNROLL } from "./elementwise_kernels.js";
import { copyElements } from "../../shared_copy.js";

/**
 * How the operands of a fused program in WebAssembly (`elementwise_wasm.ts`) are laid out in
 * the kernel memory and its results copied back: typed views of the memory, broadcast scalars
 * written to cells, operands that are not read where they are copied into the scratch area
 * (contiguous ones as one block, broadcast rows and columns and transposed views by the Wasm
 * kernels `fill_span`, `repeat_row`, `gather_rows`, the rest gathered in JavaScript), and
 * outputs copied out. Elements are laid out as the kernels read them: float32 and int32 as
 * 32-bit lanes, bool as bytes (0 or 1).
 */

/** `bytes` rounded up to a multiple of 16. */
export const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;
/** Elements a kernel call covers at once (it rounds its count up to this). */
export const GROUP = 4 * SIMD_UNROLL;
/** Bytes after each array that a rounded-up last group may read or write. */
export const SLACK = 4 * GROUP;
/** Bytes per element as the kernels lay out `dtype` (bool: one byte, 0 or 1). */
export const bytesOf = (dtype: DType) => (dtype === "bool" ? 1 : 4);

/** Typed views of the kernel memory, recreated when it grows (see {@link viewsOf}). */
let views: { buffer: ArrayBufferLike; f32: Float32Array; u8: Uint8Array; i32: Int32Array } | null = null;

/** The float32, byte and int32 views of the kernel memory's current buffer. Example: `viewsOf(heapBuffer()).f32[at >> 2]`. */
export function viewsOf(buffer: ArrayBufferLike) {
  if (views?.buffer !== buffer) views = { buffer, f32: new Float32Array(buffer), u8: new Uint8Array(buffer), i32: new Int32Array(buffer) };
  return views;
}

/**
 * One operand of `runSimd` (`elementwise_wasm.ts`): its storage and where its elements start; contiguous, unless
 * it says how to gather it as `rows` rows of `cols` elements with these strides (0 for a
 * broadcast axis: a bias added along rows, a row vector added to every row, a transposed view).
 */
export interface SimdOperand {
  readonly data: TypedArray;
  readonly offset: number;
  readonly rows?: number;
  readonly cols?: number;
  readonly rowStride?: number;
  readonly colStride?: number;
}

/** The view of the kernel memory that holds elements of `dtype` as the kernels read them (bool: bytes, 0 or 1). */
function viewFor(v: Views, dtype: DType): Float32Array | Int32Array | Uint8Array {
  return dtype === "bool" ? v.u8 : dtype === "int32" ? v.i32 : v.f32;
}

/** Copies a gathered (`rows` given) operand into `dst` from element `at`, row-major. */
function gather(x: SimdOperand, dst: Float32Array | Int32Array | Uint8Array, at: number): void {
  const { data, rows = 1, cols = 0, rowStride = 0, colStride = 1 } = x;
  if (colStride === 1 && (rowStride === cols || rows === 1)) {
    copyElements(dst, data.subarray(x.offset, x.offset + rows * cols), at);
    return;
  }
  if (colStride === 0 && rowStride === 0) {
    dst.fill(dst instanceof Uint8Array ? +(data[x.offset] !== 0) : data[x.offset]!, at, at + rows * cols);
    return;
  }
  for (let r = 0, src = x.offset, to = at; r < rows; r++, src += rowStride, to += cols) {
    if (colStride === 1) copyElements(dst, data.subarray(src, src + cols), to);
    else if (colStride === 0) dst.fill(dst instanceof Uint8Array ? +(data[src] !== 0) : data[src]!, to, to + cols);
    else for (let c = 0, s = src; c < cols; c++, s += colStride) dst[to + c] = data[s]!;
  }
}

export type Views = ReturnType<typeof viewsOf>;

/** Where an operand's elements start in the kernel memory when it is read in place (a contiguous resident array), else -1. */
export function residentHome(x: SimdOperand): number {
  const home = x.rows === undefined ? residentAddress(x.data) : -1;
  return home < 0 ? -1 : home + x.offset * x.data.BYTES_PER_ELEMENT;
}

/** Writes a broadcast operand's one value into its cell at byte `at`: a float32, an int32, or a bool as an i32 mask (-1 or 0). */
export function writeScalar(x: SimdOperand, dtype: DType, v: Views, at: number): void {
  if (dtype === "bool") v.i32[at >> 2] = x.data[x.offset] !== 0 ? -1 : 0;
  else if (dtype === "int32") v.i32[at >> 2] = x.data[x.offset]!;
  else v.f32[at >> 2] = x.data[x.offset]!;
}

/**
 * Copies an operand that is not read in place to byte `at` of the scratch area: contiguous
 * ones as one block, broadcast 32-bit rows and columns by the Wasm kernels (a value per row
 * when `stageAt` gives room for the row values; see {@link broadcastInWasm}), other strided
 * 32-bit ones read from the kernel memory by the Wasm gather ({@link gatherInWasm}), the rest
 * gathered in JavaScript.
 */
export function copyIn(x: SimdOperand, dtype: DType, size: number, v: Views, at: number, stageAt = -1): void {
  const view = viewFor(v, dtype);
  const first = dtype === "bool" ? at : at >> 2;
  if (x.rows !== undefined && dtype !== "bool" && broadcastInWasm(x, view as Float32Array | Int32Array, at, stageAt)) return;
  if (x.rows !== undefined && dtype !== "bool" && gatherInWasm(x, at)) return;
  if (x.rows !== undefined) gather(x, view, first);
  else copyElements(view, x.data.subarray(x.offset, x.offset + size), first);
}

/** Copies the outputs not written in place out of the scratch area (output `q` at byte `outAt(q)`). */
export function copyOut(outs: readonly TypedArray[], inPlace: readonly boolean[], size: number, v: Views, outAt: (q: number) => number): void {
  outs.forEach((o, q) => {
    if (!inPlace[q]) copyOutput(o, v, outAt(q), size);
  });
}

/** Copies one output's `size` elements out of the scratch area at byte `at`, through the view of its type. */
export function copyOutput(o: TypedArray, v: Views, at: number, size: number): void {
  if (o instanceof Uint8Array) copyElements(o, v.u8.subarray(at, at + size));
  else if (o instanceof Int32Array) copyElements(o, v.i32.subarray(at >> 2, (at >> 2) + size));
  else copyElements(o, v.f32.subarray(at >> 2, (at >> 2) + size));
}

/**
 * Lays out a float32 or int32 operand (`lanes`: the kernel memory's view of its type; the
 * kernels copy 32-bit lanes) broadcast over a 2-D block with the Wasm kernels (`fill_span`,
 * `repeat_row`) at byte address `at`: a value per row (`colStride` 0: a bias over a batch, its
 * row values first staged at `stageAt`, when the caller gave room there), or one row on every
 * row (`rowStride` 0, contiguous).
 * JavaScript's `fill` per row of a 300 × 100 block took ~25 µs on shared memory, a
 * store loop ~45 µs (Node 20, 2026-12-06). Returns `false`, writing nothing, for other layouts.
 */
function broadcastInWasm(x: SimdOperand, lanes: Float32Array | Int32Array, at: number, stageAt: number): boolean {
  const { data, rows = 1, cols = 0, rowStride = 0, colStride = 1 } = x;
  const ids = layoutKernels();
  if (colStride === 0) {
    if (stageAt < 0) return false;
    stage(x, lanes, stageAt);
    kernelRuntime()!.functions[ids.fillSpan]!(at, stageAt, cols, 0, rows * cols);
    return true;
  }
  if (rowStride === 0 && colStride === 1) {
    copyElements(lanes, data.subarray(x.offset, x.offset + cols), at >> 2);
    kernelRuntime()!.functions[ids.repeatRow]!(at, rows, cols);
    return true;
  }
  return false;
}

/** Writes the value of each row of an operand broadcast along its rows, as 32-bit lanes from byte `stageAt`. */
function stage(x: SimdOperand, lanes: Float32Array | Int32Array, stageAt: number): void {
  const { data, rows = 1, rowStride = 0 } = x;
  for (let r = 0, s = x.offset; r < rows; r++, s += rowStride) lanes[(stageAt >> 2) + r] = data[s]!;
}

/**
 * Whether a split fused loop lays out operand `x` chunk by chunk: a float32 or int32 operand
 * broadcast along its rows (a bias over a batch), which each chunk's thread fills for its own
 * elements (`fill_span`, see {@link fillSpanCall}) instead of the calling thread filling the
 * whole block before the split, whose other part the worker then read from the caller's cache.
 */
export function filledPerChunk(x: SimdOperand, dtype: DType): boolean {
  return dtype !== "bool" && x.rows !== undefined && x.colStride === 0;
}

/** Stages the row values of an operand {@link filledPerChunk} at byte `stageAt`. */
export function stageRows(x: SimdOperand, dtype: DType, v: Views, stageAt: number): void {
  stage(x, viewFor(v, dtype) as Float32Array | Int32Array, stageAt);
}

/**
 * The kernel id and arguments that fill elements `e0` up to `e1` of an operand
 * {@link filledPerChunk}'s block at byte `at`, from its row values staged at `stageAt`.
 * Example: `job.call(...fillSpanCall(x, at, stageAt, e0, e1))`.
 */
export function fillSpanCall(x: SimdOperand, at: number, stageAt: number, e0: number, e1: number): [number, number, number, number, number, number] {
  return [layoutKernels().fillSpan, at, stageAt, x.cols ?? 0, e0, e1];
}

let broadcastIds: { repeatRow: number; gatherRows: number; fillSpan: number } | null = null;
function layoutKernels(): { repeatRow: number; gatherRows: number; fillSpan: number } {
  return (broadcastIds ??= { repeatRow: kernelId("elementwise", "repeat_row"), gatherRows: kernelId("elementwise", "gather_rows"), fillSpan: kernelId("elementwise", "fill_span") });
}

/**
 * Lays out a 32-bit operand of a 2-D block read with non-negative strides from a block of the
 * kernel memory (a transposed view of a jitted step's intermediate) at byte address `at`, with
 * the Wasm kernel `gather_rows`. The JavaScript gather of a transposed `[100, 10]` view took
 * ~8 µs (Node 20, AMD EPYC, 2026-12-06). Returns `false`, writing nothing, when the storage is
 * not in the kernel memory or a stride is negative.
 */
function gatherInWasm(x: SimdOperand, at: number): boolean {
  const { data, rows = 1, cols = 0, rowStride = 0, colStride = 1 } = x;
  if (rowStride < 0 || colStride < 0) return false;
  const home = residentAddress(data);
  if (home < 0) return false;
  const eb = data.BYTES_PER_ELEMENT;
  kernelRuntime()!.functions[layoutKernels().gatherRows]!(at, home + x.offset * eb, rows, cols, rowStride * eb, colStride * eb);
  return true;
}

