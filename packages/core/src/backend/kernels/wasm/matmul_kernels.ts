import type { Instructions } from "./instructions.js";
import { encodeModule, FunctionBuilder, type MemoryImport } from "./module_encoder.js";
import { countedLoop } from "./counted_loop.js";

/**
 * Generates the WebAssembly SIMD128 micro-kernels of the matrix product.
 *
 * A micro-kernel computes an `mr × NR` tile of `C = A · B` (overwriting it) for a run of
 * `blocks` tiles stacked vertically: `C[i0 + t·mr + r, j0 + c]` for `t < blocks`. Its operands:
 * - `B` as one panel: `k` rows of `NR` consecutive elements (`NR = vectors × lanes`), rows
 *   `bStride` bytes apart: either packed (`bStride = NR` elements, columns past `n`
 *   zero-padded) or `B` itself read in place (`bStride` its row stride; columns past `n` then
 *   hold whatever follows, and only ever reach output columns past `n`), so every `B` load is
 *   a full vector;
 * - `A` read in place, in one of two layouts: `"rows"` (each row contiguous, rows `ars` bytes
 *   apart: `A` itself) or `"cols"` (each column contiguous, columns `acs` bytes apart: a
 *   transposed view such as `xᵀ` in `xᵀ · δ`). Each `A` element is loaded once and splatted
 *   across a vector, then multiplied with the `B` row's vectors into `mr × vectors`
 *   accumulators that live in registers for the whole `k` loop;
 * - `C` row-major with rows `crs` bytes apart.
 * The `k` loop is unrolled `unroll` times (a power of two) with a remainder loop.
 *
 * One call also runs several panels side by side (see {@link packWork}): `b` and `c` are then
 * the first panel's, and the panels run from the last to the first, each over the same `blocks`
 * tiles of `A`. A kernel call from JavaScript costs far more than a tile's loop setup, and a
 * product of a hundred rows by 300 columns has 38 panels.
 */

/** A floating-point element type as SIMD128 sees it. */
export interface SimdFloat {
  readonly name: "f32" | "f64";
  /** Bytes per element. */
  readonly bytes: 4 | 8;
  /** Elements per 128-bit vector. */
  readonly lanes: 4 | 2;
}

export const F32: SimdFloat = { name: "f32", bytes: 4, lanes: 4 };
export const F64: SimdFloat = { name: "f64", bytes: 8, lanes: 2 };

/** How `A` is laid out in memory (see the module comment). */
export type ALayout = "rows" | "cols";

/** The shape of the register tile and the unrolling. */
export interface KernelShape {
  /** Rows of the tile (the full-height kernels; 1..mr-1 are generated for the bottom edge). */
  readonly mr: number;
  /** Vectors per tile row: the panel width is `NR = vectors × lanes`. */
  readonly vectors: number;
  /** Unrolling of the `k` loop, a power of two. */
  readonly unroll: number;
}

/** Largest `blocks` one call takes (16 bits). */
export const MAX_CALL_BLOCKS = 0xffff;
/** Largest number of panels one call takes (14 bits). */
export const MAX_CALL_PANELS = 0x3fff;

/**
 * A kernel call's last argument: `blocks` tiles down (`< 2^16`) in each of `panels` panels
 * (`< 2^14`; 0 counts as 1), the panels `packed` (`k · NR` elements apart) or read in place
 * (`NR` elements apart).
 * Example: `packWork(25, 38, false)`.
 */
export function packWork(blocks: number, panels: number, packed: boolean): number {
  if (!(blocks >= 0 && blocks <= MAX_CALL_BLOCKS && panels >= 0 && panels <= MAX_CALL_PANELS)) throw new RangeError(`packWork: ${blocks} blocks or ${panels} panels out of range`);
  return blocks | (panels << 16) | (packed ? 1 << 30 : 0);
}

/** The export name of the kernel for a layout and tile height. Example: `kernelName("rows", 4)` is `"rows4"`. */
export function kernelName(layout: ALayout, rows: number): string {
  return `${layout}${rows}`;
}

/**
 * The module binary with kernels `rows1..rows{mr}`, `cols1..cols{mr}`, the dot-product kernels
 * and {@link PACK_PANELS} for one element type, the panel kernels each
 * `(a, aStride, b, bStride, c, crs, k, work) -> ()` with byte addresses and byte strides
 * (`aStride` is `ars` for `"rows"`, `acs` for `"cols"`; `work` from {@link packWork}, or just a
 * number of tiles for one panel).
 * Example: `new WebAssembly.Module(matmulModuleBytes(F32, { mr: 4, vectors: 2, unroll: 4 }, memoryImport))`.
 */
export function matmulModuleBytes(type: SimdFloat, shape: KernelShape, memory: MemoryImport): Uint8Array {
  if (!Number.isInteger(shape.mr) || shape.mr < 1) throw new RangeError(`matmulModuleBytes: mr must be a positive integer, got ${shape.mr}`);
  if (!Number.isInteger(shape.vectors) || shape.vectors < 1) throw new RangeError(`matmulModuleBytes: vectors must be a positive integer, got ${shape.vectors}`);
  if (!Number.isInteger(shape.unroll) || shape.unroll < 1 || (shape.unroll & (shape.unroll - 1)) !== 0) {
    throw new RangeError(`matmulModuleBytes: unroll must be a power of two, got ${shape.unroll}`);
  }
  const functions: FunctionBuilder[] = [];
  for (const layout of ["rows", "cols"] as const) for (let rows = 1; rows <= shape.mr; rows++) functions.push(kernel(type, layout, rows, shape));
  for (let rows = 1; rows <= DOT_ROWS; rows++) for (let cols = 1; cols <= DOT_COLS; cols++) functions.push(dotKernel(type, rows, cols));
  functions.push(packPanelsKernel(shape.vectors));
  return encodeModule(memory, functions);
}

/** The export name of the kernel that packs a row-major `B` into panels (see {@link packPanelsKernel}). */
export const PACK_PANELS = "pack_panels";

/**
 * `pack_panels(src, srcRowBytes, dst, k, panels)`: copies `panels` panels of a row-major `B`
 * into the packed layout the kernels take: panel `q`'s row `p` (`vectors` v128, the panel
 * width `NR` of either element type) is read at `src + q·NR + p·srcRowBytes` (bytes) and
 * written at `dst + (q·k + p)·NR`. Every row is copied whole: the last panel's rows take
 * whatever follows column `n` in `B` (the next row's first elements, or the slack after `B`),
 * which reaches only output columns past `n`, as when `B` is read in place.
 */
function packPanelsKernel(vectors: number): FunctionBuilder {
  const f = new FunctionBuilder(PACK_PANELS);
  const src = f.param("i32");
  const srcRow = f.param("i32");
  const dst = f.param("i32");
  const k = f.param("i32");
  const panels = f.param("i32");
  const from = f.local("i32");
  const rows = f.local("i32");
  const code = f.code;
  const nrBytes = 16 * vectors;
  // Panels, each k rows.
  countedLoop(f, panels, () => {
    code.localGet(src).localSet(from);
    code.localGet(k).localSet(rows);
    countedLoop(f, rows, () => {
      for (let v = 0; v < vectors; v++) code.localGet(dst).localGet(from).v128Load(16 * v).v128Store(16 * v);
      code.localGet(from).localGet(srcRow).i32Add().localSet(from);
      code.localGet(dst).i32Const(nrBytes).i32Add().localSet(dst);
    });
    code.localGet(src).i32Const(nrBytes).i32Add().localSet(src);
  });
  code.end();
  return f;
}

/**
 * Byte strides baked into a generated kernel as constants: `aRow` from one row of A to the next,
 * `bCol` from one column of B to the next (see {@link dotModuleBytes}).
 */
export interface FixedStrides {
  readonly aRow: number;
  readonly bCol: number;
}

/**
 * Largest fixed stride a kernel takes (256 MiB): the load offsets `r · aRow` and `j · bCol`
 * (`r`, `j` < 8) are WebAssembly memory-argument constants, which must fit in 32 bits.
 */
export const MAX_FIXED_STRIDE = 1 << 28;

/**
 * Throws a `RangeError` naming `fn` and the stride (`what`, then its value) unless `bytes` is a
 * whole number of elements within {@link MAX_FIXED_STRIDE}.
 */
function checkFixedStride(fn: string, what: string, bytes: number, type: SimdFloat): void {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_FIXED_STRIDE || bytes % type.bytes !== 0) {
    throw new RangeError(`${fn}: ${what} ${bytes} is not a whole number of ${type.name} elements within ${MAX_FIXED_STRIDE} bytes`);
  }
}

/**
 * A module of the dot-product kernels `dot1x1 … dot{DOT_ROWS}x{DOT_COLS}` for one pair of
 * strides: each tile walks one pointer through A and one through B, reaching the other rows
 * and columns at constant offsets, where the general kernels advance a pointer per row and
 * per column at every step of `k` (the arguments `aRowBytes` and `bColBytes` are then
 * ignored). Same products and sums in the same order, so the same bits.
 * Example: `dotModuleBytes(F32, { aRow: 3136, bCol: 3136 }, memoryImport)`.
 */
export function dotModuleBytes(type: SimdFloat, fixed: FixedStrides, memory: MemoryImport): Uint8Array {
  checkFixedStride("dotModuleBytes", "stride aRow =", fixed.aRow, type);
  checkFixedStride("dotModuleBytes", "stride bCol =", fixed.bCol, type);
  const functions: FunctionBuilder[] = [];
  for (let rows = 1; rows <= DOT_ROWS; rows++) for (let cols = 1; cols <= DOT_COLS; cols++) functions.push(dotKernel(type, rows, cols, fixed));
  return encodeModule(memory, functions);
}

/**
 * A module of the panel kernels `rows1 … rows{mr}` (layout `"rows"`) with the byte stride
 * between A's rows baked in: a tile walks one pointer along its first row of A and loads the
 * others at constant offsets, where the general kernels advance a pointer per row at every
 * step of `k` (the `aStride` argument is then ignored). Same bits as the general kernels.
 * Example: `rowsModuleBytes(F32, { mr: 4, vectors: 2, unroll: 1 }, 400, memoryImport)`.
 */
export function rowsModuleBytes(type: SimdFloat, shape: KernelShape, aRow: number, memory: MemoryImport): Uint8Array {
  checkFixedStride("rowsModuleBytes", "row stride", aRow, type);
  if (shape.mr > 8) throw new RangeError(`rowsModuleBytes: tiles of at most 8 rows take a fixed stride, got ${shape.mr}`);
  const functions: FunctionBuilder[] = [];
  for (let rows = 1; rows <= shape.mr; rows++) functions.push(kernel(type, "rows", rows, shape, aRow));
  return encodeModule(memory, functions);
}

/** Emits `into = ` the panel (or column group) count of a call's `work` argument, 0 counting as 1. */
function decodePanels(code: Instructions, work: number, into: number): void {
  code.localGet(work).i32Const(16).i32ShrU().i32Const(MAX_CALL_PANELS).i32And().localSet(into);
  code.localGet(into).i32Eqz();
  code.if();
  code.i32Const(1).localSet(into);
  code.end();
}

/**
 * Emits the heads of a call's two loops: over `panels` (left open: the caller ends an
 * iteration by stepping to the next panel, decrementing `panels` and branching back), each
 * restarting `a` and `c` from `a0` and `c0`, and inside it over the `blocks` tiles of `work`.
 */
function openPanelAndTileLoops(code: Instructions, l: { work: number; panels: number; blocks: number; a: number; a0: number; c: number; c0: number }): void {
  code.block().loop();
  code.localGet(l.panels).i32Eqz().brIf(1);
  code.localGet(l.a0).localSet(l.a);
  code.localGet(l.c0).localSet(l.c);
  code.localGet(l.work).i32Const(MAX_CALL_BLOCKS).i32And().localSet(l.blocks);
  code.block().loop();
  code.localGet(l.blocks).i32Eqz().brIf(1);
}

/**
 * Rows of A in a dot-product kernel's tile. With {@link DOT_COLS}: 2 × 4 accumulators, two rows
 * of A and four columns of B loaded per step (15 vector registers would be live with 4 × 3, and
 * V8 spilled: 4 × 3 and 3 × 3 ran at 19-25 GFLOP/s on one thread where 2 × 4 and 4 × 2 ran at
 * 30-46, `300x784·(100x784)ᵀ` and `128x250·(129x250)ᵀ`, 2-core AMD EPYC, 2026-12-06).
 */
export const DOT_ROWS = 2;
/** Columns of C (rows of the stored `Bᵀ`) in a dot-product kernel's tile; see {@link DOT_ROWS}. */
export const DOT_COLS = 4;

/** The export name of the dot-product kernel for a tile. Example: `dotKernelName(4, 3)` is `"dot4x3"`. */
export function dotKernelName(rows: number, cols: number): string {
  return `dot${rows}x${cols}`;
}

/**
 * A dot-product kernel, for `C = A · B` when both `A`'s rows and `B`'s columns are contiguous
 * (`B` a transposed view, such as `xᵀ` in `W · xᵀ` or `δ · hᵀ`): each element of C is the dot
 * product of a row of A and a column of B, read where they are, with no packing. The tile is
 * `rows` rows of A by `cols` columns of B, its `rows × cols` accumulators vectors along `k`
 * (lane `l` sums the products `p ≡ l` mod the lane count); at the end each is summed across its
 * lanes (`(l0 + l1) + (l2 + l3)`) and the last `k mod lanes` products are added one by one, so
 * an element's value depends on its row, its column and `k` only.
 *
 * `(a, aRowBytes, b, bColBytes, c, crs, k, work)`: `work` as {@link packWork} without the
 * layout bit: `blocks` tiles down (A and C advance `rows` rows) in each of `groups` column
 * groups (B advances `cols` columns, C `cols` elements); C is stored element by element, so
 * it needs no padding.
 */
function dotKernel(type: SimdFloat, rows: number, cols: number, fixed?: FixedStrides): FunctionBuilder {
  const eb = type.bytes;
  const lanes = type.lanes;
  const f = new FunctionBuilder(dotKernelName(rows, cols));
  const a = f.param("i32");
  const aRow = f.param("i32");
  const b = f.param("i32");
  const bCol = f.param("i32");
  const c = f.param("i32");
  const crs = f.param("i32");
  const k = f.param("i32");
  const work = f.param("i32");
  const blocks = f.local("i32");
  const groups = f.local("i32");
  const a0 = f.local("i32");
  const c0 = f.local("i32");
  const count = f.local("i32");
  const tail = f.local("i32");
  // One pointer per row of A and column of B, or (fixed strides) one for each, the others at
  // constant offsets from it: `aPtr[r] + aOff[r]`, `bPtr[j] + bOff[j]`.
  const aPtrs = Array.from({ length: fixed ? 1 : rows }, () => f.local("i32"));
  const bPtrs = Array.from({ length: fixed ? 1 : cols }, () => f.local("i32"));
  const aPtr = Array.from({ length: rows }, (_, r) => aPtrs[fixed ? 0 : r]!);
  const bPtr = Array.from({ length: cols }, (_, j) => bPtrs[fixed ? 0 : j]!);
  const aOff = Array.from({ length: rows }, (_, r) => (fixed ? r * fixed.aRow : 0));
  const bOff = Array.from({ length: cols }, (_, j) => (fixed ? j * fixed.bCol : 0));
  const acc = Array.from({ length: rows }, () => Array.from({ length: cols }, () => f.local("v128")));
  const av = f.local("v128");
  const bv = Array.from({ length: cols }, () => f.local("v128"));
  const sum = f.local(type.name === "f32" ? "f32" : "f64");
  const code = f.code;
  const vAdd = () => (type.name === "f32" ? code.f32x4Add() : code.f64x2Add());
  const vMul = () => (type.name === "f32" ? code.f32x4Mul() : code.f64x2Mul());
  const sAdd = () => (type.name === "f32" ? code.f32Add() : code.f64Add());
  const sMul = () => (type.name === "f32" ? code.f32Mul() : code.f64Mul());
  const sLoad = (offset: number) => (type.name === "f32" ? code.f32Load(offset) : code.f64Load(offset));
  const sStore = (offset: number) => (type.name === "f32" ? code.f32Store(offset) : code.f64Store(offset));
  const lane = (l: number) => (type.name === "f32" ? code.f32x4ExtractLane(l) : code.f64x2ExtractLane(l));
  const zero = () => (type.name === "f32" ? code.f32Const(0).f32x4Splat() : code.f64Const(0).f64x2Splat());
  const addTo = (local: number, amount: (x: Instructions) => void) => {
    code.localGet(local);
    amount(code);
    code.i32Add().localSet(local);
  };

  decodePanels(code, work, groups);
  code.localGet(k).i32Const(lanes - 1).i32And().localSet(tail);
  code.localGet(a).localSet(a0);
  code.localGet(c).localSet(c0);
  // Column groups left to right; in each, tiles top to bottom.
  openPanelAndTileLoops(code, { work, panels: groups, blocks, a, a0, c, c0 });
  for (const row of acc) for (const x of row) zero().localSet(x);
  aPtrs.forEach((p, r) => {
    code.localGet(a);
    if (r > 0) code.localGet(aRow).i32Const(r).i32Mul().i32Add();
    code.localSet(p);
  });
  bPtrs.forEach((p, j) => {
    code.localGet(b);
    if (j > 0) code.localGet(bCol).i32Const(j).i32Mul().i32Add();
    code.localSet(p);
  });
  // Whole vectors along k.
  code.localGet(k).i32Const(Math.log2(lanes)).i32ShrU().localSet(count);
  code.block().loop();
  code.localGet(count).i32Eqz().brIf(1);
  for (let j = 0; j < cols; j++) code.localGet(bPtr[j]!).v128Load(bOff[j]!).localSet(bv[j]!);
  for (let r = 0; r < rows; r++) {
    code.localGet(aPtr[r]!).v128Load(aOff[r]!).localSet(av);
    for (let j = 0; j < cols; j++) {
      code.localGet(acc[r]![j]!).localGet(av).localGet(bv[j]!);
      vMul();
      vAdd();
      code.localSet(acc[r]![j]!);
    }
  }
  for (const p of [...aPtrs, ...bPtrs]) addTo(p, (x) => x.i32Const(16));
  code.localGet(count).i32Const(1).i32Sub().localSet(count).br(0);
  code.end().end();
  // Each element: its lanes summed, then the last k mod lanes products, then stored.
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const x = acc[r]![j]!;
      if (lanes === 4) {
        code.localGet(x);
        lane(0);
        code.localGet(x);
        lane(1);
        sAdd();
        code.localGet(x);
        lane(2);
        code.localGet(x);
        lane(3);
        sAdd();
        sAdd();
      } else {
        code.localGet(x);
        lane(0);
        code.localGet(x);
        lane(1);
        sAdd();
      }
      code.localSet(sum);
      for (let t = 0; t < lanes - 1; t++) {
        code.localGet(tail).i32Const(t).i32GtS();
        code.if();
        code.localGet(sum).localGet(aPtr[r]!);
        sLoad(aOff[r]! + t * eb);
        code.localGet(bPtr[j]!);
        sLoad(bOff[j]! + t * eb);
        sMul();
        sAdd();
        code.localSet(sum);
        code.end();
      }
      code.localGet(c);
      if (r > 0) code.localGet(crs).i32Const(r).i32Mul().i32Add();
      code.localGet(sum);
      sStore(j * eb);
    }
  }
  // Next tile down.
  addTo(a, (x) => (fixed ? x.i32Const(rows * fixed.aRow) : x.localGet(aRow).i32Const(rows).i32Mul()));
  addTo(c, (x) => x.localGet(crs).i32Const(rows).i32Mul());
  code.localGet(blocks).i32Const(1).i32Sub().localSet(blocks).br(0);
  code.end().end();
  // Next column group.
  addTo(b, (x) => (fixed ? x.i32Const(cols * fixed.bCol) : x.localGet(bCol).i32Const(cols).i32Mul()));
  addTo(c0, (x) => x.i32Const(cols * eb));
  code.localGet(groups).i32Const(1).i32Sub().localSet(groups).br(0);
  code.end().end();
  code.end();
  return f;
}

/** One micro-kernel; see the module comment for its contract. */
function kernel(type: SimdFloat, layout: ALayout, rows: number, shape: KernelShape, fixedARow?: number): FunctionBuilder {
  const { vectors, unroll } = shape;
  const eb = type.bytes;
  const f = new FunctionBuilder(kernelName(layout, rows));
  const a = f.param("i32");
  const aStride = f.param("i32");
  const b = f.param("i32");
  const bStride = f.param("i32");
  const c = f.param("i32");
  const crs = f.param("i32");
  const k = f.param("i32");
  const work = f.param("i32");
  const blocks = f.local("i32");
  const panels = f.local("i32");
  const bPanel = f.local("i32");
  const a0 = f.local("i32");
  const c0 = f.local("i32");
  // "rows": one pointer per tile row, each walking its row; "cols": one pointer walking the columns.
  // (With a fixed row stride, one pointer for all rows: row `r` at `r · fixedARow` from it.)
  const aPtrs = Array.from({ length: layout === "rows" && fixedARow === undefined ? rows : 1 }, () => f.local("i32"));
  const aPtr = Array.from({ length: layout === "rows" ? rows : 1 }, (_, r) => aPtrs[Math.min(r, aPtrs.length - 1)]!);
  const aOff = (r: number) => (layout === "rows" && fixedARow !== undefined ? r * fixedARow : 0);
  const bPtr = f.local("i32");
  const count = f.local("i32");
  const cRow = f.local("i32");
  const acc = Array.from({ length: rows }, () => Array.from({ length: vectors }, () => f.local("v128")));
  const bv = Array.from({ length: vectors }, () => f.local("v128"));
  const av = f.local("v128");
  const code = f.code;
  const splatLoad = (offset: number) => (type.name === "f32" ? code.v128Load32Splat(offset) : code.v128Load64Splat(offset));
  const vAdd = () => (type.name === "f32" ? code.f32x4Add() : code.f64x2Add());
  const vMul = () => (type.name === "f32" ? code.f32x4Mul() : code.f64x2Mul());
  const zero = () => (type.name === "f32" ? code.f32Const(0).f32x4Splat() : code.f64Const(0).f64x2Splat());
  const addTo = (local: number, amount: (c: Instructions) => void) => {
    code.localGet(local);
    amount(code);
    code.i32Add().localSet(local);
  };

  /** `steps` consecutive rank-1 updates `acc += A[:, p] ⊗ B[p, :]`, then the pointers advance. */
  const updates = (steps: number) => {
    for (let u = 0; u < steps; u++) {
      for (let v = 0; v < vectors; v++) code.localGet(bPtr).v128Load(v * type.lanes * eb).localSet(bv[v]!);
      addTo(bPtr, (c) => c.localGet(bStride));
      for (let r = 0; r < rows; r++) {
        if (layout === "rows") code.localGet(aPtr[r]!);
        else code.localGet(aPtr[0]!);
        splatLoad(layout === "rows" ? aOff(r) + u * eb : r * eb).localSet(av);
        for (let v = 0; v < vectors; v++) {
          code.localGet(acc[r]![v]!).localGet(av).localGet(bv[v]!);
          vMul();
          vAdd();
          code.localSet(acc[r]![v]!);
        }
      }
      if (layout === "cols") addTo(aPtr[0]!, (c) => c.localGet(aStride));
    }
    if (layout === "rows") for (const p of aPtrs) addTo(p, (c) => c.i32Const(steps * eb));
  };

  const nrBytes = vectors * type.lanes * eb;
  // Decode `work`; point b and c at the last panel.
  decodePanels(code, work, panels);
  code.i32Const(nrBytes).localSet(bPanel);
  code.localGet(work).i32Const(1 << 30).i32And();
  code.if();
  code.localGet(k).i32Const(nrBytes).i32Mul().localSet(bPanel);
  code.end();
  addTo(b, (x) => x.localGet(panels).i32Const(1).i32Sub().localGet(bPanel).i32Mul());
  addTo(c, (x) => x.localGet(panels).i32Const(1).i32Sub().i32Const(nrBytes).i32Mul());
  code.localGet(a).localSet(a0);
  code.localGet(c).localSet(c0);
  // Panels last to first; in each, tiles top to bottom.
  openPanelAndTileLoops(code, { work, panels, blocks, a, a0, c, c0 });
  // Fresh accumulators and pointers for this tile.
  for (const row of acc) {
    for (const x of row) {
      zero();
      code.localSet(x);
    }
  }
  if (layout === "rows") {
    aPtrs.forEach((p, r) => {
      code.localGet(a);
      if (r > 0) code.localGet(aStride).i32Const(r).i32Mul().i32Add();
      code.localSet(p);
    });
  } else {
    code.localGet(a).localSet(aPtr[0]!);
  }
  code.localGet(b).localSet(bPtr);
  const log2Unroll = Math.log2(unroll);
  if (unroll > 1) {
    code.localGet(k).i32Const(log2Unroll).i32ShrU().localSet(count);
    countedLoop(f, count, () => updates(unroll));
  }
  (unroll > 1 ? code.localGet(k).i32Const(unroll - 1).i32And() : code.localGet(k)).localSet(count);
  countedLoop(f, count, () => updates(1));
  // Store the tile.
  code.localGet(c).localSet(cRow);
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vectors; v++) code.localGet(cRow).localGet(acc[r]![v]!).v128Store(v * 16);
    if (r + 1 < rows) addTo(cRow, (x) => x.localGet(crs));
  }
  // Next tile down.
  if (layout === "rows") addTo(a, (x) => (fixedARow !== undefined ? x.i32Const(rows * fixedARow) : x.localGet(aStride).i32Const(rows).i32Mul()));
  else addTo(a, (x) => x.i32Const(rows * eb));
  addTo(c, (x) => x.localGet(crs).i32Const(rows).i32Mul());
  code.localGet(blocks).i32Const(1).i32Sub().localSet(blocks).br(0);
  code.end().end();
  // Previous panel.
  addTo(b, (x) => x.i32Const(0).localGet(bPanel).i32Sub());
  addTo(c0, (x) => x.i32Const(-nrBytes));
  code.localGet(panels).i32Const(1).i32Sub().localSet(panels).br(0);
  code.end().end();
  code.end();
  return f;
}
