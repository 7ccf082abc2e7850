import { kernelFunction, kernelId, registerKernelModule } from "../../threads/kernel_memory.js";
import { DOT_COLS, DOT_ROWS, dotKernelName, F32, F64, kernelName, matmulModuleBytes, PACK_PANELS, type ALayout, type KernelShape, type SimdFloat } from "./matmul_kernels.js";

/**
 * The matmul kernel modules registered at load time (one per element type: the panel kernels,
 * the dot-product kernels and `pack_panels`, `matmul_kernels.ts`) and their compiled functions
 * and pool ids as one {@link KernelSet} per element type.
 */

/**
 * Register tile per element type: `mr` rows × `vectors` v128 per row. Measured on the 2-core
 * AMD EPYC (Zen 5) dev machine, Node 20, float32 (GFLOP/s at 256², 512², 250x513·513x128):
 * 4×2 ≈ 38/42/40; 4×3 ≈ 28/32/30; 3×4 ≈ 27/28/28; 6×2 ≈ 22/21/22; 8×1 ≈ 9/15/14. Unrolling
 * the `k` loop made every shape slower (4×2 unrolled 4×: ≈ 25/28/27), so it is off.
 */
const SHAPES: Record<SimdFloat["name"], KernelShape> = {
  f32: { mr: 4, vectors: 2, unroll: 1 },
  f64: { mr: 4, vectors: 2, unroll: 1 },
};

/** The dot-product kernels' export names, tile by tile: `dot1x1 … dot{DOT_ROWS}x{DOT_COLS}`. */
export const DOT_NAMES: readonly string[] = Array.from({ length: DOT_ROWS * DOT_COLS }, (_, i) => dotKernelName(Math.floor(i / DOT_COLS) + 1, (i % DOT_COLS) + 1));

/** The panel kernels' export names of one layout, tile height 1 to `mr`. */
export const panelNames = (layout: ALayout, mr: number): string[] => Array.from({ length: mr }, (_, r) => kernelName(layout, r + 1));

/** Kernel exports of one element type: the panel kernels of both layouts, the dot-product kernels and `pack_panels`. */
const kernelNames = (shape: KernelShape) => [...panelNames("rows", shape.mr), ...panelNames("cols", shape.mr), ...DOT_NAMES, PACK_PANELS];

for (const type of [F32, F64]) registerKernelModule(`matmul-${type.name}`, (memory) => matmulModuleBytes(type, SHAPES[type.name], memory), kernelNames(SHAPES[type.name]));

export type Kernel = (a: number, aStride: number, b: number, bStride: number, c: number, crs: number, k: number, work: number) => void;

/** The compiled kernels of one element type. */
export interface KernelSet {
  type: SimdFloat;
  shape: KernelShape;
  /** Panel width `NR`. */
  nr: number;
  /** `kernels[layout][rows]`, rows in 1..mr. */
  kernels: Record<ALayout, Kernel[]>;
  /** The same kernels' ids for the pool's jobs. */
  ids: Record<ALayout, number[]>;
  /** `dot[rows][cols]`: the dot-product kernels and their ids. */
  dot: Kernel[][];
  dotIds: number[][];
  /** The kernel packing a row-major B into panels, and its id. */
  pack: PackPanels;
  packId: number;
}

export type PackPanels = (src: number, srcRowBytes: number, dst: number, k: number, panels: number) => void;

/** Module `key`'s panel kernels of one layout and their ids, indexed by tile height (1 to `mr`; index 0 unused). */
export function panelKernels(key: string, layout: ALayout, mr: number): { kernels: Kernel[]; ids: number[] } {
  const names = panelNames(layout, mr);
  return { kernels: [undefined as never, ...names.map((name) => kernelFunction<Kernel>(key, name))], ids: [-1, ...names.map((name) => kernelId(key, name))] };
}

/** Module `key`'s dot-product kernels and their ids as `[rows][cols]` tables (index 0 unused). */
export function dotKernels(key: string): Pick<KernelSet, "dot" | "dotIds"> {
  const table = <T>(get: (name: string) => T, none: T): T[][] =>
    Array.from({ length: DOT_ROWS + 1 }, (_, r) => Array.from({ length: DOT_COLS + 1 }, (_, c) => (r > 0 && c > 0 ? get(dotKernelName(r, c)) : none)));
  return { dot: table((name) => kernelFunction<Kernel>(key, name), undefined as never), dotIds: table((name) => kernelId(key, name), -1) };
}

export function kernelSet(type: SimdFloat): KernelSet {
  const shape = SHAPES[type.name];
  const key = `matmul-${type.name}`;
  const [rows, cols] = [panelKernels(key, "rows", shape.mr), panelKernels(key, "cols", shape.mr)];
  return {
    type,
    shape,
    nr: shape.vectors * type.lanes,
    kernels: { rows: rows.kernels, cols: cols.kernels },
    ids: { rows: rows.ids, cols: cols.ids },
    ...dotKernels(key),
    pack: kernelFunction<PackPanels>(key, PACK_PANELS),
    packId: kernelId(key, PACK_PANELS),
  };
}
