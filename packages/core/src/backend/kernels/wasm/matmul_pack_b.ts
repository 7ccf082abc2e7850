import type { MatrixView } from "../matmul.js";
import { kernelFunction, kernelId } from "../../threads/kernel_memory.js";
import { runJob, splitJob } from "../../threads/pool.js";
import type { KernelSet } from "./matmul_kernel_set.js";
// The sparse module's `transpose` packs transposed operands.
import { sparseModuleKey } from "./sparse_wasm.js";
import { copyElements } from "../../shared_copy.js";

/**
 * How a matrix product's `B` reaches the panel kernels: read in place, copied as a span, or
 * packed into panels of `NR` columns (by a JavaScript loop, by the sparse module's `transpose`
 * for a transposed `B`, or by `pack_panels` for a long row-major `B`).
 */

/**
 * How `B` goes into memory, decided by {@link planB}:
 * - `"in place"`: its rows are contiguous and its span not much larger than the matrix, so the
 *   kernels read the panels from its rows, where it is or in a copy of its span;
 * - `"rows"`: the same, but long enough to be packed into panels by `pack_panels`
 *   (see {@link PACK_B_MIN_K});
 * - `"columns"`: its columns are contiguous (a transposed view), packed by the sparse module's
 *   `transpose` ({@link packColumnsWasm});
 * - `"js"`: any other layout, packed by {@link packB}.
 * Earlier measurements against the JavaScript packing (2-core AMD EPYC, Node 20, float32,
 * 2026-12-05): 100x784·784x300 1.33 ms packed against 1.00 ms in place on 1 thread,
 * 300x100·100x784 1.15 against 1.04-1.08 ms.
 */
export interface PlacedB {
  how: "in place" | "rows" | "columns" | "js";
  /** Elements B occupies in the scratch area unless read where it is: its span and slack, or its panels. */
  size: number;
  /** Elements a Wasm packing stages after C when B is not in the kernel memory (its span, with slack for `"rows"`); 0 otherwise. */
  staged: number;
  /** Bytes from one row of a panel to the next. */
  rowBytes: number;
  /** Bytes from one panel to the next. */
  panelBytes: number;
}

/** Decides how `B` (`k × n`, for a product with `m` rows) goes into memory (see {@link PlacedB}). */
export function planB(b: MatrixView, m: number, k: number, n: number, nr: number, eb: number): PlacedB {
  const packed = { size: k * Math.ceil(n / nr) * nr, rowBytes: nr * eb, panelBytes: k * nr * eb };
  if ((b.colStride === 1 || n === 1) && b.rowStride >= n) {
    const span = (k - 1) * b.rowStride + n;
    // The last panel's rows run up to nr - 1 elements past the span: slack after it.
    if (span <= 2 * k * n) {
      if (k > PACK_B_MIN_K && m >= PACK_B_MIN_M) return { how: "rows", ...packed, staged: span + nr };
      return { how: "in place", size: span + nr, staged: 0, rowBytes: b.rowStride * eb, panelBytes: nr * eb };
    }
  }
  if (b.rowStride === 1 && b.colStride > 1) {
    const span = (n - 1) * b.colStride + k;
    if (span <= 2 * k * n) return { how: "columns", ...packed, staged: span };
  }
  return { how: "js", ...packed, staged: 0 };
}

/** Packs `B` (`k × n`) into `⌈n / nr⌉` panels of `k` rows × `nr` columns, zero-padding the last. */
export function packB(b: MatrixView, k: number, n: number, nr: number, dst: Float32Array | Float64Array, at: number): void {
  const src = b.data;
  const brs = b.rowStride;
  const bcs = b.colStride;
  for (let j0 = 0, panel = at; j0 < n; j0 += nr, panel += k * nr) {
    const w = Math.min(nr, n - j0);
    if (bcs === 1 || brs !== 1) {
      // Rows of the panel are (short) contiguous runs of B's rows.
      for (let p = 0; p < k; p++) {
        const s = b.offset + p * brs + j0 * bcs;
        const d = panel + p * nr;
        for (let jj = 0; jj < w; jj++) dst[d + jj] = src[s + jj * bcs]!;
        for (let jj = w; jj < nr; jj++) dst[d + jj] = 0;
      }
    } else {
      // A transposed view: B's columns are contiguous, so walk each column.
      for (let jj = 0; jj < w; jj++) {
        const s = b.offset + (j0 + jj) * bcs;
        for (let p = 0, d = panel + jj; p < k; p++, d += nr) dst[d] = src[s + p]!;
      }
      for (let jj = w; jj < nr; jj++) for (let p = 0, d = panel + jj; p < k; p++, d += nr) dst[d] = 0;
    }
  }
}

/**
 * Packs a `B` whose columns are contiguous (`rowStride` 1: a transposed view) into panels, in
 * WebAssembly: each panel is the transpose of its `width` columns, zero-padded to `nr` (the
 * sparse module's `transpose` kernel), read where `B` is when it is resident (`bHome` its
 * address, else -1: its span is first copied to `from`), the panels split across `threads`.
 * Measured on the 2-core machine, one thread: `W · xᵀ` for an MNIST batch (300 × 784 by
 * 784 × 100) in 1.03 ms against 1.13 ms with {@link packB} (copying the span first).
 */
export function packColumnsWasm(set: KernelSet, b: MatrixView, k: number, n: number, view: Float32Array | Float64Array, at: number, from: number, bHome: number, threads: number): void {
  const { nr } = set;
  const eb = set.type.bytes;
  const cs = b.colStride;
  let src = bHome + b.offset * eb;
  if (bHome < 0) {
    copyElements(view, b.data.subarray(b.offset, b.offset + (n - 1) * cs + k), from);
    src = from * eb;
  }
  const panels = Math.ceil(n / nr);
  const args = (q: number) => [src + q * nr * cs * eb, (at + q * k * nr) * eb, Math.min(nr, n - q * nr), k, cs * eb, nr * eb, nr] as const;
  if (threads > 1 && panels > 1) {
    const id = kernelId(sparseModuleKey(set.type), "transpose");
    runJob(
      splitJob(panels, threads, (job, q0, q1) => {
        for (let q = q0; q < q1; q++) job.call(id, ...args(q));
      }),
    );
    return;
  }
  type Transpose = (src: number, dst: number, n: number, w: number, srcRowBytes: number, dstRowBytes: number, padded: number) => void;
  const transpose = kernelFunction<Transpose>(sparseModuleKey(set.type), "transpose");
  for (let q = 0; q < panels; q++) transpose(...args(q));
}

/**
 * Rows of a row-major `B` (its `k`) above which the panel kernels read it packed rather than in
 * place: a panel read in place spans `k` cache lines (its `NR` columns are 32 bytes of each
 * 64-byte line), and past 256 rows those lines and a tile's rows of A no longer fit in the 32
 * KiB L1 cache together. Measured (AMD EPYC, one thread, float32, operands in the kernel memory,
 * `128 × k · k × 250`, in place, 2026-12-06 ~11:35): 41.7–42.5 GFLOP/s for k = 64 to 256, 35.2–35.9
 * for k = 385 to 770; packed (the pass counted in) 41.4–42.4 for k = 385 to 770. Packing is one
 * pass of {@link PACK_PANELS} over B (split across threads). In the DenseMLP step its forward
 * `W · h` with k = 385 took 620 against 728 µs on 1 thread, 375 against 412 µs on 2; the whole
 * step 0.995x and 0.980x (ABBA pairs in one process, paired medians, within the noise).
 */
export const PACK_B_MIN_K = 256;

/**
 * Rows of C (`m`) from which a long B is packed: the pass over B pays only when enough tiles of
 * A read each panel (a sixth of the kernel time saved against ~0.15 ns per element copied).
 */
export const PACK_B_MIN_M = 32;

/**
 * Packs a row-major `B` (`k × n`, rows `b.rowStride` apart, columns contiguous) into panels at
 * element `at` with the {@link PACK_PANELS} kernel, read where `B` is when it is resident
 * (`bHome` its address, else -1: its span is first copied to `from`, which has room after it
 * for the last panel's whole rows), the panels split across `threads`.
 */
export function packRowsWasm(set: KernelSet, b: MatrixView, k: number, n: number, view: Float32Array | Float64Array, at: number, from: number, bHome: number, threads: number): void {
  const { nr } = set;
  const eb = set.type.bytes;
  let src = bHome + b.offset * eb;
  if (bHome < 0) {
    copyElements(view, b.data.subarray(b.offset, b.offset + (k - 1) * b.rowStride + n), from);
    src = from * eb;
  }
  const panels = Math.ceil(n / nr);
  const rowBytes = b.rowStride * eb;
  if (threads > 1 && panels > 1) {
    runJob(splitJob(panels, threads, (job, q0, q1) => job.call(set.packId, src + q0 * nr * eb, rowBytes, (at + q0 * k * nr) * eb, k, q1 - q0)));
    return;
  }
  set.pack(src, rowBytes, at * eb, k, panels);
}
