/**
 * Typed buffers by dtype: the constructor storing each dtype, and the allocator every kernel
 * and tensor constructor goes through (small arrays from slabs, large ones recycled by jit's
 * executor). Backend internals: not exported from the package.
 */
import type { DType, TypedArray } from "../dtype.js";
import { allocateTyped, recycleTyped } from "./slab_allocator.js";

/**
 * The typed array constructor that stores a dtype (bool is stored as 0/1 bytes).
 *
 * @example
 * typedArrayFor("bool"); // Uint8Array
 */
export function typedArrayFor(dtype: DType): { new (n: number): TypedArray; new (data: ArrayLike<number>): TypedArray } {
  switch (dtype) {
    case "float32":
      return Float32Array;
    case "float64":
      return Float64Array;
    case "int32":
      return Int32Array;
    case "uint32":
      return Uint32Array;
    case "bool":
      return Uint8Array;
  }
}

/**
 * A zero-filled typed array of `size` elements for `dtype`. Small arrays are views into shared
 * slabs (see `slab_allocator.ts`): read raw bytes through `byteOffset`/`byteLength`.
 *
 * @example
 * allocate("float64", 3); // Float64Array [0, 0, 0]
 */
export function allocate(dtype: DType, size: number): TypedArray {
  return allocateTyped(typedArrayFor(dtype) as never, size) as TypedArray;
}

/**
 * Like {@link allocate}, but a large array's elements are unspecified: for kernels that write
 * every element of their output.
 *
 * @example
 * const out = allocateUninitialized("float32", n); // then out[i] = ... for every i
 */
export function allocateUninitialized(dtype: DType, size: number): TypedArray {
  return allocateTyped(typedArrayFor(dtype) as never, size, false) as TypedArray;
}

/**
 * Hand back an array from {@link allocate} that nothing reads any more, so that a later
 * `allocate` of the same dtype and size reuses its memory (zeroed) instead of a new backing
 * store; large arrays only, others are left to the garbage collector. The caller guarantees
 * that no tensor or view over `data` is still in use: jit's executor calls it for intermediates
 * after their last reader, as proven from the traced program, with `keep` (see
 * `releaseResident`).
 *
 * @example
 * const tmp = allocate("float64", 100_000);
 * // ... fill and read tmp, keep no reference to it ...
 * recycle(tmp);
 */
export function recycle(data: TypedArray, keep = false): void {
  recycleTyped(data, keep);
}
