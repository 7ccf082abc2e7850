import { debugLog, nodeProcess } from "./config.js";
import { ensureMemory, growKernelMemory, kernelRuntime } from "./kernel_memory.js";

/**
 * Blocks of the shared kernel memory (`kernel_memory.ts`): the storage of large tensors, and the
 * kernels' scratch area.
 *
 * A tensor whose storage is a block of the kernel memory is *resident*: kernels read it where it
 * is and write their results straight into the output's block. The pool's workers can reach it
 * too, since they share the memory. Without this, every kernel call copied its operands into the
 * memory and its results out, on the calling thread. In the LeNet-300-100 MNIST step those
 * copies took longer than the arithmetic: the fused Adam update of the 300 x 784 weights, for
 * example, copied four arrays in and three out.
 *
 * Only a *shared* memory holds tensors. An ordinary `WebAssembly.Memory` detaches its buffer
 * when it grows, which would empty every view over it. Where the memory is not shared (no
 * `SharedArrayBuffer`), {@link allocateBlock} returns `null`, and storage stays in ordinary
 * `ArrayBuffer`s.
 *
 * Blocks are {@link BLOCK_ALIGN}-byte aligned, and each is followed by at least
 * {@link BLOCK_SLACK} bytes that belong to it. A kernel may over-read or over-write that slack
 * (for example a vector loop rounded up to whole groups, or the spill of a matmul tile) without
 * touching another block. The allocator keeps exact-size free lists, since a training step
 * frees and takes the same sizes every call. When the heap would pass {@link heapLimit}, it
 * first merges adjacent free blocks and takes the first that fits. When nothing fits, the
 * allocation fails and the caller falls back to ordinary memory.
 */

/** Alignment of every block, in bytes: a cache line, and a whole number of SIMD vectors. */
export const BLOCK_ALIGN = 64;
/** Bytes after the end of every block's requested size that the block owns. */
export const BLOCK_SLACK = 256;

/**
 * Largest heap, in bytes, unless the `CONNEX_KERNEL_HEAP_MB` environment variable (Node) or
 * {@link setHeapLimit} says otherwise: 512 MiB of the 4 GiB a wasm32 memory can address.
 *
 * The limit matters because a block whose array is dropped without being released goes back
 * only when the garbage collector has collected the array *and* the event loop has run the
 * finalizers. A synchronous training loop that does not donate its arguments therefore fills the
 * heap with dropped arrays. After that its allocations are ordinary arrays, and run as fast as
 * they would without a heap. Donation (`jit(f, { donateArgnums })`) and jit's own intermediates
 * release blocks as soon as they are dead.
 */
export const DEFAULT_HEAP_LIMIT = 512 * 2 ** 20;

/** Environment variable that sets the heap limit, in MiB. */
export const HEAP_LIMIT_VARIABLE = "CONNEX_KERNEL_HEAP_MB";

const PAGE_BYTES = 65536;

/** The limit from `CONNEX_KERNEL_HEAP_MB`, or the default; a malformed value is ignored with a debug note. */
function initialLimit(): number {
  const raw = nodeProcess()?.env?.[HEAP_LIMIT_VARIABLE];
  if (raw === undefined || raw.trim() === "") return DEFAULT_HEAP_LIMIT;
  const mb = Number(raw);
  if (Number.isFinite(mb) && mb >= 0) return Math.min(mb * 2 ** 20, 2 ** 32 - PAGE_BYTES);
  debugLog(`${HEAP_LIMIT_VARIABLE}=${JSON.stringify(raw)} is not a number of MiB; using ${DEFAULT_HEAP_LIMIT / 2 ** 20}`);
  return DEFAULT_HEAP_LIMIT;
}

let limit = initialLimit();
/** First byte above every block ever carved. */
let top = 0;
/** Size in bytes of every block in use or free, by address. */
const sizes = new Map<number, number>();
/** Free blocks by exact size. */
const freeBySize = new Map<number, number[]>();
/**
 * Free blocks the jit executor handed back (its intermediates, donated arguments), by exact
 * size: kept for allocations that may grow the heap (the executor's own), so that eager
 * operations between two calls, which only reuse, do not take them and make the next call
 * take new memory.
 */
const keptBySize = new Map<number, number[]>();
/** Addresses of the free blocks. */
const freeSet = new Set<number>();
let freeBytes = 0;
let usedBytes = 0;
let freedSinceMerge = false;

/** Rounds a request up to the block size that serves it (slack included). */
const blockBytes = (bytes: number) => Math.ceil((bytes + BLOCK_SLACK) / BLOCK_ALIGN) * BLOCK_ALIGN;

/** Whether blocks can be allocated here: the kernel memory exists and is shared. */
export function heapAvailable(): boolean {
  const rt = kernelRuntime();
  return rt !== null && rt.shared;
}

/**
 * The heap's current limit in bytes, and a way to change it (tests; a process that needs the
 * address space for something else). Lowering it never frees blocks in use.
 * Example: `setHeapLimit(256 * 2 ** 20)`.
 */
export function setHeapLimit(bytes: number): void {
  limit = Math.max(0, Math.min(bytes, 2 ** 32 - PAGE_BYTES));
}

/** See {@link setHeapLimit}. */
export function heapLimit(): number {
  return limit;
}

/** Bytes in blocks in use, free in the lists, and the heap's top. For tests and diagnostics. */
export function heapStats(): { used: number; free: number; top: number } {
  return { used: usedBytes, free: freeBytes, top };
}

function takeFree(size: number, lists = freeBySize): number | undefined {
  const list = lists.get(size);
  if (list === undefined || list.length === 0) return undefined;
  freeBytes -= size;
  const at = list.pop()!;
  freeSet.delete(at);
  return at;
}

function putFree(at: number, size: number, lists = freeBySize): void {
  let list = lists.get(size);
  if (list === undefined) lists.set(size, (list = []));
  list.push(at);
  freeSet.add(at);
  freeBytes += size;
}

/**
 * Merges adjacent free blocks, gives a free run at the top back to the bump pointer, and
 * returns the address of the first merged block of at least `size` bytes (split, the rest
 * freed), or `undefined`.
 */
function coalesceAndFit(size: number): number | undefined {
  freedSinceMerge = false;
  const free: [number, number][] = [];
  for (const lists of [freeBySize, keptBySize]) for (const [s, list] of lists) for (const at of list) free.push([at, s]);
  freeBySize.clear();
  keptBySize.clear();
  freeSet.clear();
  freeBytes = 0;
  free.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [at, s] of free) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last[0] + last[1] === at) {
      sizes.delete(at);
      last[1] += s;
    } else merged.push([at, s]);
  }
  const last = merged[merged.length - 1];
  if (last !== undefined && last[0] + last[1] === top) {
    merged.pop();
    sizes.delete(last[0]);
    top = last[0];
  }
  let found: number | undefined;
  for (const [at, s] of merged) {
    if (found === undefined && s >= size) {
      found = at;
      sizes.set(at, size);
      if (s > size) {
        sizes.set(at + size, s - size);
        putFree(at + size, s - size);
      }
    } else {
      sizes.set(at, s);
      putFree(at, s);
    }
  }
  return found;
}

/**
 * A block of at least `bytes` bytes (plus its slack), as a byte address in the kernel memory,
 * the memory grown to hold it; `null` when the memory is not shared or the heap limit would be
 * passed. With `grow` false, only a free block of the same size is reused (not one the jit
 * executor keeps, see {@link freeBlock}), and `null` is returned rather than taking new memory
 * or merging free blocks: see `resident_storage.ts` for why. Its contents are unspecified.
 * Free it with {@link freeBlock}.
 * Example: `const at = allocateBlock(4 * 1024); if (at !== null) new Float32Array(heapBuffer(), at, 1024)`.
 */
export function allocateBlock(bytes: number, grow = true): number | null {
  if (!heapAvailable()) return null;
  if (grow) return carve(bytes, limit);
  const size = blockBytes(bytes);
  const at = takeFree(size);
  if (at === undefined) return null;
  usedBytes += size;
  return at;
}

/** A new block of `size` bytes at the top, if the top stays within `max`. */
function bump(size: number, max: number): number | undefined {
  if (top + size > max) return undefined;
  const at = top;
  top += size;
  sizes.set(at, size);
  return at;
}

function carve(bytes: number, max: number): number | null {
  const size = blockBytes(bytes);
  // A kept or free block of the size, else new memory at the top; when the top would pass
  // `max`, merged free blocks (merging sorts every free block: only worth it when enough is
  // free and something was freed since the last merge, as a full heap is asked again and
  // again), or the top again (merging may have lowered it).
  let at = takeFree(size, keptBySize) ?? takeFree(size) ?? bump(size, max);
  if (at === undefined && freeBytes >= size && freedSinceMerge) at = coalesceAndFit(size) ?? bump(size, max);
  if (at === undefined) return null;
  const memory = kernelRuntime()!.memory;
  const have = memory.buffer.byteLength;
  if (at + size > have) {
    // Grow by at least an eighth (and 16 MiB): growing a shared memory is a system call and a
    // new buffer object, too slow to do for every block.
    const pages = Math.ceil((at + size - have) / PAGE_BYTES);
    const room = Math.max(0, Math.floor((2 ** 32 - have) / PAGE_BYTES) - 1);
    try {
      growKernelMemory(memory, Math.min(room, Math.max(pages, have / 8 / PAGE_BYTES, 256)) | 0);
    } catch {
      // The engine refused the pages (address space or memory exhausted): give the block back.
      putFree(at, size);
      return null;
    }
  }
  usedBytes += size;
  return at;
}

/**
 * Returns a block to the heap; with `keep`, for allocations that may grow the heap only (the
 * jit executor hands back its blocks so). Throws on an address that is not a block in use:
 * freeing twice would hand the same memory to two owners.
 * Example: `freeBlock(at)`.
 */
export function freeBlock(at: number, keep = false): void {
  const size = sizes.get(at);
  if (size === undefined || freeSet.has(at)) throw new Error(`freeBlock: ${at} is not a block in use`);
  usedBytes -= size;
  putFree(at, size, keep ? keptBySize : freeBySize);
  freedSinceMerge = true;
}

/**
 * The kernel memory's current buffer (a `SharedArrayBuffer` when the heap is available): views
 * of blocks are made over it. The object changes when the memory grows; views over an earlier
 * one stay valid (a shared memory's buffer is never detached).
 * Example: `new Float32Array(heapBuffer(), at, n)`.
 */
export function heapBuffer(): ArrayBufferLike {
  return kernelRuntime()!.memory.buffer;
}

let scratch: { at: number; bytes: number } | null = null;

/**
 * The byte address of the kernels' scratch area, at least `bytes` long, valid for one kernel
 * call on the calling thread (and the jobs it runs); every call reuses the same area, grown when
 * too small. A block of the heap where the heap is available (not bound by the heap limit: a
 * kernel must be able to run), else the unshared memory from address 0, grown to `bytes`.
 * Ask again after allocating blocks: growing may move it.
 * Example: `const base = scratchArea(bytes); new Float32Array(heapBuffer(), base, bytes / 4)`.
 */
export function scratchArea(bytes: number): number {
  if (!heapAvailable()) {
    ensureMemory(kernelRuntime()!, bytes);
    return 0;
  }
  if (scratch !== null && scratch.bytes >= bytes) return scratch.at;
  if (scratch !== null) freeBlock(scratch.at);
  // Grow geometrically, so a sequence of growing calls moves the area a few times only.
  const want = Math.max(bytes, scratch === null ? 0 : 2 * scratch.bytes, 1 << 16);
  scratch = null;
  const at = carve(want, 2 ** 32 - PAGE_BYTES);
  if (at === null) throw new Error(`scratchArea: the kernel memory cannot hold ${want} more bytes`);
  scratch = { at, bytes: want };
  return at;
}
