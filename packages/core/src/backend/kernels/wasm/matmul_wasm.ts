import type { MatrixView } from "../matmul.js";
import { webAssembly, type WasmMemory } from "./webassembly_api.js";
import { F32, F64, kernelName, matmulModuleBytes, type ALayout, type KernelShape, type SimdFloat } from "./matmul_kernels.js";

/**
 * The WebAssembly SIMD128 matrix product: operands are copied into one shared
 * `WebAssembly.Memory` (grown as needed and reused by every call), `B` packed into panels of
 * `NR` columns, and the generated micro-kernels (`matmul_kernels.ts`) compute `C` tile by tile.
 *
 * Memory layout during a call, in elements of the operand type, each region 16-byte aligned:
 * `[A as given (or packed row-major) | B panels | C (m × padded n)]`.
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

const PAGE_BYTES = 65536;
const MEMORY_IMPORT = { module: "env", name: "memory", minPages: 1 } as const;

type Kernel = (a: number, aStride: number, b: number, c: number, crs: number, k: number, blocks: number) => void;

/** The compiled kernels of one element type. */
interface KernelSet {
  type: SimdFloat;
  shape: KernelShape;
  /** Panel width `NR`. */
  nr: number;
  /** `kernels[layout][rows]`, rows in 1..mr. */
  kernels: Record<ALayout, Kernel[]>;
}

/** Shared state: one memory, the kernel sets, and typed views recreated whenever the memory grows. */
interface Runtime {
  memory: WasmMemory;
  f32: KernelSet;
  f64: KernelSet;
  f32View: Float32Array;
  f64View: Float64Array;
}

let runtime: Runtime | null | undefined;

function compile(memory: WasmMemory, type: SimdFloat): KernelSet {
  const wasm = webAssembly!;
  const shape = SHAPES[type.name];
  const module = new wasm.Module(matmulModuleBytes(type, shape, MEMORY_IMPORT));
  const instance = new wasm.Instance(module, { env: { memory } });
  const pick = (layout: ALayout) =>
    Array.from({ length: shape.mr + 1 }, (_, rows) => (rows === 0 ? undefined : instance.exports[kernelName(layout, rows)])) as Kernel[];
  return { type, shape, nr: shape.vectors * type.lanes, kernels: { rows: pick("rows"), cols: pick("cols") } };
}

/** The runtime, compiled on first use; `null` when this JavaScript engine lacks WebAssembly SIMD. */
function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  try {
    if (webAssembly === undefined) throw new Error("no WebAssembly");
    const memory = new webAssembly.Memory({ initial: 1 });
    runtime = {
      memory,
      f32: compile(memory, F32),
      f64: compile(memory, F64),
      f32View: new Float32Array(memory.buffer),
      f64View: new Float64Array(memory.buffer),
    };
  } catch {
    runtime = null;
  }
  return runtime;
}

/**
 * Whether the WebAssembly SIMD kernels compiled in this engine (Node ≥ 16.4, current browsers).
 * Example: `if (wasmMatmulAvailable()) matmulWasm(a, b, m, k, n, out, 0)`.
 */
export function wasmMatmulAvailable(): boolean {
  return getRuntime() !== null;
}

/** Grows the memory to at least `bytes` and returns the view of the element type over it. */
function viewWithCapacity(rt: Runtime, type: SimdFloat, bytes: number): Float32Array | Float64Array {
  const have = rt.memory.buffer.byteLength;
  if (bytes > have) rt.memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
  if (rt.f32View.buffer !== rt.memory.buffer) {
    rt.f32View = new Float32Array(rt.memory.buffer);
    rt.f64View = new Float64Array(rt.memory.buffer);
  }
  return type.name === "f32" ? rt.f32View : rt.f64View;
}

/** Rounds an element count up so the next region starts 16-byte aligned. */
const aligned = (elements: number, type: SimdFloat) => Math.ceil(elements / type.lanes) * type.lanes;

/** Where and how `A` was placed in the memory: its layout and the byte stride the kernel walks. */
interface PlacedA {
  layout: ALayout;
  /** `ars` in bytes for `"rows"`, `acs` in bytes for `"cols"`. */
  stride: number;
  /** Elements the copy occupies. */
  size: number;
}

/**
 * Decides how `A` goes into memory without writing: copied as one contiguous span when its rows
 * (or columns) are contiguous and the span is not much larger than the matrix, else packed
 * row-major.
 */
function planA(a: MatrixView, m: number, k: number, eb: number): PlacedA & { copy: "span" | "pack" } {
  const rowsContiguous = (a.colStride === 1 || k === 1) && a.rowStride >= 0;
  const colsContiguous = (a.rowStride === 1 || m === 1) && a.colStride >= 0;
  if (rowsContiguous) {
    const span = (m - 1) * a.rowStride + k;
    if (span <= 2 * m * k) return { layout: "rows", stride: a.rowStride * eb, size: span, copy: "span" };
  }
  if (colsContiguous) {
    const span = (k - 1) * a.colStride + m;
    if (span <= 2 * m * k) return { layout: "cols", stride: a.colStride * eb, size: span, copy: "span" };
  }
  return { layout: "rows", stride: k * eb, size: m * k, copy: "pack" };
}

function placeA(a: MatrixView, m: number, k: number, plan: ReturnType<typeof planA>, dst: Float32Array | Float64Array): void {
  if (plan.copy === "span") {
    dst.set(a.data.subarray(a.offset, a.offset + plan.size), 0);
    return;
  }
  const src = a.data;
  for (let i = 0; i < m; i++) {
    const s = a.offset + i * a.rowStride;
    const d = i * k;
    for (let p = 0; p < k; p++) dst[d + p] = src[s + p * a.colStride]!;
  }
}

/** Packs `B` (`k × n`) into `⌈n / nr⌉` panels of `k` rows × `nr` columns, zero-padding the last. */
function packB(b: MatrixView, k: number, n: number, nr: number, dst: Float32Array | Float64Array, at: number): void {
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

/** Places both operands, runs the kernels over every panel, and returns the element index of the `m × n` result in the memory's view of `set`'s type. */
function runKernels(rt: Runtime, set: KernelSet, a: MatrixView, b: MatrixView, m: number, k: number, n: number): number {
  const { nr } = set;
  const { mr } = set.shape;
  const eb = set.type.bytes;
  const planned = planA(a, m, k, eb);
  const bAt = aligned(planned.size, set.type);
  const cAt = aligned(bAt + k * Math.ceil(n / nr) * nr, set.type);
  // C is m × n row-major, plus `nr` elements of slack for the last row's spill (see below).
  const view = viewWithCapacity(rt, set.type, (cAt + m * n + nr) * eb);
  placeA(a, m, k, planned, view);
  packB(b, k, n, nr, view, bAt);

  const kernels = set.kernels[planned.layout];
  const full = kernels[mr]!;
  const blocks = Math.floor(m / mr);
  const rest = m - blocks * mr;
  // Bytes from one tile row of A to the next.
  const rowStep = planned.layout === "rows" ? planned.stride : eb;
  const crs = n * eb;
  // Tiles are stored whole (nr columns), so a tile of the last, partial panel spills into the
  // first columns of the next row. Computing that panel first, and every panel's rows top to
  // bottom, makes each spill land where a later store overwrites it with the right value, so C
  // needs no padding and leaves the memory as one contiguous m × n block.
  const lastPanel = Math.floor((n - 1) / nr) * nr;
  for (let j0 = lastPanel; j0 >= 0; j0 -= nr) {
    const bAddr = (bAt + j0 * k) * eb;
    const cAddr = (cAt + j0) * eb;
    if (blocks > 0) full(0, planned.stride, bAddr, cAddr, crs, k, blocks);
    if (rest > 0) kernels[rest]!(blocks * mr * rowStep, planned.stride, bAddr, cAddr + blocks * mr * crs, crs, k, 1);
  }
  return cAt;
}

/**
 * `out[outOffset + i*n + j] += Σ_p a[i, p] · b[p, j]` computed by the WebAssembly SIMD kernels
 * in the precision of `type` (`"f32"`: float32 products and sums, as TensorFlow.js and XLA on
 * CPU do; `"f64"`: float64). Same contract as `matmulAccumulate`: any strides, operands never
 * written. Throws if WebAssembly SIMD is unavailable (check {@link wasmMatmulAvailable}).
 * Example: `matmulWasm("f32", a, b, 250, 513, 128, out, 0)`.
 */
export function matmulWasm(
  type: "f32" | "f64",
  a: MatrixView,
  b: MatrixView,
  m: number,
  k: number,
  n: number,
  out: Float64Array,
  outOffset: number,
): void {
  if (m === 0 || n === 0 || k === 0) return;
  const rt = getRuntime();
  if (rt === null) throw new Error("matmulWasm: WebAssembly SIMD128 is not available in this engine");
  const cAt = runKernels(rt, rt[type], a, b, m, k, n);
  const view = type === "f32" ? rt.f32View : rt.f64View;
  const size = m * n;
  for (let t = 0; t < size; t++) out[outOffset + t]! += view[cAt + t]!;
}

/**
 * `out = a · b` for float32 operands into a float32 `out` (`m × n`, row-major, overwritten):
 * the same kernels and bits as {@link matmulWasm} with `"f32"`, with the result copied out in
 * one block instead of accumulated into a float64 buffer and converted (for a 2 × 250 product
 * those two passes and their buffer were three quarters of the call). Throws if WebAssembly
 * SIMD is unavailable.
 * Example: `matmulWasmF32Into(a, b, 250, 513, 128, new Float32Array(250 * 128))`.
 */
export function matmulWasmF32Into(a: MatrixView, b: MatrixView, m: number, k: number, n: number, out: Float32Array): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0, 0, m * n);
    return;
  }
  const rt = getRuntime();
  if (rt === null) throw new Error("matmulWasmF32Into: WebAssembly SIMD128 is not available in this engine");
  const cAt = runKernels(rt, rt.f32, a, b, m, k, n);
  out.set(rt.f32View.subarray(cAt, cAt + m * n));
}
