/**
 * Small typed arrays carved out of shared slabs.
 *
 * In Node 20 (V8 11), a typed array longer than 64 bytes gets its own off-heap backing store:
 * `new Float32Array(500)` costs about 3.5 µs (measured on the 2-core CI machine), while a view
 * onto an existing `ArrayBuffer` costs 0.05 µs. Tensor programs allocate many such arrays (a
 * training step on a small network makes hundreds of 250x2 intermediates), so this dominated
 * small workloads. Arrays from 65 bytes to `MAX_POOLED_BYTES` are therefore bump-allocated
 * from `SLAB_BYTES` slabs, never reused (so they start zeroed, as fresh `ArrayBuffer`s are);
 * a slab is freed by the garbage collector once no view into it is alive. The same trade-off
 * as Node's own `Buffer` pool: a long-lived small array can keep its slab (at most
 * `SLAB_BYTES`) alive. Smaller arrays live on V8's heap. Larger ones are blocks of the shared
 * kernel memory where there is one and its `ResidentPolicy` allows (`resident_storage.ts`), else
 * recycled or allocated alone.
 */

import { allocateResident, releaseResident, residentPolicy } from "./resident_storage.js";

/** Bytes of one slab. */
export const SLAB_BYTES = 64 * 1024;
/** Largest allocation, in bytes, served from a slab (16 or more arrays per slab). */
export const MAX_POOLED_BYTES = 4096;
/** Arrays up to this many bytes are stored on V8's heap, which is already fast. */
const IN_HEAP_BYTES = 64;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** A typed array constructor that can view a slab. */
type ViewConstructor<T> = { new (length: number): T; new (buffer: ArrayBuffer, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number };

/**
 * A zero-filled typed array of `length` elements from `Ctor`, served from a slab when its size
 * is in the pooled range. With `zeroed` false, a large array's elements are unspecified (for a
 * kernel that writes every one of them: zeroing a recycled megabyte is a pass over memory). Its `buffer` may then be shared with other arrays: code that reads
 * raw bytes must use `byteOffset` and `byteLength` (as every reader in this library does).
 * With `resident` false, a large array is never a block of the kernel memory, whatever the
 * `ResidentPolicy` (for a kernel that fills it from JavaScript with `set`, which V8 does several
 * times slower into shared memory).
 *
 * @example
 * const a = allocateTyped(Float32Array, 500); // a view of 2000 bytes of a 64 KiB slab
 */
export function allocateTyped<T>(Ctor: ViewConstructor<T>, length: number, zeroed = true, resident = true): T {
  const bytes = length * Ctor.BYTES_PER_ELEMENT;
  if (bytes > MAX_POOLED_BYTES) {
    const policy = residentPolicy();
    const block = policy === "off" || !resident ? undefined : (allocateResident(Ctor as never, length, zeroed, policy === "grow") as T | undefined);
    return block ?? takeRecycled<T>(Ctor, length, zeroed) ?? new Ctor(length);
  }
  if (bytes <= IN_HEAP_BYTES) return new Ctor(length);
  // Keep every view 8-byte aligned, as Float64Array requires.
  const start = (used + 7) & ~7;
  if (start + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = bytes;
    return new Ctor(slab, 0, length);
  }
  used = start + bytes;
  return new Ctor(slab, start, length);
}

/**
 * Recycled large arrays, by constructor and length. Allocating a large typed array is slow in
 * Node 20 (a fresh zeroed backing store plus external-memory accounting that triggers garbage
 * collections: `new Float32Array(127500)` measured 60–1,000 µs on the 2-core machine, against
 * 9 µs to zero one already held), and a compiled training step makes the same large
 * intermediates on every call. The jit executor hands back the buffers of intermediates whose
 * last reader has run ({@link recycleTyped}); the next allocation of the same type and length
 * takes one of them, zeroed, instead of a new backing store.
 */
const recycled = new Map<unknown, Map<number, ArrayBuffer[]>>();
/** Arrays kept per type and length. */
const MAX_RECYCLED_PER_SIZE = 8;
/** Bytes kept in all. */
const MAX_RECYCLED_BYTES = 64 * 1024 * 1024;
let recycledBytes = 0;

/**
 * Give back a large array that nothing reads any more, so a later {@link allocateTyped} of the
 * same type and length can reuse it. Only arrays that own their whole buffer and are larger
 * than `MAX_POOLED_BYTES` are kept; anything else is left to the garbage collector. The caller
 * guarantees that no view of `array` is alive (the jit executor proves it from the program,
 * and deletes donated arguments). Only the memory is kept: it comes back as a new array object,
 * so marks on `array` (a deleted donated argument's storage) never reach its next user.
 *
 * `keep`: see `releaseResident`.
 *
 * @example
 * const tmp = allocateTyped(Float64Array, 100_000);
 * // ... use tmp, then drop every reference to it ...
 * recycleTyped(tmp);
 */
export function recycleTyped(array: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number; length: number; constructor: unknown }, keep = false): void {
  if (releaseResident(array, keep)) return;
  const bytes = array.byteLength;
  if (bytes <= MAX_POOLED_BYTES || array.byteOffset !== 0 || array.buffer.byteLength !== bytes) return;
  if (!(array.buffer instanceof ArrayBuffer) || recycledBytes + bytes > MAX_RECYCLED_BYTES) return;
  let byLength = recycled.get(array.constructor);
  if (!byLength) recycled.set(array.constructor, (byLength = new Map()));
  let list = byLength.get(array.length);
  if (!list) byLength.set(array.length, (list = []));
  // Kept by memory, not by object: the same buffer handed back twice (through two arrays over
  // it) must not be given out twice.
  if (list.length >= MAX_RECYCLED_PER_SIZE || list.some((b) => b === array.buffer)) return;
  list.push(array.buffer);
  recycledBytes += bytes;
}

/** A new array of this type and length over recycled memory, zeroed, or undefined. */
function takeRecycled<T>(Ctor: ViewConstructor<T>, length: number, zeroed: boolean): T | undefined {
  const list = recycled.get(Ctor)?.get(length);
  if (!list || list.length === 0) return undefined;
  const buffer = list.pop()!;
  recycledBytes -= buffer.byteLength;
  const array = new Ctor(buffer, 0, length);
  if (zeroed) (array as T & { fill(v: number): unknown }).fill(0);
  return array;
}
