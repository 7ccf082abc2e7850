import { allocateBlock, freeBlock, heapBuffer } from "./threads/kernel_heap.js";
import { isKernelMemoryBuffer } from "./threads/kernel_memory.js";
import { fillElements } from "./shared_copy.js";

/**
 * Typed arrays whose memory is a block of the shared kernel memory (`threads/kernel_heap.ts`):
 * the storage of large tensors where the kernel memory is shared. Kernels find such an array's
 * elements at its `byteOffset` in the memory ({@link residentAddress}), so they read operands
 * and write results in place instead of copying them in and out.
 *
 * A block goes back to the heap in one of two ways. Either the jit executor or donation releases
 * it as soon as nothing reads it ({@link releaseResident}, through `recycle`), or the garbage
 * collector finds its array unreachable (a `FinalizationRegistry`). The block belongs to one
 * typed array object. A second view over the same memory must take the ownership over
 * ({@link moveResident}). Otherwise the block would be freed while that view still reads it.
 */

/**
 * Which large arrays {@link allocateTyped} (`slab_allocator.ts`) places in the kernel memory:
 * - `"grow"`: every one, taking new memory when no freed block fits;
 * - `"reuse"`: only into a freed block of the same size (not one the jit executor keeps for its next call: `releaseResident`);
 * - `"off"`: none (ordinary arrays).
 *
 * Taking new memory is only worth it for arrays whose end is known. The first write to a
 * page the process has never touched is a page fault: writing a 940 KB result into fresh
 * memory took 3.4-3.8 ms against 1.2-1.5 ms into an ordinary array, copy included (300x100 by
 * 100x784 float32 `np.matmul` in a loop, 1 thread, 2026-12-06). Ordinary arrays are freed by
 * the garbage collector inside a synchronous loop; blocks are freed by the jit executor
 * (intermediates, donated arguments) or by a `FinalizationRegistry`, whose callbacks wait for
 * the event loop, so a synchronous eager loop would take new memory for every result. Hence
 * the policy: eager operations `"reuse"` (the default); the jit executor sets `"grow"` for its
 * intermediates (each is handed back during the call) and for the results of a call that
 * donates (the next call hands them back), and `"off"` for the results of a call that does
 * not.
 */
export type ResidentPolicy = "grow" | "reuse" | "off";

let policy: ResidentPolicy = "reuse";

/** The current {@link ResidentPolicy}. Example: `residentPolicy()` is `"reuse"` outside jit. */
export function residentPolicy(): ResidentPolicy {
  return policy;
}

/**
 * Sets the {@link ResidentPolicy}; returns the previous one (restore it when done).
 * Example: `const saved = setResidentPolicy("grow"); try { run() } finally { setResidentPolicy(saved) }`.
 */
export function setResidentPolicy(next: ResidentPolicy): ResidentPolicy {
  const previous = policy;
  policy = next;
  return previous;
}

/** Byte address of each live resident array's block. */
const owners = new WeakMap<object, number>();

const registry = new FinalizationRegistry<number>((at) => freeBlock(at));

/** A typed array constructor that can view the kernel memory. */
type ViewConstructor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number };

/**
 * A zero-filled array (with `zeroed` false: unspecified elements) of `length` elements over a new block of the kernel memory, or
 * `undefined` when the memory is not shared or the heap is full (the caller then allocates an
 * ordinary array); with `grow` false, also when no freed block fits (see {@link ResidentPolicy}).
 * Example: `allocateResident(Float32Array, 100_000) ?? new Float32Array(100_000)`.
 */
export function allocateResident<T extends { fill(v: number): unknown }>(Ctor: ViewConstructor<T>, length: number, zeroed = true, grow = true): T | undefined {
  const at = allocateBlock(length * Ctor.BYTES_PER_ELEMENT, grow);
  if (at === null) return undefined;
  const array = new Ctor(heapBuffer(), at, length);
  if (zeroed) fillElements(array as never, 0);
  owners.set(array, at);
  registry.register(array, at, array);
  return array;
}

/**
 * Frees the block of a resident array now, if `array` owns one; returns whether it did. The
 * caller guarantees that nothing reads the array (or any view of it) any more. Releasing twice
 * does nothing the second time. With `keep` (the jit executor), the block is kept for
 * allocations that may grow the heap (`"grow"`), so eager operations (`"reuse"`) between two
 * calls do not take it and make the next call take new memory.
 * Example: `releaseResident(tmp)`.
 */
export function releaseResident(array: object, keep = false): boolean {
  const at = owners.get(array);
  if (at === undefined) return false;
  owners.delete(array);
  registry.unregister(array);
  freeBlock(at, keep);
  return true;
}

/**
 * A new array object over the same memory as `array`. A resident block's ownership moves to the
 * new object; after that, `array` is only a view, and its collection frees nothing.
 * Example: `const moved = moveResident(data)`.
 */
export function moveResident<T extends ArrayBufferView>(array: T): T {
  const Ctor = array.constructor as unknown as ViewConstructor<T>;
  const moved = new Ctor(array.buffer, array.byteOffset, (array as unknown as { length: number }).length);
  const at = owners.get(array);
  if (at !== undefined) {
    owners.delete(array);
    registry.unregister(array);
    owners.set(moved, at);
    registry.register(moved, at, moved);
  }
  return moved;
}

/**
 * The byte address in the kernel memory of `array`'s first element, or -1 when it is not in the
 * kernel memory.
 * Example: `residentAddress(t.data) + 4 * t.offset` is where a float32 tensor starts.
 */
export function residentAddress(array: ArrayBufferView): number {
  return isKernelMemoryBuffer(array.buffer) ? array.byteOffset : -1;
}

/**
 * Whether `array` owns a block of the kernel memory (it was allocated resident, or the block
 * moved to it): its whole block, slack included, may then be written by a kernel.
 * Example: `if (ownsResidentBlock(out)) writeInPlace(out)`.
 */
export function ownsResidentBlock(array: object): boolean {
  return owners.has(array);
}
