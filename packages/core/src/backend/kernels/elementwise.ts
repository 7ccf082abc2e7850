import { type TypedArray } from "../../dtype.js";
import { allocate, typedArrayFor } from "../buffers.js";
import { ConcreteTensor } from "../../tensor.js";

/**
 * The row-major values of `x` in its dtype's own typed array. Weakly typed float32 scalars keep
 * their exact value in a float64 cell; reading them here rounds them to float32 first, so a
 * float32 kernel sees float32 operands. Contiguous storage is returned as is (read-only).
 * @example elementValues(np.array([1, 2])) // Int32Array [1, 2]
 */
export function elementValues(x: ConcreteTensor): TypedArray {
  const data = x.contiguousData();
  const Ctor = typedArrayFor(x.dtype);
  if (data instanceof Ctor) return data;
  const out = allocate(x.dtype, data.length);
  out.set(data);
  return out;
}
