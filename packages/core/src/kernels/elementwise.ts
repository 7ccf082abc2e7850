import { allocate, type DType, type TypedArray, typedArrayFor } from "../dtype.js";
import { ConcreteTensor } from "../tensor.js";

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

/**
 * Apply `f` to every element of `x`, writing a new contiguous tensor of `outDtype` (the store
 * rounds to float32 or wraps integers).
 * @example unaryKernel(x, "float32", Math.exp, false)
 */
export function unaryKernel(x: ConcreteTensor, outDtype: DType, f: (a: number) => number, weakType: boolean): ConcreteTensor {
  const a = elementValues(x);
  const out = allocate(outDtype, a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!);
  return ConcreteTensor.fromData(out, x.shape, outDtype, weakType);
}

/**
 * Apply `f` to corresponding elements of two tensors of equal shape (either may be a
 * non-contiguous or broadcast view).
 * @example binaryKernel(x, y, "float32", (a, b) => a * b, false)
 */
export function binaryKernel(
  x: ConcreteTensor,
  y: ConcreteTensor,
  outDtype: DType,
  f: (a: number, b: number) => number,
  weakType: boolean,
): ConcreteTensor {
  const a = elementValues(x);
  const b = elementValues(y);
  const out = allocate(outDtype, a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, b[i]!);
  return ConcreteTensor.fromData(out, x.shape, outDtype, weakType);
}

/**
 * Apply `f` to corresponding elements of three tensors of equal shape.
 * @example ternaryKernel(pred, x, y, "float32", (p, a, b) => (p ? a : b), false)
 */
export function ternaryKernel(
  x: ConcreteTensor,
  y: ConcreteTensor,
  z: ConcreteTensor,
  outDtype: DType,
  f: (a: number, b: number, c: number) => number,
  weakType: boolean,
): ConcreteTensor {
  const a = elementValues(x);
  const b = elementValues(y);
  const c = elementValues(z);
  const out = allocate(outDtype, a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, b[i]!, c[i]!);
  return ConcreteTensor.fromData(out, x.shape, outDtype, weakType);
}
