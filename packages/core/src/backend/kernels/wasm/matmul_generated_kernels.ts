import { addKernelModule } from "../../threads/kernel_memory.js";
import { dotModuleBytes, MAX_FIXED_STRIDE, rowsModuleBytes, type SimdFloat } from "./matmul_kernels.js";
import type { MemoryImport } from "./module_encoder.js";
import { DOT_NAMES, dotKernels, panelKernels, panelNames, type Kernel, type KernelSet } from "./matmul_kernel_set.js";

/**
 * Matmul kernels generated at run time for one product's strides (`dotModuleBytes`,
 * `rowsModuleBytes`): compiled on first use, once per stride (pair), kept in the form their
 * caller uses, at most {@link MAX_GENERATED_MODULES} modules. Products whose A rows (and, for
 * the dot-product kernels, B columns) are a given number of bytes apart walk one pointer per
 * operand instead of one per row and column. The jitted MNIST step took 0.93x and 0.92x as
 * long with them (2 and 1 threads), the DenseMLP step 1.00x and 0.97x (20 ABBA pairs of
 * 20-call blocks in one process, paired medians; 2-core AMD EPYC, 2026-12-06 ~11:05).
 */

/** Modules generated so far. */
let modulesMade = 0;

/**
 * Modules of kernels generated for particular strides; products with other strides take the
 * general kernels. A training step has a handful of shapes; the bound keeps a program with
 * ever-changing shapes from compiling a module per call.
 */
export const MAX_GENERATED_MODULES = 64;

/** Adds module `key` (exports `names`, bytes from `build`); `false` past {@link MAX_GENERATED_MODULES} or where the engine cannot add modules. */
function addGenerated(key: string, names: readonly string[], build: (memory: MemoryImport) => Uint8Array): boolean {
  if (modulesMade >= MAX_GENERATED_MODULES || !addKernelModule(key, build, names)) return false;
  modulesMade++;
  return true;
}

/** Generated dot-product kernels by element type, then A's row stride, then B's column stride (bytes); `null`: none could be made. */
const fixedDotByStrides: Record<SimdFloat["name"], Map<number, Map<number, Pick<KernelSet, "dot" | "dotIds"> | null>>> = { f32: new Map(), f64: new Map() };

/**
 * The dot-product kernels with `aRowBytes` and `bColBytes` baked in (`dotModuleBytes`), in
 * {@link KernelSet}'s `dot[rows][cols]` form, or `null` (strides out of range, or see
 * {@link addGenerated}). One pointer walks A and one walks B instead of one per row and column:
 * 41-42 against 36 GFLOP/s for `W · xᵀ` (300×784·784×100), 38.5 against 34.5 for `δ · hᵀ`
 * (128×250·250×385), one thread, resident operands, same bits (`tmp_mm.ts`, a throw-away
 * script, 2-core AMD EPYC, 2026-12-06 ~10:40).
 */
export function fixedDotKernels(type: SimdFloat, aRowBytes: number, bColBytes: number): Pick<KernelSet, "dot" | "dotIds"> | null {
  let byB = fixedDotByStrides[type.name].get(aRowBytes);
  if (byB === undefined) fixedDotByStrides[type.name].set(aRowBytes, (byB = new Map()));
  const known = byB.get(bColBytes);
  if (known !== undefined) return known;
  const key = `matmul-dot-${type.name}-${aRowBytes}-${bColBytes}`;
  const inRange = aRowBytes <= MAX_FIXED_STRIDE && bColBytes <= MAX_FIXED_STRIDE;
  const made = inRange && addGenerated(key, DOT_NAMES, (memory) => dotModuleBytes(type, { aRow: aRowBytes, bCol: bColBytes }, memory)) ? dotKernels(key) : null;
  // Remembered either way (past the module bound too), so the next call with these strides decides at once.
  byB.set(bColBytes, made);
  return made;
}

/** Generated `"rows"` kernels by element type, then A's row stride (bytes); `null`: none could be made. */
const fixedRowsByStride: Record<SimdFloat["name"], Map<number, { kernels: Kernel[]; ids: number[] } | null>> = { f32: new Map(), f64: new Map() };

/**
 * The `"rows"` panel kernels with A's row stride baked in (`rowsModuleBytes`), indexed by tile
 * height as in {@link KernelSet}'s `kernels.rows`, or `null` (as {@link fixedDotKernels}).
 * One pointer walks the tile's four rows of A: 40.3-41.2 against 36.2-36.9 GFLOP/s for
 * `δ · x` (300×100·100×784, B in place), no change for `W · h` (128×385·385×250, bound by B
 * read in place), measured as for {@link fixedDotKernels}.
 */
export function fixedRowsKernels(set: KernelSet, aRowBytes: number): { kernels: Kernel[]; ids: number[] } | null {
  const byStride = fixedRowsByStride[set.type.name];
  const known = byStride.get(aRowBytes);
  if (known !== undefined) return known;
  const key = `matmul-rows-${set.type.name}-${aRowBytes}`;
  const built = aRowBytes <= MAX_FIXED_STRIDE && addGenerated(key, panelNames("rows", set.shape.mr), (memory) => rowsModuleBytes(set.type, set.shape, aRowBytes, memory));
  const made = built ? panelKernels(key, "rows", set.shape.mr) : null;
  byStride.set(aRowBytes, made);
  return made;
}
