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
 * `SLAB_BYTES`) alive. Smaller arrays live on V8's heap and larger ones are allocated alone.
 */

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
 * is in the pooled range. Its `buffer` may then be shared with other arrays: code that reads
 * raw bytes must use `byteOffset` and `byteLength` (as every reader in this library does).
 *
 * @example
 * const a = allocateTyped(Float32Array, 500); // a view of 2000 bytes of a 64 KiB slab
 */
export function allocateTyped<T>(Ctor: ViewConstructor<T>, length: number): T {
  const bytes = length * Ctor.BYTES_PER_ELEMENT;
  if (bytes <= IN_HEAP_BYTES || bytes > MAX_POOLED_BYTES) return new Ctor(length);
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
