import { isFloat, type DType } from "../dtype.js";
import { ValueError } from "../errors.js";
import { sizeOf, type ArrayLike, type ReduceOptions, type Tensor } from "../tensor.js";
import type { Primitive } from "../primitive.js";
import { bind1 } from "../trace.js";
import { convertTo } from "../primitives/convert.js";
import { cumsumP } from "../primitives/cumulative.js";
import { argmaxP, argminP, reduceMaxP, reduceMinP, reduceProdP, reduceSumP } from "../primitives/reduce.js";
import { normalizeAxes, normalizeAxis } from "../primitives/shape.js";
import { asTensor } from "./asarray.js";
import { divide } from "./arithmetic.js";
import { reshape } from "./shape.js";

export type { ReduceOptions } from "../tensor.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/** Put back reduced axes as length-1 axes when `keepdims`. */
function keepDims(r: Tensor, shape: readonly number[], axes: readonly number[], keepdims: boolean | undefined): Tensor {
  if (!keepdims) return r;
  return reshape(r, shape.map((n, i) => (axes.includes(i) ? 1 : n)));
}

/** The dtype sums and products accumulate in: bool counts as int32 (as jnp). */
function accumulationType(dtype: DType): DType {
  return dtype === "bool" ? "int32" : dtype;
}

function reduceWith(prim: Primitive, op: string, x: ArrayLike, opts: ReduceOptions, dtypeOf: (d: DType) => DType, needsElements = false): Tensor {
  const t = asTensor(x, op);
  const axes = normalizeAxes(opts.axis, t.ndim, op, t.shape);
  if (needsElements && axes.some((a) => t.shape[a] === 0)) {
    throw new ValueError(`${op}: zero-size reduction over axes ${fmt(axes)} of shape ${fmt(t.shape)} has no identity`);
  }
  const r = bind1(prim, [convertTo(t, dtypeOf(t.dtype), t.weakType)], { axes });
  return keepDims(r, t.shape, axes, opts.keepdims);
}

/**
 * Sum over `axis` (all axes by default; negative axes allowed); bool sums count as int32.
 *
 * @example
 * np.sum(np.array([[1, 2], [3, 4]]), { axis: -1, keepdims: true }); // [[3], [7]]
 */
export function sum(x: ArrayLike, opts: ReduceOptions = {}): Tensor {
  return reduceWith(reduceSumP, "sum", x, opts, accumulationType);
}

/**
 * Product over `axis` (all by default); bool counts as int32.
 *
 * @example
 * np.prod(np.array([[1, 2], [3, 4]]), { axis: 0 }); // [3, 8]
 */
export function prod(x: ArrayLike, opts: ReduceOptions = {}): Tensor {
  return reduceWith(reduceProdP, "prod", x, opts, accumulationType);
}

/**
 * Arithmetic mean over `axis` (all by default); integer and bool inputs give float32. An empty
 * reduction gives NaN.
 *
 * @example
 * np.mean(np.array([[1, 2], [3, 4]]), { axis: 0 }); // float32 [2, 3]
 */
export function mean(x: ArrayLike, opts: ReduceOptions = {}): Tensor {
  const t = asTensor(x, "mean");
  const axes = normalizeAxes(opts.axis, t.ndim, "mean", t.shape);
  const floatType = isFloat(t.dtype) ? t.dtype : "float32";
  const total = sum(convertTo(t, floatType, t.weakType && isFloat(t.dtype)), { axis: axes, keepdims: opts.keepdims });
  return divide(total, sizeOf(axes.map((a) => t.shape[a]!)));
}

/**
 * Maximum over `axis` (all by default); NaN propagates; empty reductions throw.
 *
 * @example
 * np.max(np.array([[1, 5], [3, 4]]), { axis: 1 }); // [5, 4]
 */
export function max(x: ArrayLike, opts: ReduceOptions = {}): Tensor {
  return reduceWith(reduceMaxP, "max", x, opts, (d) => d, true);
}

/**
 * Minimum over `axis` (all by default); NaN propagates; empty reductions throw.
 *
 * @example
 * np.min(np.array([[1, 5], [3, 4]])); // 1
 */
export function min(x: ArrayLike, opts: ReduceOptions = {}): Tensor {
  return reduceWith(reduceMinP, "min", x, opts, (d) => d, true);
}

/** Options of `argmax`/`argmin`: one axis (`null`/absent: the flattened array). */
export interface ArgReduceOptions {
  /** The axis to search along (negative counted from the end). */
  axis?: number | null;
  /** Keep the searched axis as a length-1 axis (default false). */
  keepdims?: boolean;
}

function argReduce(prim: Primitive, op: string, x: ArrayLike, opts: ArgReduceOptions): Tensor {
  const t = asTensor(x, op);
  if (opts.axis === null || opts.axis === undefined) {
    if (t.size === 0) throw new ValueError(`${op}: attempt to get ${op} of an empty sequence (shape ${fmt(t.shape)})`);
    const r = bind1(prim, [reshape(t, [-1])], { axis: 0 });
    return opts.keepdims ? reshape(r, t.shape.map(() => 1)) : r;
  }
  const axis = normalizeAxis(opts.axis, t.ndim, op, t.shape);
  if (t.shape[axis] === 0) throw new ValueError(`${op}: attempt to get ${op} of an empty sequence (axis ${axis} of shape ${fmt(t.shape)})`);
  return keepDims(bind1(prim, [t], { axis }), t.shape, [axis], opts.keepdims);
}

/**
 * int32 index of the (first) largest element along `axis`, or of the flattened array.
 *
 * @example
 * np.argmax(np.array([[0.1, 2.5, 0.3]]), { axis: -1 }); // [1]
 */
export function argmax(x: ArrayLike, opts: ArgReduceOptions = {}): Tensor {
  return argReduce(argmaxP, "argmax", x, opts);
}

/**
 * int32 index of the (first) smallest element along `axis`, or of the flattened array.
 *
 * @example
 * np.argmin(np.array([4, 1, 1, 3])); // 1
 */
export function argmin(x: ArrayLike, opts: ArgReduceOptions = {}): Tensor {
  return argReduce(argminP, "argmin", x, opts);
}

/** Options of `cumsum`. */
export interface CumsumOptions {
  /** The axis to accumulate along; `null`/absent: the flattened array (as NumPy). */
  axis?: number | null;
  /** Accumulate from the end (suffix sums). */
  reverse?: boolean;
}

/**
 * Running sums along an axis (the flattened array without one); bool counts as int32. The
 * second argument is the axis or an options object.
 *
 * @example
 * np.cumsum(np.array([1, 2, 3])); // [1, 3, 6]
 * np.cumsum(np.array([[1, 2], [3, 4]]), { axis: 0, reverse: true }); // [[4, 6], [3, 4]]
 */
export function cumsum(x: ArrayLike, axisOrOptions: number | null | CumsumOptions = {}): Tensor {
  const opts: CumsumOptions = typeof axisOrOptions === "number" || axisOrOptions === null ? { axis: axisOrOptions } : axisOrOptions;
  let t = asTensor(x, "cumsum");
  t = convertTo(t, accumulationType(t.dtype), t.weakType);
  if (opts.axis === null || opts.axis === undefined) t = reshape(t, [-1]);
  const axis = opts.axis == null ? 0 : normalizeAxis(opts.axis, t.ndim, "cumsum", t.shape);
  return bind1(cumsumP, [t], { axis, reverse: opts.reverse ?? false });
}
