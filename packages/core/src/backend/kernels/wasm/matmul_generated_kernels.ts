import { addKernelModule, kernelFunction, kernelId } from "../../threads/kernel_memory.js";
import { DOT_COLS, DOT_ROWS, dotKernelName, dotModuleBytes, kernelName, MAX_FIXED_STRIDE, rowsModuleBytes, type SimdFloat } from "./matmul_kernels.js";
import type { Kernel, KernelSet } from "./matmul_kernel_set.js";

/**
 * Matmul kernels generated at run time for one product's strides (`dotModuleBytes`,
 * `rowsModuleBytes`): compiled on first use, once per stride (pair), kept in the form their
 * caller uses, at most {@link MAX_GENERATED_MODULES} modules. Products whose A rows (and, for
 * the dot-product kernels, B columns) are a given number of bytes apart walk one pointer per
 * operand instead of one per row and column. The jitted MNIST step took 0.93x and 0.92x as
 * long with them (2 and 1 threads), the DenseMLP step 1.00x and 0.97x (20 ABBA pairs of
 * 20-call blocks in one process, paired medians; 2-core AMD EPYC, 2026-12-06 ~11:05).
 */

/** The kernels generated so far, in the form their caller uses, by module key (`null`: could not be made). */
const generated = new Map<string, unknown>();

/**
 * Modules of kernels generated for particular strides; products with other strides take the
 * general kernels. A training step has a handful of shapes; the bound keeps a program with
 * ever-changing shapes from compiling a module per call.
 */
export const MAX_GENERATED_MODULES = 64;

/**
 * The kernels of module `key` (exports `names`, bytes from `build`), generated and compiled on
 * first use and handed to `shape` (functions and pool ids in the order of `names`) once; `null`
 * past {@link MAX_GENERATED_MODULES} or where the engine cannot add modules.
 */
function generatedKernels<T>(key: string, names: readonly string[], build: (memory: Parameters<typeof dotModuleBytes>[2]) => Uint8Array, shape: (fns: Kernel[], ids: number[]) => T): T | null {
  const known = generated.get(key);
  if (known !== undefined) return known as T | null;
  if (generated.size >= MAX_GENERATED_MODULES) return null;
  const made = addKernelModule(key, build, names)
    ? shape(
        names.map((name) => kernelFunction<Kernel>(key, name)),
        names.map((name) => kernelId(key, name)),
      )
    : null;
  generated.set(key, made);
  return made;
}

/** Generated dot-product kernels by element type, then A's row stride, then B's column stride (bytes): no key string per call. */
const fixedDotByStrides: Record<SimdFloat["name"], Map<number, Map<number, Pick<KernelSet, "dot" | "dotIds"> | null>>> = { f32: new Map(), f64: new Map() };

/**
 * The dot-product kernels with `aRowBytes` and `bColBytes` baked in (`dotModuleBytes`), in
 * {@link KernelSet}'s `dot[rows][cols]` form, or `null` (see {@link generatedKernels}). One
 * pointer walks A and one walks B instead of one per row and column: 41-42 against 36 GFLOP/s
 * for `W · xᵀ` (300×784·784×100), 38.5 against 34.5 for `δ · hᵀ` (128×250·250×385), one
 * thread, resident operands, same bits (`tmp_mm.ts`, a throw-away script, 2-core AMD EPYC,
 * 2026-12-06 ~10:40).
 */
export function fixedDotKernels(type: SimdFloat, aRowBytes: number, bColBytes: number): Pick<KernelSet, "dot" | "dotIds"> | null {
  let byB = fixedDotByStrides[type.name].get(aRowBytes);
  if (byB === undefined) fixedDotByStrides[type.name].set(aRowBytes, (byB = new Map()));
  const known = byB.get(bColBytes);
  if (known !== undefined) return known;
  let made: Pick<KernelSet, "dot" | "dotIds"> | null = null;
  if (aRowBytes <= MAX_FIXED_STRIDE && bColBytes <= MAX_FIXED_STRIDE) {
    const names = Array.from({ length: DOT_ROWS * DOT_COLS }, (_, i) => dotKernelName(Math.floor(i / DOT_COLS) + 1, (i % DOT_COLS) + 1));
    const at = (r: number, c: number) => (r - 1) * DOT_COLS + (c - 1);
    made = generatedKernels(
      `matmul-dot-${type.name}-${aRowBytes}-${bColBytes}`,
      names,
      (memory) => dotModuleBytes(type, { aRow: aRowBytes, bCol: bColBytes }, memory),
      (fns, ids) => ({
        dot: Array.from({ length: DOT_ROWS + 1 }, (_, r) => Array.from({ length: DOT_COLS + 1 }, (_, c) => (r > 0 && c > 0 ? fns[at(r, c)]! : (undefined as never)))),
        dotIds: Array.from({ length: DOT_ROWS + 1 }, (_, r) => Array.from({ length: DOT_COLS + 1 }, (_, c) => (r > 0 && c > 0 ? ids[at(r, c)]! : -1))),
      }),
    );
  }
  // Remembered either way (past the module bound too), so the next call with these strides decides at once.
  byB.set(bColBytes, made);
  return made;
}

/** Generated `"rows"` kernels by element type, then A's row stride (bytes). */
const fixedRowsByStride: Record<SimdFloat["name"], Map<number, { kernels: Kernel[]; ids: number[] } | null>> = { f32: new Map(), f64: new Map() };

/**
 * The `"rows"` panel kernels with A's row stride baked in (`rowsModuleBytes`), indexed by tile
 * height as in {@link KernelSet}'s `kernels.rows`, or `null` (see {@link generatedKernels}).
 * One pointer walks the tile's four rows of A: 40.3-41.2 against 36.2-36.9 GFLOP/s for
 * `δ · x` (300×100·100×784, B in place), no change for `W · h` (128×385·385×250, bound by B
 * read in place), measured as for {@link fixedDotKernels}.
 */
export function fixedRowsKernels(set: KernelSet, aRowBytes: number): { kernels: Kernel[]; ids: number[] } | null {
  const byStride = fixedRowsByStride[set.type.name];
  const known = byStride.get(aRowBytes);
  if (known !== undefined) return known;
  let made: { kernels: Kernel[]; ids: number[] } | null = null;
  if (aRowBytes <= MAX_FIXED_STRIDE) {
    const names = Array.from({ length: set.shape.mr }, (_, r) => kernelName("rows", r + 1));
    made = generatedKernels(
      `matmul-rows-${set.type.name}-${aRowBytes}`,
      names,
      (memory) => rowsModuleBytes(set.type, set.shape, aRowBytes, memory),
      (fns, ids) => ({ kernels: [undefined as never, ...fns], ids: [-1, ...ids] }),
    );
  }
  byStride.set(aRowBytes, made);
  return made;
}
