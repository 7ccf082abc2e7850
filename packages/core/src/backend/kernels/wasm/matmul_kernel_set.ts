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

/** Kernel exports of one element type: `rows1..rows{mr}` and `cols1..cols{mr}`. */
const kernelNames = (shape: KernelShape) => [
  ...(["rows", "cols"] as const).flatMap((layout) => Array.from({ length: shape.mr }, (_, r) => kernelName(layout, r + 1))),
  ...Array.from({ length: DOT_ROWS * DOT_COLS }, (_, i) => dotKernelName(Math.floor(i / DOT_COLS) + 1, (i % DOT_COLS) + 1)),
  PACK_PANELS,
];

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

export function kernelSet(type: SimdFloat): KernelSet {
  const shape = SHAPES[type.name];
  const key = `matmul-${type.name}`;
  const pick = <T>(layout: ALayout, get: (key: string, name: string) => T) =>
    Array.from({ length: shape.mr + 1 }, (_, rows) => (rows === 0 ? undefined : get(key, kernelName(layout, rows)))) as T[];
  return {
    type,
    shape,
    nr: shape.vectors * type.lanes,
    kernels: { rows: pick("rows", kernelFunction<Kernel>), cols: pick("cols", kernelFunction<Kernel>) },
    ids: { rows: pick("rows", kernelId), cols: pick("cols", kernelId) },
    dot: Array.from({ length: DOT_ROWS + 1 }, (_, r) => Array.from({ length: DOT_COLS + 1 }, (_, c) => (r > 0 && c > 0 ? kernelFunction<Kernel>(key, dotKernelName(r, c)) : (undefined as never)))),
    dotIds: Array.from({ length: DOT_ROWS + 1 }, (_, r) => Array.from({ length: DOT_COLS + 1 }, (_, c) => (r > 0 && c > 0 ? kernelId(key, dotKernelName(r, c)) : -1))),
    pack: kernelFunction<PackPanels>(key, PACK_PANELS),
    packId: kernelId(key, PACK_PANELS),
  };
}
