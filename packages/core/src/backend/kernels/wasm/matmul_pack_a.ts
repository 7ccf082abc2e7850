import type { KernelSet } from "./matmul_kernel_set.js";
// The sparse module's transposition turns a column-layout A into rows.
import { transposeInMemory } from "./sparse_wasm.js";

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

/**
 * Writes `A` (`m × k`, its column `p` of `m` contiguous elements at byte `src + p · colBytes`) as
 * `m` rows of `k` elements at byte `dst` (`k` elements apart), on the calling thread, with the
 * sparse module's transposition (4 × 4 blocks, the edges element by element). Every element is
 * a copy: the product's bits do not depend on how.
 * Example: `transposeColumnsIntoRows(set, aByte, scratchByte, m, k, a.colStride * 4)`.
 */
export function transposeColumnsIntoRows(set: KernelSet, src: number, dst: number, m: number, k: number, colBytes: number): void {
  transposeInMemory(set.type, src, dst, k, m, colBytes, k * set.type.bytes, k);
}
