import type { EdgeTable } from "../edge_table.js";
import { F32, F64, type SimdFloat } from "./matmul_kernels.js";
import { DOT_VECTORS, sparseModuleBytes, spmvNarrowName, SPMV_VECTORS } from "./sparse_kernels.js";
import { heapBuffer, scratchArea } from "../../threads/kernel_heap.js";
import { allocateResident, ownsResidentBlock, releaseResident, residentAddress, residentPolicy } from "../../resident_storage.js";
import { kernelFunction, kernelId, kernelRuntime, registerKernelModule } from "../../threads/kernel_memory.js";
import { availableThreads, runJob, splitJob } from "../../threads/pool.js";
import { copyElements } from "../../shared_copy.js";

/**
 * The WebAssembly SIMD128 sparse products. Operands are copied into one memory (grown as needed
 * and reused by every call) as `[features][samples]` (samples-major ones transposed there by a
 * Wasm kernel), so the generated kernels (`sparse_kernels.ts`) process the samples in SIMD
 * lanes; results are copied back.
 */

type SpmvKernel = (x: number, colOff: number, vals: number, rowStart: number, out: number, numRows: number, rowBytes: number, tiles: number) => void;
type TransposeKernel = (src: number, dst: number, n: number, w: number, srcRowBytes: number, dstRowBytes: number, padded: number) => void;
type EdgeDotKernel = (a: number, b: number, rowOff: number, colOff: number, out: number, numEdges: number, chunks: number, tail: number) => void;

interface KernelSet {
  spmv: SpmvKernel;
  edgeDotGrouped: EdgeDotKernel;
  transpose: TransposeKernel;
  transposeBlocks: TransposeKernel;
  spmvId: number;
  /** Index `v` (1 up to `SPMV_VECTORS`): the spmv kernel with `v` vectors per tile (`SPMV_VECTORS`: `spmv` itself). */
  spmvNarrowId: number[];
  edgeDotGroupedId: number;
}

const NARROW_NAMES = Array.from({ length: SPMV_VECTORS - 1 }, (_, v) => spmvNarrowName(v + 1));

interface Runtime {
  f32: KernelSet;
  f64: KernelSet;
}

/**
 * The key of the sparse kernels' module for an element type (the matrix product packs
 * transposed operands with its `transpose`).
 * Example: `kernelId(sparseModuleKey(F32), "transpose")`.
 */
export function sparseModuleKey(type: SimdFloat): string {
  return `sparse-${type.name}`;
}

for (const type of [F32, F64]) registerKernelModule(sparseModuleKey(type), (memory) => sparseModuleBytes(type, memory), ["spmv", "edge_dot", "transpose", "transpose_blocks", "edge_dot_grouped", ...NARROW_NAMES]);

let runtime: Runtime | null | undefined;

function kernelSet(type: SimdFloat): KernelSet {
  const key = sparseModuleKey(type);
  return {
    spmv: kernelFunction<SpmvKernel>(key, "spmv"),
    edgeDotGrouped: kernelFunction<EdgeDotKernel>(key, "edge_dot_grouped"),
    transpose: kernelFunction<TransposeKernel>(key, "transpose"),
    transposeBlocks: kernelFunction<TransposeKernel>(key, "transpose_blocks"),
    spmvId: kernelId(key, "spmv"),
    spmvNarrowId: [-1, ...NARROW_NAMES.map((name) => kernelId(key, name)), kernelId(key, "spmv")],
    edgeDotGroupedId: kernelId(key, "edge_dot_grouped"),
  };
}

function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  runtime = kernelRuntime() === null ? null : { f32: kernelSet(F32), f64: kernelSet(F64) };
  return runtime;
}

/**
 * Whether the WebAssembly SIMD sparse kernels compiled in this engine.
 * Example: `if (wasmSparseAvailable()) spmvWasm(...)`.
 */
export function wasmSparseAvailable(): boolean {
  return getRuntime() !== null;
}

/**
 * Multiply-adds (edges × samples) from which an spmv is split across threads (over tiles of
 * samples for features-major results, over output rows for samples-major ones: each output is
 * computed as on one thread). Measured on the LeNet-300-100 MNIST step (`pnpm bench --only
 * mnist`, 2-core AMD EPYC shared with other jobs, 2026-12-05) with the split from 2^17: the 3.6 %
 * step (its largest product 8,468 edges × 100 samples, 0.85 M) took 1.55 ms on 2 threads against
 * 1.18 ms on 1, the 7 % step (1.65 M) 1.95 against 1.50 ms, the 21 % step (4.9 M) 3.01 against
 * 2.92 ms: waking a worker and waiting for its chunks cost more than it saved below a few
 * million. Split from 2^19 over tiles of samples (each thread reads its own tiles of the rows
 * of the batch the calling thread has just transposed), the first-layer spmv took 0.92x and
 * 0.89x its time and the step 0.984x and 0.964x at 3.6 % of the edges (0.86x and 0.984x at
 * 7 %), quartiles across 1.0 (`benchmarks/mnist_sparse_steps.ts` with a temporary switch, 20
 * ABBA pairs; 2-core AMD EPYC, 2026-12-06 ~22:01 UTC): too little to keep. Split over rows of
 * equal edge counts (every thread then reads whole rows of the batch), it took 0.91x to 2.16x
 * (~21:59 UTC).
 */
export const SPARSE_PARALLEL_WORK = 1 << 21;

/**
 * Multiply-adds (edges × samples) from which an edge_dot is split across threads (over
 * edges), lower than for spmv: from here against from {@link SPARSE_PARALLEL_WORK}, the first
 * layer's edge_dot took 0.60x-0.67x the time and the whole step 0.965x and 0.943x at 3.6 % of
 * the edges, 0.901x and 0.905x at 7 % (2 threads; the same tool and machine, ~22:00 UTC). The
 * next call's spmv took 1.11x-1.18x as long meanwhile, for a reason not established (a worker
 * still spinning slows the calling thread by a few per cent: `benchmarks/README.md`). In
 * `pnpm bench`'s MNIST suite since (2026-12-07), the 3.6 % step took 1.10x-1.62x its 1-thread
 * time on 2 threads, and 0.898x in one suite with nothing split (this threshold at 2^21 and
 * fused programs from 2^15), which cost the DenseMLP step its split programs; the README's
 * "Each step's parallel speed-up" has the figures. A compiled step now times its calls with and
 * without the pool and keeps the faster way (`threads/pool_choice.ts`), so the threshold is
 * unchanged.
 */
export const EDGE_DOT_PARALLEL_WORK = 1 << 19;

/** Threads for `work` multiply-adds from `threshold` on. */
const threadsFor = (work: number, threshold = SPARSE_PARALLEL_WORK) => (work >= threshold ? availableThreads() : 1);

type FloatArray = Float32Array | Float64Array;

/** A bump allocator over the memory: byte offsets of 16-byte-aligned regions. */
class Layout {
  bytes = 0;
  take(n: number): number {
    const at = this.bytes;
    this.bytes += Math.ceil(n / 16) * 16;
    return at;
  }
}

/** Views of the kernel memory over the scratch area of a layout: `base` is its byte address (the layout's offsets are added to it). */
function views(bytes: number) {
  const base = scratchArea(bytes);
  const buffer = heapBuffer();
  return { base, f32: new Float32Array(buffer), f64: new Float64Array(buffer), i32: new Int32Array(buffer) };
}

function typeOf(data: FloatArray): SimdFloat {
  return data instanceof Float32Array ? F32 : F64;
}

/** How an operand sits in JS memory: samples-major (`[n][features]`, transposed on the way) or features-major (`[features][n]`, copied as one block). */
export type Order = "samples-major" | "features-major";

/**
 * A table's offsets, moved into a block of the kernel memory (kept with the table, so no call
 * copies them in) at the first call that runs under the `"grow"` policy (a jitted step); until
 * then, and where the memory is not shared or the heap is full, an ordinary array each call
 * copies in. Only jitted steps take memory for them: a synchronous loop that rewires a network
 * makes new tables every iteration, and their blocks come back only when the garbage collector
 * runs between tasks.
 */
class KeptOffsets {
  constructor(private values: Int32Array) {}
  /** The offsets, moved into the kernel memory now if they are not there yet and the policy allows it. */
  get(): Int32Array {
    if (residentAddress(this.values) >= 0 || residentPolicy() !== "grow") return this.values;
    const kept = allocateResident(Int32Array, this.values.length, false);
    if (kept !== undefined) {
      kept.set(this.values);
      this.values = kept;
    }
    return this.values;
  }
}

/** Each entry's column as a byte offset of its row (`cols[k] · rowBytes`, row-grouped order), cached per table and stride. */
function colOffsets(table: EdgeTable, rowBytes: number): Int32Array {
  return table
    .memo(`spmv column offsets ${rowBytes}`, () => {
      const { cols } = table.byRow();
      return new KeptOffsets(Int32Array.from(cols.subarray(0, table.size), (c) => c * rowBytes));
    })
    .get();
}

/** Each row's first entry (row-grouped order) for `numRows` rows, rows past the table's bound empty, cached per table and row count. */
function rowStarts(table: EdgeTable, numRows: number): Int32Array {
  return table
    .memo(`spmv row starts ${numRows}`, () => {
      const starts = new Int32Array(numRows + 1).fill(table.size);
      const bound = Math.min(table.rowBound, numRows);
      starts.set(table.byRow().rowStart.subarray(0, bound + 1));
      return new KeptOffsets(starts);
    })
    .get();
}

/** Each entry's row and column as byte offsets of their rows, cached per table and stride. */
function edgeOffsets(table: EdgeTable, rowBytes: number): { rows: Int32Array; cols: Int32Array } {
  const kept = table.memo(`edge_dot offsets ${rowBytes}`, () => ({
    rows: new KeptOffsets(Int32Array.from(table.rows, (r) => r * rowBytes)),
    cols: new KeptOffsets(Int32Array.from(table.cols, (c) => c * rowBytes)),
  }));
  return { rows: kept.rows.get(), cols: kept.cols.get() };
}

/**
 * Where a kernel reads an array: its own address when it is in the kernel memory (read in
 * place), else a region of `bytes` taken from the layout (copied there).
 */
class Placement {
  readonly layout = new Layout();
  private readonly regions: { home: number; rel: number }[] = [];
  /** Registers an array (or a scratch region with `home` -1); returns its index for {@link at}. */
  add(home: number, bytes: number): number {
    this.regions.push({ home, rel: home >= 0 ? 0 : this.layout.take(bytes) });
    return this.regions.length - 1;
  }
  /** The byte address of region `i` once the scratch area is at `base`. */
  at(i: number, base: number): number {
    const r = this.regions[i]!;
    return r.home >= 0 ? r.home : base + r.rel;
  }
}

/**
 * Places a samples-major operand (`n × w`, row-major) in the memory as `w` features-major rows
 * `rowBytes` apart, each zero-filled from `n` to `np` elements, with the Wasm transpose (a
 * strided JavaScript loop cost ~3 ns per element): read where it is when it is in the kernel
 * memory, else first copied as one block to a staging region at `stageAt`.
 */
function transposeIn(set: KernelSet, fv: FloatArray, src: FloatArray, n: number, w: number, stageAt: number, at: number, rowBytes: number, np: number, ld = w): void {
  const eb = fv.BYTES_PER_ELEMENT;
  let from = residentAddress(src);
  if (from < 0) {
    // The staged copy starts at the source's alignment to 8 bytes (4 bytes into the stage for
    // a float32 slice at an odd column, such as a pruned layer's `x[:, 3:783]`), so that V8
    // copies it word by word in one pass (see `shared_copy.ts`); the stage has 8 bytes to spare.
    from = stageAt + (eb === 4 ? (src.byteOffset - stageAt) & 7 : 0);
    copyElements(fv, src.subarray(0, stagedLength(n, w, ld)), from / eb);
  }
  transposeWith(set, eb, from, at, n, w, ld * eb, rowBytes, np);
}

/**
 * `dst[j][i] = src[i][j]` for an `n × w` source in the kernel memory (byte addresses; rows
 * `srcRowBytes` and `dstRowBytes` apart), each destination row zero-filled from `n` to `padded`
 * elements: float32 by 4 × 4 blocks (`transpose_blocks`) over the first multiples of four of `n`
 * and `w`, the edges element by element (`transpose`). A float32 batch of 100 × 784: 14 µs by
 * blocks against 25 µs element by element (Intel Xeon, Node 20, 2026-12-06); 385 × 128 by blocks
 * 0.28 ns per element, 513 × 250 element by element 1.45 ns (Zen 3 EPYC, 2026-12-07). Each
 * element is a copy, however it is made. The matrix product transposes a column-layout `A` with
 * it (`matmul_pack_a.ts`).
 * Example: `transposeInMemory(F32, src, dst, 100, 784, 784 * 4, 100 * 4, 100)`.
 */
export function transposeInMemory(type: SimdFloat, src: number, dst: number, n: number, w: number, srcRowBytes: number, dstRowBytes: number, padded: number): void {
  const rt = getRuntime();
  if (rt === null) throw new Error("transposeInMemory: WebAssembly SIMD128 is not available in this engine");
  transposeWith(rt[type.name], type.bytes, src, dst, n, w, srcRowBytes, dstRowBytes, padded);
}

/** {@link transposeInMemory} with the kernel set of the element type (`eb` bytes per element). */
function transposeWith(set: KernelSet, eb: number, src: number, dst: number, n: number, w: number, srcRowBytes: number, dstRowBytes: number, padded: number): void {
  // float64's `transpose_blocks` is `transpose` itself: one call.
  const [n4, w4] = eb === 4 ? [n - (n % 4), w - (w % 4)] : [0, 0];
  if (n4 === 0 || w4 === 0) {
    set.transpose(src, dst, n, w, srcRowBytes, dstRowBytes, padded);
    return;
  }
  // Rows < w4 up to n4 by blocks (their zero fill left to the edge call when there is one), then
  // the same rows from n4 on, then the last w - w4 rows whole.
  set.transposeBlocks(src, dst, n4, w4, srcRowBytes, dstRowBytes, n4 < n ? n4 : padded);
  if (n4 < n) set.transpose(src + n4 * srcRowBytes, dst + n4 * eb, n - n4, w4, srcRowBytes, dstRowBytes, padded - n4);
  if (w4 < w) set.transpose(src + w4 * eb, dst + w4 * dstRowBytes, n, w - w4, srcRowBytes, dstRowBytes, padded);
}

/** Bytes a stage keeps beyond its copy, so that the copy may start at its source's alignment (see {@link transposeIn}). */
const STAGE_SLACK = 8;

/** Elements from the first to the last of `n` rows of `w` elements, `ld` apart (what a samples-major operand's staging copy holds). */
const stagedLength = (n: number, w: number, ld: number): number => (n === 0 ? 0 : (n - 1) * ld + w);

/**
 * The last few samples-major operands given with a key (the view they were read from),
 * transposed into features-major rows in blocks of the kernel memory, kept for the next product
 * that reads the same view: an input batch feeds both a layer's forward product and its weight
 * gradient (with other layers' products between them), and a tensor's values never change while
 * it is alive. Keyed by weak references, so a later view (a new object) never matches an
 * earlier one. Most recently used last.
 */
const transposed: { key: WeakRef<object>; n: number; w: number; ld: number; np: number; type: SimdFloat; block: FloatArray }[] = [];
/** Operands kept (each a block of the kernel memory for as long as it stays). */
const TRANSPOSED_KEPT = 4;

/**
 * The byte address of `src` (`n × w`, samples-major) transposed into `w` rows of `np` elements
 * (see {@link transposeIn}), from the kept ones when `key` matches, else transposed now into the
 * least recently used one's block (or a new one); -1 without a key or where the memory is not
 * shared. The block has a tile of room past the rows (the spmv kernel's over-read).
 */
function transposedOperand(set: KernelSet, type: SimdFloat, key: object | undefined, src: FloatArray, n: number, w: number, np: number, ld = w): number {
  if (key === undefined || typeof WeakRef !== "function") return -1;
  const hit = transposed.findIndex((t) => t.key.deref() === key && t.n === n && t.w === w && t.ld === ld && t.np === np && t.type === type);
  if (hit >= 0) {
    const t = transposed.splice(hit, 1)[0]!;
    transposed.push(t);
    return residentAddress(t.block);
  }
  const length = w * np + SPMV_VECTORS * type.lanes;
  const evicted = transposed.length >= TRANSPOSED_KEPT ? transposed.shift()! : null;
  let block = evicted !== null && evicted.type === type && evicted.block.length >= length ? evicted.block : null;
  if (block === null) {
    if (evicted !== null) releaseResident(evicted.block);
    block = (type === F32 ? allocateResident(Float32Array, length, false) : allocateResident(Float64Array, length, false)) ?? null;
    if (block === null) return -1;
  }
  const at = residentAddress(block);
  const stage = residentAddress(src) < 0 ? stagedLength(n, w, ld) * type.bytes + STAGE_SLACK : 0;
  const v = views(stage);
  transposeIn(set, type === F32 ? v.f32 : v.f64, src, n, w, v.base, at, np * type.bytes, np, ld);
  transposed.push({ key: new WeakRef(key), n, w, ld, np, type, block });
  return at;
}

/**
 * How a features-major row of `np` samples is cut into spmv tiles: `wide` tiles of `width + 1`
 * vectors, then `narrow` tiles of `width`, at most `SPMV_VECTORS` each and as few as that
 * allows (see `SPMV_VECTORS`); `partial` when the row's last vector is partial (it sits in the
 * last tile). Example: `rowTiles(100, 4)` is five tiles of five vectors; `rowTiles(130, 4)` (33
 * vectors) five of five, then two of four, the last one partial.
 */
export function rowTiles(np: number, lanes: number): { width: number; wide: number; narrow: number; partial: boolean } {
  const vectors = Math.ceil(np / lanes);
  const tiles = Math.ceil(vectors / SPMV_VECTORS);
  const width = Math.floor(vectors / tiles);
  const wide = vectors % tiles;
  return { width, wide, narrow: tiles - wide, partial: np % lanes !== 0 };
}

/**
 * The kernel calls for tiles `k0` up to `k1` of a row cut as `tiles` says: `call(kernel id, byte
 * offset of the first tile in the row, tiles)`, one call per width (`ids[v]`: the kernel of `v`
 * vectors).
 */
function tileCalls(tiles: ReturnType<typeof rowTiles>, k0: number, k1: number, ids: readonly number[], call: (id: number, at: number, count: number) => void): void {
  const { width, wide } = tiles;
  const wideEnd = Math.min(k1, wide);
  if (k0 < wideEnd) call(ids[width + 1]!, k0 * (width + 1) * 16, wideEnd - k0);
  const from = Math.max(k0, wide);
  if (from < k1) call(ids[width]!, (wide * (width + 1) + (from - wide) * width) * 16, k1 - from);
}

function spmvIn(xOrder: Order, outOrder: Order, x: FloatArray, n: number, w: number, values: FloatArray, table: EdgeTable, numRows: number, out: FloatArray, xKey?: object, xStride = w): void {
  const rt = getRuntime();
  if (rt === null) throw new Error("spmvWasm: WebAssembly SIMD128 is not available in this engine");
  const type = typeOf(x);
  const eb = type.bytes;
  const tileLanes = SPMV_VECTORS * type.lanes;
  // Rows written out samples-major are padded to whole tiles. Features-major output rows are
  // unpadded and cut into tiles as equal as they come (`rowTiles`): the tile holding the last,
  // partial vector is computed first, its spill into the next row is overwritten by that row's
  // first tile later, and both regions have slack at the end. Split across threads,
  // features-major products are split by tiles of samples: the chunk that computes the first
  // tile of every row computes the partial tile first, so its spill is overwritten by the same
  // chunk; no other chunk writes those lanes. Samples-major outputs
  // are split by rows, every row padded. Samples-major inputs are transposed into the same rows
  // (see transposeIn).
  // Arrays in the kernel memory are read (and a result that owns its block written) where they
  // are: the one-tile over-read past x's end and the spill past out's end stay within their
  // blocks' slack (`kernel_heap.ts`), and only reach lanes past `n`.
  const threads = threadsFor(table.size * n);
  const padded = outOrder === "samples-major";
  const np = padded ? Math.ceil(n / tileLanes) * tileLanes : n;
  const rowBytes = np * eb;
  const { order: edgeOrder } = table.byRow();
  const e = table.size;
  const cols = colOffsets(table, rowBytes);
  const starts = rowStarts(table, numRows);
  const set = rt[type.name];
  const cached = xOrder === "samples-major" ? transposedOperand(set, type, xKey, x, n, w, np, xStride) : -1;
  // A features-major operand only comes with a features-major result (spmvRowsWasm), whose rows
  // are unpadded: it is read where it is, or copied in as one block.
  const xHome = xOrder === "features-major" ? residentAddress(x) : cached;
  const outHome = !padded && ownsResidentBlock(out) ? residentAddress(out) : -1;
  const stage = xOrder === "samples-major" && cached < 0 && residentAddress(x) < 0 ? stagedLength(n, w, xStride) : 0;
  const place = new Placement();
  const xR = place.add(xHome, (w * np + tileLanes) * eb);
  const colHome = residentAddress(cols);
  const valHome = edgeOrder === null ? residentAddress(values) : -1;
  const startHome = residentAddress(starts);
  const colR = place.add(colHome, e * 4);
  const valR = place.add(valHome, e * eb);
  const startR = place.add(startHome, (numRows + 1) * 4);
  const outR = place.add(outHome, (numRows * np + tileLanes) * eb);
  const stageR = place.add(-1, Math.max(stage, outOrder === "samples-major" ? n * numRows : 0) * eb + STAGE_SLACK);
  const v = views(place.layout.bytes);
  const [xAt, colAt, valAt, startAt, outAt, stageAt] = [xR, colR, valR, startR, outR, stageR].map((r) => place.at(r, v.base)) as [number, number, number, number, number, number];
  const fv = type === F32 ? v.f32 : v.f64;
  const x0 = xAt / eb;
  if (xOrder === "samples-major") {
    if (cached < 0) transposeIn(set, fv, x, n, w, stageAt, xAt, rowBytes, np, xStride);
  } else if (xHome < 0) copyElements(fv, x.subarray(0, w * n), x0);
  if (xHome < 0) fv.fill(0, x0 + w * np, x0 + w * np + tileLanes);
  if (colHome < 0) v.i32.set(cols, colAt / 4);
  const v0 = valAt / eb;
  if (edgeOrder !== null) for (let k = 0; k < e; k++) fv[v0 + k] = values[edgeOrder[k]!]!;
  else if (valHome < 0) copyElements(fv, values.subarray(0, e), v0);
  if (startHome < 0) v.i32.set(starts, startAt / 4);
  if (padded) {
    // Padded rows: whole tiles cover every sample; chunks of output rows.
    const full = np / tileLanes;
    if (threads > 1) runJob(splitJob(numRows, threads, (job, r0, r1) => job.call(set.spmvId, xAt, colAt, valAt, startAt + r0 * 4, outAt + r0 * rowBytes, r1 - r0, rowBytes, full)));
    else set.spmv(xAt, colAt, valAt, startAt, outAt, numRows, rowBytes, full);
  } else if (np > 0) {
    const tiles = rowTiles(np, type.lanes);
    const total = tiles.wide + tiles.narrow;
    // The tile with the partial vector runs before the others (see above); the rest are split.
    const rest = tiles.partial ? total - 1 : total;
    const ids = set.spmvNarrowId;
    if (threads > 1 && rest > 1) {
      runJob(
        splitJob(rest, threads, (job, k0, k1) => {
          const call = (id: number, at: number, count: number) => job.call(id, xAt + at, colAt, valAt, startAt, outAt + at, numRows, rowBytes, count);
          if (k0 === 0 && rest < total) tileCalls(tiles, rest, total, ids, call);
          tileCalls(tiles, k0, k1, ids, call);
        }),
      );
    } else {
      const functions = kernelRuntime()!.functions;
      const call = (id: number, at: number, count: number) => functions[id]!(xAt + at, colAt, valAt, startAt, outAt + at, numRows, rowBytes, count);
      if (rest < total) tileCalls(tiles, rest, total, ids, call);
      tileCalls(tiles, 0, rest, ids, call);
    }
  }
  if (outHome >= 0) return;
  const o0 = outAt / eb;
  if (!padded) {
    copyElements(out, fv.subarray(o0, o0 + numRows * n));
    return;
  }
  // Samples-major output: the rows' first n samples transposed to `n × numRows`, then one copy.
  set.transpose(outAt, stageAt, numRows, n, rowBytes, numRows * eb, numRows);
  copyElements(out, fv.subarray(stageAt / eb, stageAt / eb + n * numRows));
}

/**
 * `out[i, r] = Σ_{e: rows[e] = r} values[e] · x[i, cols[e]]` for `x` of `n × w` and `out` of
 * `n × numRows` (samples-major, row-major), computed in the precision of the element type.
 * Throws if WebAssembly SIMD is unavailable (check {@link wasmSparseAvailable}).
 * Example: `spmvWasm(x, 250, 513, values, table, 128, out)`.
 */
export function spmvWasm(x: FloatArray, n: number, w: number, values: FloatArray, table: EdgeTable, numRows: number, out: FloatArray): void {
  spmvIn("samples-major", "samples-major", x, n, w, values, table, numRows, out);
}

/**
 * The features-major spmv: `out[r, i] = Σ_{e: rows[e] = r} values[e] · x[cols[e], i]` for `x`
 * of `w × n` and `out` of `numRows × n` (row-major; the samples are contiguous, so operands are
 * copied in and out as single blocks, not transposed). With `xOrder` `"samples-major"`, `x`
 * holds the operand transposed (`n` rows of `w`, `xStride` apart), transposed in the kernel
 * memory, with the same result bit for bit. Throws if WebAssembly SIMD is unavailable.
 * Example: `spmvRowsWasm(x, 250, 513, values, table, 128, out)`.
 */
export function spmvRowsWasm(x: FloatArray, n: number, w: number, values: FloatArray, table: EdgeTable, numRows: number, out: FloatArray, xOrder: Order = "features-major", xKey?: object, xStride = w): void {
  spmvIn(xOrder, "features-major", x, n, w, values, table, numRows, out, xKey, xStride);
}

/** An edge_dot operand: its values, their order, the view that keys its transposed copy, and (samples-major) its row stride. */
interface DotOperand {
  readonly data: FloatArray;
  readonly order: Order;
  readonly key?: object;
  readonly stride: number;
}

function edgeDotIn(padded: boolean, a: DotOperand, b: DotOperand, n: number, numRows: number, w: number, table: EdgeTable, out: FloatArray): void {
  const rt = getRuntime();
  if (rt === null) throw new Error("edgeDotWasm: WebAssembly SIMD128 is not available in this engine");
  const type = typeOf(a.data);
  const eb = type.bytes;
  const chunkLanes = DOT_VECTORS * type.lanes;
  // `padded` (the samples-major product): rows zero-padded to whole chunks. Otherwise rows hold
  // the n samples (features-major operands copied as they are, or read where they are in the
  // kernel memory; samples-major ones transposed) and the kernel finishes each dot product's
  // last samples one at a time, so the features-major product gives the same bits whatever the
  // operands' order, and reads nothing past a row.
  const np = padded ? Math.ceil(n / chunkLanes) * chunkLanes : n;
  const e = table.size;
  const rowBytes = np * eb;
  const offsets = edgeOffsets(table, rowBytes);
  const set = rt[type.name];
  const home = (x: DotOperand, rows: number, key: object | undefined) => {
    if (padded) return -1;
    return x.order === "features-major" ? residentAddress(x.data) : transposedOperand(set, type, key, x.data, n, rows, np, x.stride);
  };
  // One operand at most from the kept ones (so b's transposition never takes a's block): b, the
  // input batch of a weight gradient.
  const bHome = home(b, w, b.key);
  const aHome = home(a, numRows, b.order === "samples-major" && b.key !== undefined ? undefined : a.key);
  const outHome = ownsResidentBlock(out) ? residentAddress(out) : -1;
  const staged = (x: DotOperand, rows: number, placed: number) => (x.order === "samples-major" && placed < 0 && residentAddress(x.data) < 0 ? stagedLength(n, rows, x.stride) : 0);
  const place = new Placement();
  const aR = place.add(aHome, numRows * np * eb);
  const bR = place.add(bHome, w * np * eb);
  const rowHome = residentAddress(offsets.rows);
  const colHome = residentAddress(offsets.cols);
  const rowR = place.add(rowHome, e * 4);
  const colR = place.add(colHome, e * 4);
  const outR = place.add(outHome, e * eb);
  const stageR = place.add(-1, Math.max(staged(a, numRows, aHome), staged(b, w, bHome)) * eb + STAGE_SLACK);
  const v = views(place.layout.bytes);
  const [aAt, bAt, rowAt, colAt, outAt, stageAt] = [aR, bR, rowR, colR, outR, stageR].map((r) => place.at(r, v.base)) as [number, number, number, number, number, number];
  const fv = type === F32 ? v.f32 : v.f64;
  if (aHome < 0 && a.order === "samples-major") transposeIn(set, fv, a.data, n, numRows, stageAt, aAt, rowBytes, np, a.stride);
  else if (aHome < 0) copyElements(fv, a.data.subarray(0, numRows * n), aAt / eb);
  if (bHome < 0 && b.order === "samples-major") transposeIn(set, fv, b.data, n, w, stageAt, bAt, rowBytes, np, b.stride);
  else if (bHome < 0) copyElements(fv, b.data.subarray(0, w * n), bAt / eb);
  if (rowHome < 0) v.i32.set(offsets.rows, rowAt / 4);
  if (colHome < 0) v.i32.set(offsets.cols, colAt / 4);
  const chunks = Math.floor(np / chunkLanes);
  const tail = np - chunks * chunkLanes;
  const threads = threadsFor(e * n, EDGE_DOT_PARALLEL_WORK);
  if (threads > 1) {
    // Chunks of edges: each edge's dot product is computed as on one thread.
    runJob(splitJob(e, threads, (job, e0, e1) => job.call(set.edgeDotGroupedId, aAt, bAt, rowAt + e0 * 4, colAt + e0 * 4, outAt + e0 * eb, e1 - e0, chunks, tail)));
  } else {
    set.edgeDotGrouped(aAt, bAt, rowAt, colAt, outAt, e, chunks, tail);
  }
  if (outHome < 0) copyElements(out, fv.subarray(outAt / eb, outAt / eb + e));
}

/**
 * `out[e] = Σ_i a[i, rows[e]] · b[i, cols[e]]` for `a` of `n × numRows` and `b` of `n × w`
 * (samples-major, row-major), computed in the precision of the element type. Throws if
 * WebAssembly SIMD is unavailable.
 * Example: `edgeDotWasm(a, b, 250, 128, 513, table, out)`.
 */
export function edgeDotWasm(a: FloatArray, b: FloatArray, n: number, numRows: number, w: number, table: EdgeTable, out: FloatArray): void {
  edgeDotIn(true, { data: a, order: "samples-major", stride: numRows }, { data: b, order: "samples-major", stride: w }, n, numRows, w, table, out);
}

/**
 * The features-major edge_dot: `out[e] = Σ_i a[rows[e], i] · b[cols[e], i]` for `a` of
 * `numRows × n` and `b` of `w × n` (row-major); an operand whose order is `"samples-major"` holds
 * it transposed (`n` rows of `numRows` or `w`, `aStride` or `bStride` apart), with the same
 * result bit for bit. Throws if WebAssembly SIMD is unavailable.
 * Example: `edgeDotRowsWasm(a, b, 250, 128, 513, table, out)`.
 */
export function edgeDotRowsWasm(
  a: FloatArray,
  b: FloatArray,
  n: number,
  numRows: number,
  w: number,
  table: EdgeTable,
  out: FloatArray,
  aOrder: Order = "features-major",
  bOrder: Order = "features-major",
  aKey?: object,
  bKey?: object,
  aStride = numRows,
  bStride = w,
): void {
  edgeDotIn(false, { data: a, order: aOrder, key: aKey, stride: aStride }, { data: b, order: bOrder, key: bKey, stride: bStride }, n, numRows, w, table, out);
}
