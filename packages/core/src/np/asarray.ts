import { castScalar, type DType, dtypeOfTypedArray, type TypedArray, assertDType } from "../dtype.js";
import { allocate } from "../backend/buffers.js";
import { ArgumentTypeError, DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkOptions, describeArgument } from "../arguments.js";
import { ConcreteTensor, Tensor, type ArrayLike as Operand } from "../tensor.js";
import { convertTo } from "../primitives/convert.js";

/** Nested JS arrays of numbers/booleans, a typed array, a number, or a tensor. */
export type ArrayData = number | boolean | Tensor | TypedArray | readonly ArrayData[];

/** Options of `np.array`. */
export interface ArrayOptions {
  /** The dtype of the result (default: inferred from the data). */
  dtype?: DType;
}

function inferShape(data: ArrayData, where: string): number[] {
  const shape: number[] = [];
  let cur: ArrayData = data;
  while (Array.isArray(cur) || ArrayBuffer.isView(cur)) {
    const seq = cur as ArrayLike<ArrayData>;
    shape.push(seq.length);
    if (seq.length === 0) break;
    cur = seq[0]!;
  }
  if (cur instanceof Tensor) shape.push(...cur.shape);
  void where;
  return shape;
}

function fill(data: ArrayData, shape: number[], out: TypedArray, dtype: DType, where: string): void {
  let pos = 0;
  const walk = (d: ArrayData, ax: number): void => {
    if (ax === shape.length) {
      if (typeof d === "number") out[pos++] = castScalar(d, dtype);
      else if (typeof d === "boolean") out[pos++] = d ? 1 : 0;
      else if (d instanceof Tensor && d.ndim === 0) out[pos++] = castScalar(d.item(), dtype);
      else throw new ShapeError(`${where}: ragged nested sequence (expected a scalar at depth ${ax}, shape [${shape.join(", ")}])`);
      return;
    }
    if (d instanceof Tensor) {
      const sub = d.shape;
      if (sub.length !== shape.length - ax || sub.some((n, i) => n !== shape[ax + i])) {
        throw new ShapeError(`${where}: ragged nested sequence (a tensor of shape [${sub.join(", ")}] at depth ${ax}, expected [${shape.slice(ax).join(", ")}])`);
      }
      for (const v of d.toTypedArray()) out[pos++] = castScalar(v, dtype);
      return;
    }
    if (!(Array.isArray(d) || ArrayBuffer.isView(d)) || (d as ArrayLike<ArrayData>).length !== shape[ax]) {
      throw new ShapeError(`${where}: ragged nested sequence (expected length ${shape[ax]} at depth ${ax}, shape [${shape.join(", ")}])`);
    }
    const seq = d as ArrayLike<ArrayData>;
    for (let i = 0; i < seq.length; i++) walk(seq[i]!, ax + 1);
  };
  walk(data, 0);
}

function inferDType(data: ArrayData): DType {
  if (data instanceof Tensor) return data.dtype;
  if (ArrayBuffer.isView(data)) return dtypeOfTypedArray(data as TypedArray);
  let allBool = true;
  let allInt = true;
  let sawAny = false;
  const walk = (d: ArrayData): void => {
    if (typeof d === "number") {
      sawAny = true;
      allBool = false;
      if (!Number.isInteger(d) || Math.abs(d) > 2147483647) allInt = false;
    } else if (typeof d === "boolean") {
      sawAny = true;
    } else if (d instanceof Tensor) {
      sawAny = true;
      if (d.dtype !== "bool") allBool = false;
      if (d.dtype === "float32" || d.dtype === "float64") allInt = false;
    } else if (ArrayBuffer.isView(d)) {
      sawAny = true;
      allBool = false;
      const dt = dtypeOfTypedArray(d as TypedArray);
      if (dt === "float32" || dt === "float64") allInt = false;
    } else {
      for (const x of d as readonly ArrayData[]) walk(x);
    }
  };
  walk(data);
  if (!sawAny) return "float32";
  if (allBool) return "bool";
  return allInt ? "int32" : "float32";
}

/**
 * Make a concrete tensor from nested arrays, numbers, booleans or typed arrays. Like
 * `jnp.array`: integers give int32, other numbers float32, booleans bool, unless `dtype` says.
 * The data is always copied (a concrete tensor too, as `jnp.array` does: `np.asTensor` does not
 * copy). The dtype may also be given positionally: `np.array([1, 2], "float64")`.
 *
 * @example
 * np.array([[1, 2], [3, 4]]);              // int32, shape [2, 2]
 * np.array([0.5, 1], { dtype: "float64" }); // float64 [0.5, 1]
 */
export function array(data: ArrayData, options: ArrayOptions | DType = {}): Tensor {
  options = typeof options === "string" ? { dtype: options } : checkOptions("np.array", options, ["dtype"]);
  if (typeof data !== "number" && typeof data !== "boolean" && !(data instanceof Tensor) && !Array.isArray(data) && !ArrayBuffer.isView(data)) {
    throw new ArgumentTypeError(`np.array: cannot make an array from ${describeArgument(data)}`);
  }
  const dtype = options.dtype !== undefined ? assertDType(options.dtype, "np.array") : inferDType(data);
  if (data instanceof Tensor && data.ndim >= 0 && !(Array.isArray(data))) {
    const converted = convertTo(data, dtype, false);
    // A copy, as jnp.array: a tensor of its own, which can be donated while the source lives on.
    if (converted === data && data instanceof ConcreteTensor) return ConcreteTensor.fromData(data.copyData(), data.shape, dtype);
    return converted;
  }
  if (typeof data !== "number" && typeof data !== "boolean" && !Array.isArray(data) && !ArrayBuffer.isView(data)) {
    throw new DTypeError(`np.array: cannot make an array from ${Object.prototype.toString.call(data)}`);
  }
  const shape = inferShape(data, "np.array");
  let size = 1;
  for (const n of shape) size *= n;
  const out = allocate(dtype, size);
  fill(data, shape, out, dtype, "np.array");
  return ConcreteTensor.fromData(out, shape, dtype);
}

/**
 * The operand form of a value: tensors pass through, JS numbers become weakly typed scalars
 * (int32 for integers, float32 otherwise), booleans become bool scalars, nested arrays go
 * through `array`. `where` names the caller in the error for anything else.
 *
 * @example
 * np.asTensor(2.5).weakType; // true (a weakly typed float32 scalar)
 */
export function asTensor(x: Operand | readonly ArrayData[], where = "np"): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === "number") {
    if (Number.isInteger(x) && Math.abs(x) <= 2147483647) return ConcreteTensor.scalar(x, "int32", true);
    // A weak float keeps its exact JS value (in a float64 cell) so that it takes full precision
    // when it meets a float64 operand; meeting float32, it is rounded by the conversion.
    return ConcreteTensor.fromData(Float64Array.of(x), [], "float32", true);
  }
  if (typeof x === "boolean") return ConcreteTensor.scalar(x ? 1 : 0, "bool", false);
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return array(x as ArrayData);
  throw new ArgumentTypeError(`${where}: expected a tensor, number or boolean, got ${describeArgument(x)}`);
}

/**
 * Cast to `dtype` (`x.astype(dtype)`); float -> int truncates toward zero.
 *
 * @example
 * np.astype(np.array([1.7, -1.7]), "int32"); // [1, -1]
 */
export function astype(x: Operand, dtype: DType): Tensor {
  return convertTo(asTensor(x, "astype"), assertDType(dtype, "astype"), false);
}
