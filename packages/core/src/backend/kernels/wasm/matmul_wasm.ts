import type { MatrixView } from "../matmul.js";
import type { WasmMemory } from "./webassembly_api.js";
import { kernelRuntime } from "../../threads/kernel_memory.js";
import { heapBuffer, scratchArea } from "../../threads/kernel_heap.js";
import { ownsResidentBlock, residentAddress } from "../../resident_storage.js";
import { availableThreads, lateModulesReachWorkers, runJob, splitJob } from "../../threads/pool.js";
import { DOT_COLS, DOT_ROWS, F32, F64, MAX_CALL_BLOCKS, MAX_CALL_PANELS, packWork, type ALayout, type SimdFloat } from "./matmul_kernels.js";
import { kernelSet, type KernelSet } from "./matmul_kernel_set.js";
import { fixedDotKernels, fixedRowsKernels } from "./matmul_generated_kernels.js";
import { packB, packColumnsWasm, packRowsWasm, planB } from "./matmul_pack_b.js";
import { transposeColumnsIntoRows, transposesA } from "./matmul_pack_a.js";
import { copyElements } from "../../shared_copy.js";

export { MAX_GENERATED_MODULES } from "./matmul_generated_kernels.js";
export { PACK_B_MIN_K, PACK_B_MIN_M } from "./matmul_pack_b.js";

/**
 * The WebAssembly SIMD128 matrix product: operands are copied into one shared
 * `WebAssembly.Memory` (grown as needed and reused by every call), `B` packed into panels of
 * `NR` columns, and the generated micro-kernels (`matmul_kernels.ts`) compute `C` tile by tile.
 * (An `A` given as a transposed view is transposed into rows first: `matmul_pack_a.ts`.)
 *
 * Memory layout during a call, in elements of the operand type, each region 16-byte aligned:
 * `[A as given (or packed row-major) | B panels | C (m × padded n) | staging]`, the staging
 * copies of a B that a Wasm kernel packs and of a transposed A read as rows.
 *
 * The kernel modules and their compiled sets: `matmul_kernel_set.ts`; kernels generated for a
 * product's strides: `matmul_generated_kernels.ts`; how `B` is placed or packed:
 * `matmul_pack_b.ts`.
 */

/** Shared state: the kernel memory, the kernel sets, and typed views recreated whenever the memory grows. */
interface Runtime {
  memory: WasmMemory;
  f32: KernelSet;
  f64: KernelSet;
  f32View: Float32Array;
  f64View: Float64Array;
}

let runtime: Runtime | null | undefined;

/** The runtime, compiled on first use; `null` when this JavaScript engine lacks WebAssembly SIMD. */
function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  const rt = kernelRuntime();
  if (rt === null) {
    runtime = null;
    return runtime;
  }
  const buffer = rt.memory.buffer;
  runtime = { memory: rt.memory, f32: kernelSet(F32), f64: kernelSet(F64), f32View: new Float32Array(buffer), f64View: new Float64Array(buffer) };
  return runtime;
}

/**
 * Whether the WebAssembly SIMD kernels compiled in this engine (Node ≥ 16.4, current browsers).
 * Example: `if (wasmMatmulAvailable()) matmulWasm(a, b, m, k, n, out, 0)`.
 */
export function wasmMatmulAvailable(): boolean {
  return getRuntime() !== null;
}

/** The view of the element type over the kernel memory's current buffer. */
function currentView(rt: Runtime, type: SimdFloat): Float32Array | Float64Array {
  const buffer = heapBuffer();
  if (rt.f32View.buffer !== buffer) {
    rt.f32View = new Float32Array(buffer);
    rt.f64View = new Float64Array(buffer);
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
    copyElements(dst, a.data.subarray(a.offset, a.offset + plan.size), 0);
    return;
  }
  const src = a.data;
  for (let i = 0; i < m; i++) {
    const s = a.offset + i * a.rowStride;
    const d = i * k;
    for (let p = 0; p < k; p++) dst[d + p] = src[s + p * a.colStride]!;
  }
}

/**
 * Multiply-adds (`m·k·n`) from which a product is split across threads. Measured (2-core AMD
 * EPYC, Node 20, float32, `benchmarks/threads.bench.ts`): handing a worker its part and waiting
 * for it costs ~5-15 µs while it spins, so a product of ~2^18 multiply-adds (~10 µs of kernel
 * time on one thread) is the smallest that gains; 64x64x64 (2^18) runs 1.2-1.4x faster on two
 * threads, 32x32x32 slower.
 */
export const PARALLEL_WORK = 1 << 18;

/** Where the result sits in the memory's view: element index and row stride in elements; `direct` when it was written straight into the caller's output. */
interface Placed {
  at: number;
  rowStride: number;
  direct: boolean;
}

/**
 * Places both operands, runs the kernels over every panel (split across threads when large), and
 * returns where the `m × n` result is. Operands resident in the kernel memory
 * (`resident_storage.ts`) are read where they are when their layout allows; the result is
 * written straight into `direct` when given, resident and the owner of its block (its slack
 * takes the last row's spill), unless a threaded split needs padded rows.
 */
function runKernels(rt: Runtime, set: KernelSet, a: MatrixView, b: MatrixView, m: number, k: number, n: number, direct?: Float32Array): Placed {
  if (dotLayout(a, b, m, k, n)) return runDot(rt, set, a, b, m, k, n, direct);
  const packed = packedForDot(set.type, a, b, m, k, n);
  if (packed !== null) return runDot(rt, set, packed, b, m, k, n, direct);
  const { nr } = set;
  const { mr } = set.shape;
  const eb = set.type.bytes;
  const threads = m * k * n >= PARALLEL_WORK ? availableThreads() : 1;
  const given = planA(a, m, k, eb);
  // A column-layout A (a transposed view) turned into rows first (see `matmul_pack_a.ts`).
  const transposedA = given.layout === "cols" && given.copy === "span" && transposesA(m, n);
  const planned: ReturnType<typeof planA> = transposedA ? { layout: "rows", stride: k * eb, size: m * k, copy: "pack" } : given;
  const placedB = planB(b, m, k, n, nr, eb);
  const panels = Math.ceil(n / nr);
  const aHome = residentAddress(a.data);
  const bHome = residentAddress(b.data);
  const aInPlace = aHome >= 0 && planned.copy === "span";
  // A transposed A not in the kernel memory is first copied in as its span, after everything else.
  const aStaged = transposedA && aHome < 0 ? given.size : 0;
  const bInPlace = bHome >= 0 && placedB.how === "in place";
  // Single-threaded, C is m × n row-major, plus `nr` elements of slack for the last row's spill
  // (see below). Split across threads, a result written straight into `direct` keeps that
  // layout when the split is over panels with the last, partial panel first in the chunk of
  // panel 0 (see runSplit); otherwise C rows are padded to whole panels so that no thread's
  // tile spills into another's rows.
  const owned = direct !== undefined && ownsResidentBlock(direct);
  const spillFirst = threads > 1 && owned && n % nr !== 0 && panels > 2;
  const cStride = threads > 1 && !spillFirst ? panels * nr : n;
  const cDirect = owned && cStride === n;
  // Scratch regions, in elements from the scratch base: A, B (its span or panels), C, then the
  // staging copy of a B that a Wasm kernel packs; an operand read where it is takes no room.
  const bAt = aligned(aInPlace ? 0 : planned.size, set.type);
  const cAt = aligned(bAt + (bInPlace ? 0 : placedB.size), set.type);
  const packFrom = aligned(cAt + (cDirect ? 0 : m * cStride + nr), set.type);
  const aStageAt = aligned(packFrom + (bHome >= 0 ? 0 : placedB.staged), set.type);
  const base = scratchArea((aStageAt + aStaged) * eb) / eb;
  const view = currentView(rt, set.type);
  if (transposedA) {
    let from = aHome + a.offset * eb;
    if (aHome < 0) {
      copyElements(view, a.data.subarray(a.offset, a.offset + given.size), base + aStageAt);
      from = (base + aStageAt) * eb;
    }
    transposeColumnsIntoRows(set, from, base * eb, m, k, given.stride);
  } else if (!aInPlace) placeA(a, m, k, planned, view.subarray(base));
  if (bInPlace) {
    // Nothing to copy: the panels are read from B's rows where they are.
  } else if (placedB.how === "in place") copyElements(view, b.data.subarray(b.offset, b.offset + placedB.size - nr), base + bAt);
  else if (placedB.how === "rows") packRowsWasm(set, b, k, n, view, base + bAt, base + packFrom, bHome, threads);
  else if (placedB.how === "columns") packColumnsWasm(set, b, k, n, view, base + bAt, base + packFrom, bHome, threads);
  else packB(b, k, n, nr, view, base + bAt);
  const aByte = aInPlace ? aHome + a.offset * eb : base * eb;
  const bByte = bInPlace ? bHome + b.offset * eb : (base + bAt) * eb;
  const cElem = cDirect ? residentAddress(direct) / eb : base + cAt;

  const g: TileGeometry = {
    k,
    aStride: planned.stride,
    bRowBytes: placedB.rowBytes,
    bPanelBytes: placedB.panelBytes,
    packed: placedB.how !== "in place",
    crs: cStride * eb,
    nrBytes: nr * eb,
    rowStep: planned.layout === "rows" ? planned.stride : eb,
    mr,
  };
  // A's row stride baked into the kernels, unless a browser's workers could not run them.
  const fixed = planned.layout === "rows" && (threads === 1 || lateModulesReachWorkers()) ? fixedRowsKernels(set, planned.stride) : null;
  if (threads > 1) {
    runSplit(fixed?.ids ?? set.ids[planned.layout], g, { m, panels, aByte, bByte, cByte: cElem * eb, threads, spillFirst });
    return { at: cElem, rowStride: cStride, direct: cDirect };
  }
  const kernels = fixed?.kernels ?? set.kernels[planned.layout];
  // Tiles are stored whole (nr columns), so a tile of the last, partial panel spills into the
  // first columns of the next row. The kernels run each call's panels last to first, every
  // panel's rows top to bottom, and the rows of the last `rest` after all others: each spill
  // lands where a later store overwrites it with the right value, so C needs no padding and
  // leaves the memory as one contiguous m × n block.
  tileCalls(g, aByte, bByte, cElem * eb, 0, m, 0, panels, (rows, a, aS, b, bS, c, cS, kk, work) => kernels[rows]!(a, aS, b, bS, c, cS, kk, work));
  return { at: cElem, rowStride: n, direct: cDirect };
}

/**
 * Smallest `k` for the dot-product kernels: each element ends with a sum across lanes and up to
 * three single products, which a short `k` does not pay for.
 */
export const DOT_MIN_K = 16;

/**
 * Whether a product goes to the dot-product kernels: `A`'s rows and `B`'s columns contiguous
 * (`B` a transposed view), neither spread over more than twice its elements, `k` at least
 * {@link DOT_MIN_K}. Both are then read as they are (or as one copy of their span), where the
 * panel kernels would transpose `B` into panels first.
 */
function dotLayout(a: MatrixView, b: MatrixView, m: number, k: number, n: number): boolean {
  if (k < DOT_MIN_K) return false;
  const aRows = a.colStride === 1 && (a.rowStride >= k || m === 1);
  const bCols = b.rowStride === 1 && (b.colStride >= k || n === 1);
  return aRows && bCols && (m - 1) * Math.max(a.rowStride, 0) + k <= 2 * m * k && (n - 1) * Math.max(b.colStride, 0) + k <= 2 * k * n;
}

/** Elements of `A` up to which an `A` in another layout is copied row-major for the dot-product kernels (see {@link packedForDot}). */
export const DOT_PACK_MAX_A = 8192;

/**
 * A small `A` whose rows are not contiguous (a transposed view: the DenseMLP output layer's
 * `δ`, `2 × 250` read from `250 × 2`) copied row-major, when `B`'s columns are contiguous and
 * the product would otherwise miss the dot-product kernels; `null` otherwise. Its weight
 * gradient `δ · xᵀ` (`2 × 250 · 250 × 513`) took 220 µs per DenseMLP step through the panel
 * kernels, which pack `xᵀ` first, against 37-39 µs for the same product with a row-major `δ`
 * (AMD EPYC, 2026-12-06).
 */
function packedForDot(type: SimdFloat, a: MatrixView, b: MatrixView, m: number, k: number, n: number): MatrixView | null {
  if (m * k > DOT_PACK_MAX_A || !dotLayout({ data: a.data, offset: 0, rowStride: k, colStride: 1 }, b, m, k, n)) return null;
  const rows = type.name === "f32" ? new Float32Array(m * k) : new Float64Array(m * k);
  placeA(a, m, k, { layout: "rows", stride: k * type.bytes, size: m * k, copy: "pack" }, rows);
  return { data: rows, offset: 0, rowStride: k, colStride: 1 };
}

/**
 * `C = A · B` by the dot-product kernels (see `dotKernel` in `matmul_kernels.ts`): A's rows and
 * B's columns read in place when resident, else as a copy of their span; C row-major with rows
 * `n` apart, straight into `direct` when it owns its block (stored element by element: nothing
 * spills, on any thread count). Split across threads over tiles of rows or groups of columns,
 * never over `k`, so every element has the same bits on any thread count.
 */
function runDot(rt: Runtime, set: KernelSet, a: MatrixView, b: MatrixView, m: number, k: number, n: number, direct?: Float32Array): Placed {
  const eb = set.type.bytes;
  const threads = m * k * n >= PARALLEL_WORK ? availableThreads() : 1;
  const aRow = m === 1 ? k : a.rowStride;
  const bCol = n === 1 ? k : b.colStride;
  const aSpan = (m - 1) * aRow + k;
  const bSpan = (n - 1) * bCol + k;
  const aHome = residentAddress(a.data);
  const bHome = residentAddress(b.data);
  const cDirect = direct !== undefined && ownsResidentBlock(direct);
  const bAt = aligned(aHome >= 0 ? 0 : aSpan, set.type);
  const cAt = aligned(bAt + (bHome >= 0 ? 0 : bSpan), set.type);
  const base = scratchArea((cAt + (cDirect ? 0 : m * n)) * eb) / eb;
  const view = currentView(rt, set.type);
  if (aHome < 0) copyElements(view, a.data.subarray(a.offset, a.offset + aSpan), base);
  if (bHome < 0) copyElements(view, b.data.subarray(b.offset, b.offset + bSpan), base + bAt);
  const aByte = aHome >= 0 ? aHome + a.offset * eb : base * eb;
  const bByte = bHome >= 0 ? bHome + b.offset * eb : (base + bAt) * eb;
  const cElem = cDirect ? residentAddress(direct) / eb : base + cAt;
  // Kernels with these strides baked in, unless a browser's workers could not run them.
  const fixed = threads === 1 || lateModulesReachWorkers() ? fixedDotKernels(set.type, aRow * eb, bCol * eb) : null;
  const kernels = fixed ?? set;
  // Calls for rows r0..r1 and columns j0..j1 of C (r0, j0 on tile boundaries).
  const calls = (r0: number, r1: number, j0: number, j1: number, emit: (rows: number, cols: number, ...args: number[]) => void) => {
    const tilesDown = Math.floor((r1 - r0) / DOT_ROWS);
    const groups = Math.floor((j1 - j0) / DOT_COLS);
    const rowParts: [number, number, number][] = [[r0, tilesDown, DOT_ROWS], [r0 + tilesDown * DOT_ROWS, r1 - r0 - tilesDown * DOT_ROWS > 0 ? 1 : 0, r1 - r0 - tilesDown * DOT_ROWS]];
    const colParts: [number, number, number][] = [[j0, groups, DOT_COLS], [j0 + groups * DOT_COLS, j1 - j0 - groups * DOT_COLS > 0 ? 1 : 0, j1 - j0 - groups * DOT_COLS]];
    for (const [row, tiles, rows] of rowParts) {
      for (const [col, count, cols] of colParts) {
        if (tiles === 0 || count === 0) continue;
        for (let t0 = 0; t0 < tiles; t0 += MAX_CALL_BLOCKS) {
          for (let g0 = 0; g0 < count; g0 += MAX_CALL_PANELS) {
            const i = row + t0 * rows;
            const j = col + g0 * cols;
            const work = packWork(Math.min(MAX_CALL_BLOCKS, tiles - t0), Math.min(MAX_CALL_PANELS, count - g0), false);
            emit(rows, cols, aByte + i * aRow * eb, aRow * eb, bByte + j * bCol * eb, bCol * eb, (cElem + i * n + j) * eb, n * eb, k, work);
          }
        }
      }
    }
  };
  if (threads > 1) {
    const rowTiles = Math.ceil(m / DOT_ROWS);
    const colGroups = Math.ceil(n / DOT_COLS);
    const byRows = rowTiles >= colGroups;
    runJob(
      splitJob(byRows ? rowTiles : colGroups, threads, (job, p0, p1) => {
        const [r0, r1, j0, j1] = byRows ? [p0 * DOT_ROWS, Math.min(m, p1 * DOT_ROWS), 0, n] : [0, m, p0 * DOT_COLS, Math.min(n, p1 * DOT_COLS)];
        calls(r0, r1, j0, j1, (rows, cols, ...args) => job.call(kernels.dotIds[rows]![cols]!, ...args));
      }),
    );
  } else {
    calls(0, m, 0, n, (rows, cols, ...args) => (kernels.dot[rows]![cols]! as (...x: number[]) => void)(...args));
  }
  return { at: cElem, rowStride: n, direct: cDirect };
}

/** What {@link tileCalls} needs of a product's placement. */
interface TileGeometry {
  k: number;
  aStride: number;
  bRowBytes: number;
  bPanelBytes: number;
  packed: boolean;
  crs: number;
  nrBytes: number;
  /** Bytes from one row of A to the next as the kernel walks it. */
  rowStep: number;
  mr: number;
}

/**
 * The kernel calls for rows `r0` up to `r1` of C and panels `q0` up to `q1`: the full tiles of
 * those rows in every panel, then the remaining rows, each as few calls as the packed `work`
 * argument allows (its ranges of panels last first, as the kernel runs panels, so spills keep
 * landing on later stores). `emit(rows, ...)` makes one call of the `rows`-high kernel.
 */
function tileCalls(
  g: TileGeometry,
  aByte: number,
  bByte: number,
  cByte: number,
  r0: number,
  r1: number,
  q0: number,
  q1: number,
  emit: (rows: number, a: number, aStride: number, b: number, bStride: number, c: number, crs: number, k: number, work: number) => void,
): void {
  const blocks = Math.floor((r1 - r0) / g.mr);
  const rest = r1 - r0 - blocks * g.mr;
  const run = (rows: number, firstRow: number, count: number) => {
    for (let t0 = 0; t0 < count; t0 += MAX_CALL_BLOCKS) {
      const t = Math.min(MAX_CALL_BLOCKS, count - t0);
      const row = firstRow + t0 * rows;
      for (let p1 = q1; p1 > q0; p1 -= MAX_CALL_PANELS) {
        const p0 = Math.max(q0, p1 - MAX_CALL_PANELS);
        emit(rows, aByte + row * g.rowStep, g.aStride, bByte + p0 * g.bPanelBytes, g.bRowBytes, cByte + row * g.crs + p0 * g.nrBytes, g.crs, g.k, packWork(t, p1 - p0, g.packed));
      }
    }
  };
  if (blocks > 0) run(g.mr, r0, blocks);
  if (rest > 0) run(rest, r0 + blocks * g.mr, 1);
}

/**
 * The kernel calls of a product split across threads, over row blocks of `mr` rows or over
 * panels of `nr` columns (whichever has more parts, for balance; over panels when `spillFirst`,
 * for C rows not padded to whole panels), never over `k`: every output
 * element is computed by the same kernel code over the same `k` order as on one thread, so the
 * bits are the same whatever the thread count (each row's accumulators are independent of the
 * tile height).
 */
function runSplit(ids: readonly number[], geometry: TileGeometry, g: { m: number; panels: number; aByte: number; bByte: number; cByte: number; threads: number; spillFirst: boolean }): void {
  const { mr } = geometry;
  if (g.spillFirst) {
    // Unpadded rows: the last, partial panel's tiles spill into the first columns of the next
    // row. Chunks of the whole panels; the chunk of panel 0 computes the partial panel first,
    // so panel 0 overwrites every spill on the same thread, and no other chunk writes there.
    const whole = g.panels - 1;
    runJob(
      splitJob(whole, g.threads, (job, p0, p1) => {
        const emit = (rows: number, ...args: number[]) => job.call(ids[rows]!, ...args);
        if (p0 === 0) tileCalls(geometry, g.aByte, g.bByte, g.cByte, 0, g.m, whole, g.panels, emit);
        tileCalls(geometry, g.aByte, g.bByte, g.cByte, 0, g.m, p0, p1, emit);
      }),
    );
    return;
  }
  const rowBlocks = Math.ceil(g.m / mr);
  const byRows = rowBlocks >= g.panels;
  const parts = byRows ? rowBlocks : g.panels;
  const job = splitJob(parts, g.threads, (job, p0, p1) => {
    const r0 = byRows ? p0 * mr : 0;
    const r1 = byRows ? Math.min(g.m, p1 * mr) : g.m;
    const q0 = byRows ? 0 : p0;
    const q1 = byRows ? g.panels : p1;
    tileCalls(geometry, g.aByte, g.bByte, g.cByte, r0, r1, q0, q1, (rows, ...args) => job.call(ids[rows]!, ...args));
  });
  runJob(job);
}

/**
 * `out[outOffset + i*n + j] += Σ_p a[i, p] · b[p, j]` computed by the WebAssembly SIMD kernels
 * in the precision of `type` (`"f32"`: float32 products and sums, as TensorFlow.js and XLA on
 * CPU do; `"f64"`: float64). Same contract as `matmulAccumulate`: any strides, operands never
 * written. Large products are split across the pool's threads (same bits). Throws if
 * WebAssembly SIMD is unavailable (check {@link wasmMatmulAvailable}).
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
  const c = runKernels(rt, rt[type], a, b, m, k, n);
  const view = type === "f32" ? rt.f32View : rt.f64View;
  for (let i = 0; i < m; i++) {
    const src = c.at + i * c.rowStride;
    const dst = outOffset + i * n;
    for (let j = 0; j < n; j++) out[dst + j]! += view[src + j]!;
  }
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
  const c = runKernels(rt, rt.f32, a, b, m, k, n, out);
  if (c.direct) return;
  if (c.rowStride === n) copyElements(out, rt.f32View.subarray(c.at, c.at + m * n));
  else for (let i = 0; i < m; i++) copyElements(out, rt.f32View.subarray(c.at + i * c.rowStride, c.at + i * c.rowStride + n), i * n);
}
