import { kernelFunction } from "../../threads/kernel_memory.js";
import type { KernelSet } from "./matmul_kernel_set.js";
// The sparse module's `transpose` turns a column-layout A into rows.
import { sparseModuleKey } from "./sparse_wasm.js";

/**
 * An `A` whose columns are contiguous (a transposed view: the `Wᵀ · δ` of a layer's input
 * gradient) turned into row-major rows before the panel kernels run, so that they read it in
 * the `"rows"` layout with its row stride baked in, rather than walking `A`'s columns
 * `colStride` bytes apart at every step of `k`.
 */

/**
 * Columns of the result (`n`) from which a column-layout `A` is transposed into rows first. The
 * pass costs ~0.3 ns per element of `A` (14 µs for 385 × 128 float32 in blocks of 4 × 4), about
 * what a few columns of `C` cost; the rows layout then saves 5-11 % of the kernel's time.
 * Measured (2-core AMD EPYC, Node 20, float32, resident operands, one thread, 16 alternating
 * rounds, 2026-12-07 ~21:05 UTC) on `(128 × 385)ᵀ · 128 × n`: n = 64 1.002x, n = 128 0.956x,
 * n = 250 0.944x-0.950x the time without.
 */
export const TRANSPOSE_A_MIN_N = 64;

/**
 * Rows of `A` (`m`) from which it is transposed first. In the DenseMLP step (`TOGGLE` of
 * `benchmarks/mnist_sparse_steps.ts`, 400 calls, ~21:08 UTC) the input gradients `Wᵀ · δ` with
 * m = 385 and 257 took 0.924x and 0.892x their time on one thread, 0.929x and 0.937x on two;
 * with m = 129 1.04x and 0.99x (alone on two threads 0.98x-1.15x in four readings): a smaller `A`
 * read by columns stays in the cache anyway.
 */
export const TRANSPOSE_A_MIN_M = 192;

/** Whether a column-layout `A` of an `m × k · k × n` product is transposed into rows first. */
export function transposesA(m: number, n: number): boolean {
  return m >= TRANSPOSE_A_MIN_M && n >= TRANSPOSE_A_MIN_N;
}

type Transpose = (src: number, dst: number, n: number, w: number, srcRowBytes: number, dstRowBytes: number, padded: number) => void;

/**
 * Writes `A` (`m × k`, its column `p` of `m` contiguous elements at byte `src + p · colBytes`) as
 * `m` rows of `k` elements at byte `dst` (`k` elements apart), on the calling thread. Float32
 * goes by blocks of 4 × 4 (`transpose_blocks`) over the first multiples of four of `m` and `k`,
 * the edges element by element (`transpose`, about five times slower per element: 1.45 against
 * 0.30 ns). Every element is a copy: the product's bits do not depend on how.
 * Example: `transposeColumnsIntoRows(set, aByte, scratchByte, m, k, a.colStride * 4)`.
 */
export function transposeColumnsIntoRows(set: KernelSet, src: number, dst: number, m: number, k: number, colBytes: number): void {
  const eb = set.type.bytes;
  const rowBytes = k * eb;
  const key = sparseModuleKey(set.type);
  const [m4, k4] = set.type.name === "f32" ? [m - (m % 4), k - (k % 4)] : [0, 0];
  const each = kernelFunction<Transpose>(key, "transpose");
  if (m4 === 0 || k4 === 0) {
    each(src, dst, k, m, colBytes, rowBytes, k);
    return;
  }
  // Rows < m4, columns < k4 by blocks (padded = k4: nothing zero-filled past them).
  kernelFunction<Transpose>(key, "transpose_blocks")(src, dst, k4, m4, colBytes, rowBytes, k4);
  // Rows < m4, the last k - k4 columns; then the last m - m4 rows whole.
  if (k4 < k) each(src + k4 * colBytes, dst + k4 * eb, k - k4, m4, colBytes, rowBytes, k - k4);
  if (m4 < m) each(src + m4 * eb, dst + m4 * rowBytes, k, m - m4, colBytes, rowBytes, k);
}
