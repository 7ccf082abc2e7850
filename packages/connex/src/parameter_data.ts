/**
 * Parameter values as typed arrays: what code that builds or reads parameter records
 * (initialisation, weight layouts, plasticity, persistence) works on before wrapping the
 * result in tensors once, without copies.
 */
import { ConcreteTensor, type DType, type Tensor } from "@connex/core";

/** A typed array of parameter values in the network's dtype. */
export type FloatData = Float32Array | Float64Array;

/**
 * A zero-filled typed array of the dtype's kind.
 *
 * @example
 * floatData("float32", 4); // Float32Array(4)
 */
export function floatData(dtype: DType, length: number): FloatData {
  return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
}

/**
 * The row-major data of a tensor without copying when it is contiguous (the usual case for
 * parameters). The result may be the tensor's own buffer: read it, never write to it.
 *
 * @example
 * readData(net.batchParameters[0].biases)[0]; // the first bias of batch 0
 */
export function readData(t: Tensor): FloatData | Uint8Array {
  return t.concrete().contiguousData() as FloatData | Uint8Array;
}

/**
 * Copy `length` values from `source[sourceStart..]` to `target[targetStart..]` (long runs as
 * one block copy, short ones element by element, which is faster for a few values).
 *
 * @example
 * copyRun(target, 8, source, 0, 4); // target[8..11] = source[0..3]
 */
export function copyRun<T extends FloatData | Uint8Array>(target: T, targetStart: number, source: T, sourceStart: number, length: number): void {
  if (length >= 16) {
    target.set(source.subarray(sourceStart, sourceStart + length), targetStart);
    return;
  }
  for (let i = 0; i < length; i++) target[targetStart + i] = source[sourceStart + i]!;
}

/**
 * A tensor of `shape` over `data`, which it takes over without copying: the caller must have
 * built `data` for it (of the dtype's array type: `Float32Array`, `Float64Array`, or
 * `Uint8Array` for bool) and never write to it again.
 *
 * @example
 * tensorFrom(new Float32Array(6), [2, 3], "float32").shape; // [2, 3]
 */
export function tensorFrom(data: FloatData | Uint8Array, shape: readonly number[], dtype: DType): Tensor {
  return ConcreteTensor.fromData(data, shape, dtype);
}
