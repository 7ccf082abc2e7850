import { assertDType, isFloat, type DType } from "../dtype.js";
import { ArgumentTypeError, ShapeError, ValueError } from "../errors.js";
import { sizeOf, type ArrayLike, type ReduceOptions, type Tensor } from "../tensor.js";
import type { Primitive } from "../primitive.js";
import { bind1 } from "../trace.js";
import { axisAndOptions, describeArgument, normalizeAxes, normalizeAxis, type AxisArgument } from "../arguments.js";
import { convertTo } from "../primitives/convert.js";
import { cumsumP } from "../primitives/cumulative.js";
import { argmaxP, argminP, reduceMaxP, reduceMinP, reduceProdP, reduceSumP } from "../primitives/reduce.js";
import { asTensor } from "./asarray.js";
import { divide, maximum, minimum, where as select } from "./arithmetic.js";
import { broadcastTo } from "./broadcast.js";
import { full, onesLike } from "./creation.js";
import { reshape } from "./shape.js";

export type { ReduceOptions } from "../tensor.js";
export type { AxisArgument } from "../arguments.js";

/** Options of `sum`, `prod` and `mean`: the reduction options plus a dtype and a mask. */
export interface SumOptions extends ReduceOptions {
  /** The dtype to accumulate in and return (default: the input's; bool counts as int32; `mean`: float32 for integers). */
  dtype?: DType;
  /** Only elements where this mask (broadcast against `x`) is true take part, as NumPy's `where=`. */
  where?: ArrayLike;
}

/** Options of `argmax` and `argmin` given after a positional axis. */
export type KeepdimsOptions = Pick<ReduceOptions, "keepdims">;

/** Options of `max` and `min`: the reduction options plus NumPy's `initial` and `where`. */
export interface ExtremumOptions extends ReduceOptions {
  /** A value the result is also compared with (it is the result of an empty reduction). */
  initial?: number;
  /** Only elements where this mask is true take part; needs `initial` (as NumPy: max has no identity). */
  where?: ArrayLike;
}

const REDUCE_OPTIONS = ["axis", "keepdims"];
const EXTREMUM_OPTIONS = ["axis", "keepdims", "initial", "where"];
const SUM_OPTIONS = ["axis", "keepdims", "dtype", "where"];

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

/** `x` with the elements outside the `where` mask replaced by `fill` (the reduction's identity). */
function masked(t: Tensor, mask: ArrayLike | undefined, fill: number, op: string): Tensor {
  if (mask === undefined) return t;
  const m = asTensor(mask, op);
  if (m.ndim > t.ndim || m.shape.some((n, i) => n !== 1 && n !== t.shape[t.ndim - m.ndim + i])) {
    throw new ShapeError(`${op}: the where mask of shape ${fmt(m.shape)} does not broadcast to the operand's shape ${fmt(t.shape)}`);
  }
  return select(broadcastTo(m, t.shape, op), t, fill);
}

function reduceWith(prim: Primitive, op: string, x: ArrayLike, opts: SumOptions, dtypeOf: (d: DType) => DType, needsElements = false): Tensor {
  const t = asTensor(x, op);
  const axes = normalizeAxes(op, opts.axis, t.ndim, t.shape);
  const dtype = opts.dtype === undefined ? dtypeOf(t.dtype) : assertDType(opts.dtype, op);
  if (needsElements && axes.some((a) => t.shape[a] === 0)) {
    throw new ValueError(`${op}: zero-size reduction over axes ${fmt(axes)} of shape ${fmt(t.shape)} has no identity`);
  }
  const operand = masked(convertTo(t, dtype, t.weakType && opts.dtype === undefined), opts.where, prim === reduceProdP ? 1 : 0, op);
  const r = bind1(prim, [operand], { axes });
  return keepDims(r, t.shape, axes, opts.keepdims);
}

/**
 * Sum over `axis` (all axes by default; negative axes allowed); bool sums count as int32. The
 * axis comes second, as in NumPy and JAX (`np.sum(x, 1)`, `np.sum(x, [0, 2])`), followed by the
 * keyword options; `np.sum(x, { axis, keepdims, dtype, where })` is the same call.
 *
 * @example
 * np.sum(np.array([[1, 2], [3, 4]]), -1, { keepdims: true }); // [[3], [7]]
 * np.sum(np.array([[1, 2], [3, 4]]), { axis: 0 }); // [4, 6]
 */
export function sum(x: ArrayLike, axis?: AxisArgument, options?: Omit<SumOptions, "axis">): Tensor;
export function sum(x: ArrayLike, options: SumOptions): Tensor;
export function sum(x: ArrayLike, axisOrOptions?: AxisArgument | SumOptions, options?: Omit<SumOptions, "axis">): Tensor {
  const opts = axisAndOptions<SumOptions>("sum", axisOrOptions, options, SUM_OPTIONS, true, true);
  return reduceWith(reduceSumP, "sum", x, opts, accumulationType);
}

/**
 * Product over `axis` (all by default); bool counts as int32. Called as {@link sum}.
 *
 * @example
 * np.prod(np.array([[1, 2], [3, 4]]), 0); // [3, 8]
 */
export function prod(x: ArrayLike, axis?: AxisArgument, options?: Omit<SumOptions, "axis">): Tensor;
export function prod(x: ArrayLike, options: SumOptions): Tensor;
export function prod(x: ArrayLike, axisOrOptions?: AxisArgument | SumOptions, options?: Omit<SumOptions, "axis">): Tensor {
  const opts = axisAndOptions<SumOptions>("prod", axisOrOptions, options, SUM_OPTIONS, true, true);
  return reduceWith(reduceProdP, "prod", x, opts, accumulationType);
}

/**
 * Arithmetic mean over `axis` (all by default); integer and bool inputs give float32 (or
 * `dtype`). With a `where` mask, the mean of the selected elements. An empty reduction gives
 * NaN. Called as {@link sum}.
 *
 * @example
 * np.mean(np.array([[1, 2], [3, 4]]), 0); // float32 [2, 3]
 * np.mean(np.ones([2, 3, 4]), [0, 2]); // shape [3]
 */
export function mean(x: ArrayLike, axis?: AxisArgument, options?: Omit<SumOptions, "axis">): Tensor;
export function mean(x: ArrayLike, options: SumOptions): Tensor;
export function mean(x: ArrayLike, axisOrOptions?: AxisArgument | SumOptions, options?: Omit<SumOptions, "axis">): Tensor {
  const opts = axisAndOptions<SumOptions>("mean", axisOrOptions, options, SUM_OPTIONS, true, true);
  const t = asTensor(x, "mean");
  const axes = normalizeAxes("mean", opts.axis, t.ndim, t.shape);
  const floatType = opts.dtype !== undefined ? assertDType(opts.dtype, "mean") : isFloat(t.dtype) ? t.dtype : "float32";
  const operand = convertTo(t, floatType, t.weakType && isFloat(t.dtype) && opts.dtype === undefined);
  const total = reduceWith(reduceSumP, "mean", operand, { axis: axes, keepdims: opts.keepdims, where: opts.where }, (d) => d);
  if (opts.where === undefined) return divide(total, sizeOf(axes.map((a) => t.shape[a]!)));
  // The mean of the selected elements: their sum over their count (NaN where none is selected).
  const count = reduceWith(reduceSumP, "mean", onesLike(operand), { axis: axes, keepdims: opts.keepdims, where: opts.where }, (d) => d);
  return divide(total, count);
}

/**
 * Maximum over `axis` (all by default); NaN propagates; empty reductions throw unless
 * `initial` is given. Called as {@link sum}, with the keyword options `keepdims`, `initial`
 * and `where` (which needs `initial`, as NumPy).
 *
 * @example
 * np.max(np.array([[1, 5], [3, 4]]), 1); // [5, 4]
 * np.max(np.array([[1, 5], [3, 4]]), -1, { keepdims: true }); // [[5], [4]]
 */
export function max(x: ArrayLike, axis?: AxisArgument, options?: Omit<ExtremumOptions, "axis">): Tensor;
export function max(x: ArrayLike, options: ExtremumOptions): Tensor;
export function max(x: ArrayLike, axisOrOptions?: AxisArgument | ExtremumOptions, options?: Omit<ExtremumOptions, "axis">): Tensor {
  const opts = axisAndOptions<ExtremumOptions>("max", axisOrOptions, options, EXTREMUM_OPTIONS, true, true);
  return extremum(reduceMaxP, "max", maximum, x, opts);
}

/**
 * Minimum over `axis` (all by default); NaN propagates; empty reductions throw. Called as
 * {@link max}.
 *
 * @example
 * np.min(np.array([[1, 5], [3, 4]])); // 1
 * np.min(np.array([[1, 5], [3, 4]]), 0); // [1, 4]
 */
export function min(x: ArrayLike, axis?: AxisArgument, options?: Omit<ExtremumOptions, "axis">): Tensor;
export function min(x: ArrayLike, options: ExtremumOptions): Tensor;
export function min(x: ArrayLike, axisOrOptions?: AxisArgument | ExtremumOptions, options?: Omit<ExtremumOptions, "axis">): Tensor {
  const opts = axisAndOptions<ExtremumOptions>("min", axisOrOptions, options, EXTREMUM_OPTIONS, true, true);
  return extremum(reduceMinP, "min", minimum, x, opts);
}

/** `max`/`min` with NumPy's `initial` (compared with the result) and `where` (needs `initial`). */
function extremum(prim: Primitive, op: string, combine: (a: ArrayLike, b: ArrayLike) => Tensor, x: ArrayLike, opts: ExtremumOptions): Tensor {
  const { initial } = opts;
  if (initial === undefined) {
    if (opts.where !== undefined) throw new ValueError(`${op}: reduction ${op} has no identity; pass initial to use a where mask (as NumPy)`);
    return reduceWith(prim, op, x, opts, (d) => d, true);
  }
  if (typeof initial !== "number") throw new ArgumentTypeError(`${op}: initial must be a number, got ${describeArgument(initial)}`);
  const t = asTensor(x, op);
  const axes = normalizeAxes(op, opts.axis, t.ndim, t.shape);
  const outShape = t.shape.flatMap((n, i) => (axes.includes(i) ? (opts.keepdims ? [1] : []) : [n]));
  if (axes.some((a) => t.shape[a] === 0)) return full(outShape, initial, t.dtype);
  // Masked-out elements take the value `initial`, which the result is compared with anyway.
  const operand = opts.where === undefined ? t : select(broadcastTo(asTensor(opts.where, op), t.shape, op), t, initial);
  const r = reduceWith(prim, op, operand, { axis: axes, keepdims: opts.keepdims }, (d) => d, true);
  return convertTo(combine(r, initial), t.dtype, t.weakType);
}

/** Options of `argmax`/`argmin`: one axis (`null`/absent: the flattened array). */
export interface ArgReduceOptions {
  /** The axis to search along (negative counted from the end). */
  axis?: number | null;
  /** Keep the searched axis as a length-1 axis (default false). */
  keepdims?: boolean;
}

function argReduce(prim: Primitive, op: string, x: ArrayLike, second: unknown, third: unknown): Tensor {
  const opts = axisAndOptions<ArgReduceOptions>(op, second, third, REDUCE_OPTIONS, false, true);
  const t = asTensor(x, op);
  if (opts.axis === null || opts.axis === undefined) {
    if (t.size === 0) throw new ValueError(`${op}: attempt to get ${op} of an empty sequence (shape ${fmt(t.shape)})`);
    const r = bind1(prim, [reshape(t, [-1])], { axis: 0 });
    return opts.keepdims ? reshape(r, t.shape.map(() => 1)) : r;
  }
  const axis = normalizeAxis(op, opts.axis, t.ndim, t.shape);
  if (t.shape[axis] === 0) throw new ValueError(`${op}: attempt to get ${op} of an empty sequence (axis ${axis} of shape ${fmt(t.shape)})`);
  return keepDims(bind1(prim, [t], { axis }), t.shape, [axis], opts.keepdims);
}

/**
 * int32 index of the (first) largest element along `axis`, or of the flattened array. The
 * axis comes second (`np.argmax(x, 1)`), or `{ axis, keepdims }`.
 *
 * @example
 * np.argmax(np.array([[0.1, 2.5, 0.3]]), -1); // [1]
 */
export function argmax(x: ArrayLike, axis?: number | null, options?: KeepdimsOptions): Tensor;
export function argmax(x: ArrayLike, options: ArgReduceOptions): Tensor;
export function argmax(x: ArrayLike, axisOrOptions?: number | null | ArgReduceOptions, options?: KeepdimsOptions): Tensor {
  return argReduce(argmaxP, "argmax", x, axisOrOptions, options);
}

/**
 * int32 index of the (first) smallest element along `axis`, or of the flattened array. Called
 * as {@link argmax}.
 *
 * @example
 * np.argmin(np.array([4, 1, 1, 3])); // 1
 */
export function argmin(x: ArrayLike, axis?: number | null, options?: KeepdimsOptions): Tensor;
export function argmin(x: ArrayLike, options: ArgReduceOptions): Tensor;
export function argmin(x: ArrayLike, axisOrOptions?: number | null | ArgReduceOptions, options?: KeepdimsOptions): Tensor {
  return argReduce(argminP, "argmin", x, axisOrOptions, options);
}

/** Options of `cumsum`. */
export interface CumsumOptions {
  /** The axis to accumulate along; `null`/absent: the flattened array (as NumPy). */
  axis?: number | null;
  /** Accumulate from the end (suffix sums). */
  reverse?: boolean;
  /** The dtype to accumulate in and return (default: the input's; bool counts as int32). */
  dtype?: DType;
}

/**
 * Running sums along an axis (the flattened array without one); bool counts as int32. The
 * axis comes second (`np.cumsum(x, 0)`), followed by `{ reverse, dtype }`; or
 * `np.cumsum(x, { axis, reverse, dtype })`.
 *
 * @example
 * np.cumsum(np.array([1, 2, 3])); // [1, 3, 6]
 * np.cumsum(np.array([[1, 2], [3, 4]]), 0, { reverse: true }); // [[4, 6], [3, 4]]
 */
export function cumsum(x: ArrayLike, axis?: number | null, options?: Omit<CumsumOptions, "axis">): Tensor;
export function cumsum(x: ArrayLike, options: CumsumOptions): Tensor;
export function cumsum(x: ArrayLike, axisOrOptions?: number | null | CumsumOptions, options?: Omit<CumsumOptions, "axis">): Tensor {
  const opts = axisAndOptions<CumsumOptions>("cumsum", axisOrOptions, options, ["axis", "reverse", "dtype"], false, true);
  let t = asTensor(x, "cumsum");
  t = convertTo(t, opts.dtype === undefined ? accumulationType(t.dtype) : assertDType(opts.dtype, "cumsum"), t.weakType && opts.dtype === undefined);
  if (opts.axis === null || opts.axis === undefined) t = reshape(t, [-1]);
  const axis = opts.axis == null ? 0 : normalizeAxis("cumsum", opts.axis, t.ndim, t.shape);
  return bind1(cumsumP, [t], { axis, reverse: opts.reverse ?? false });
}
