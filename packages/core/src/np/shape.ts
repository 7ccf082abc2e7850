import { ShapeError, ValueError } from "../errors.js";
import { sizeOf, type ArrayLike, type Tensor } from "../tensor.js";
import { bind, bind1 } from "../trace.js";
import { convertTo } from "../primitives/convert.js";
import { reshapeP, transposeP } from "../primitives/shape.js";
import { ArgumentTypeError } from "../errors.js";
import { axisAndOptions, checkAxisType, describeArgument, normalizeAxes, normalizeAxis } from "../arguments.js";
import { concatenateP } from "../primitives/concatenate.js";
import { iotaAlong, sortP } from "../primitives/sort.js";
import { asTensor } from "./asarray.js";
import { resultType } from "./broadcast.js";

export { broadcastTo } from "./broadcast.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/** Options of the functions that take one axis (`concatenate`, `stack`, `sort`, `take`, ...). */
export interface AxisOption {
  /** The axis (negative counted from the end); each function says its default and whether `null` flattens. */
  axis?: number | null;
}

/** Options of the functions that take one or several axes (`expandDims`, `squeeze`). */
export interface AxesOption {
  /** The axis or axes (negative counted from the end). */
  axis?: number | readonly number[] | null;
}

/** `shape` checked to be an integer or an array of integers (its values are checked by the caller). */
function shapeArgument(shape: unknown, op: string): number[] {
  if (typeof shape === "number") return [shape];
  if (Array.isArray(shape) && shape.every((d) => typeof d === "number")) return shape.slice() as number[];
  throw new ArgumentTypeError(`${op}: shape must be an integer or an array of integers, got ${describeArgument(shape)}`);
}

/** The operands of a joining function: a JS array of arrays (a tensor is not split into rows). */
function operandList(xs: unknown, op: string): readonly ArrayLike[] {
  if (!Array.isArray(xs)) throw new ArgumentTypeError(`${op}: expected a JS array of arrays, got ${describeArgument(xs)}`);
  return xs as readonly ArrayLike[];
}

/**
 * Reshape in row-major order; one entry may be -1 (inferred). A view on contiguous data.
 *
 * @example
 * np.reshape(np.arange(6), [2, -1]); // shape [2, 3]
 */
export function reshape(x: ArrayLike, shape: number | readonly number[]): Tensor {
  const t = asTensor(x, "reshape");
  const dims = shapeArgument(shape, "reshape");
  const unknown = dims.filter((d) => d === -1).length;
  const bad = () => new ShapeError(`reshape: cannot reshape array of shape ${fmt(t.shape)} (size ${t.size}) into shape ${fmt(dims)}`);
  if (unknown > 1 || dims.some((d) => !Number.isInteger(d) || d < -1)) throw bad();
  if (unknown === 1) {
    const known = sizeOf(dims.filter((d) => d !== -1));
    if (known === 0 || t.size % known !== 0) throw bad();
    dims[dims.indexOf(-1)] = t.size / known;
  }
  if (sizeOf(dims) !== t.size) throw bad();
  if (dims.length === t.ndim && dims.every((d, i) => d === t.shape[i])) return t;
  return bind1(reshapeP, [t], { newShape: dims });
}

/**
 * Permute axes; without `axes` the order is reversed (a matrix transpose). Negative axes
 * allowed.
 *
 * @example
 * np.transpose(np.zeros([2, 3, 4]), [1, 0, 2]); // shape [3, 2, 4]
 */
export function transpose(x: ArrayLike, axes?: readonly number[] | null): Tensor {
  const t = asTensor(x, "transpose");
  checkAxisType("transpose", axes, true, true, "axes");
  if (typeof axes === "number") throw new ArgumentTypeError(`transpose: axes must be an array of integers or null, got ${describeArgument(axes)}`);
  const perm = axes == null ? t.shape.map((_, i) => t.ndim - 1 - i) : axes.map((a) => normalizeAxis("transpose", a, t.ndim, t.shape));
  if (perm.length !== t.ndim || new Set(perm).size !== t.ndim) {
    throw new ShapeError(`transpose: axes ${fmt(axes ?? [])} do not permute the axes of shape ${fmt(t.shape)}`);
  }
  if (perm.every((p, i) => p === i)) return t;
  return bind1(transposeP, [t], { permutation: perm });
}

/**
 * Insert length-1 axes at the given positions of the result (negative counted from its end):
 * `np.expandDims(x, 0)`, `np.expandDims(x, [0, -1])` or `np.expandDims(x, { axis: 0 })`.
 *
 * @example
 * np.expandDims(np.zeros([3]), 0); // shape [1, 3]
 */
export function expandDims(x: ArrayLike, axis: number | readonly number[] | AxesOption): Tensor {
  const opts = axisAndOptions<AxesOption>("expandDims", axis, undefined, ["axis"], true, false);
  if (opts.axis === undefined || opts.axis === null) throw new ArgumentTypeError("expandDims: the axis argument is required");
  const t = asTensor(x, "expandDims");
  const list = typeof opts.axis === "number" ? [opts.axis] : opts.axis;
  const outRank = t.ndim + list.length;
  const at = normalizeAxes("expandDims", list, outRank);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < outRank; i++) shape.push(at.includes(i) ? 1 : t.shape[k++]!);
  return reshape(t, shape);
}

/**
 * Remove length-1 axes (all of them, or those in `axis`, which must have length 1); the axis
 * is positional (`np.squeeze(x, 0)`) or `{ axis }`.
 *
 * @example
 * np.squeeze(np.zeros([1, 3, 1])); // shape [3]
 */
export function squeeze(x: ArrayLike, axis?: number | readonly number[] | null | AxesOption): Tensor {
  const opts = axisAndOptions<AxesOption>("squeeze", axis, undefined, ["axis"], true, true);
  const t = asTensor(x, "squeeze");
  axis = opts.axis;
  const drop = axis == null ? t.shape.flatMap((n, i) => (n === 1 ? [i] : [])) : normalizeAxes("squeeze", axis, t.ndim, t.shape);
  for (const a of drop) {
    if (t.shape[a] !== 1) throw new ShapeError(`squeeze: cannot remove axis ${a} of length ${t.shape[a]} from shape ${fmt(t.shape)}`);
  }
  return reshape(t, t.shape.filter((_, i) => !drop.includes(i)));
}

/**
 * The elements in row-major order as a 1-d tensor.
 *
 * @example
 * np.ravel(np.zeros([2, 3])); // shape [6]
 */
export function ravel(x: ArrayLike): Tensor {
  return reshape(x, [-1]);
}

/**
 * Alias of `ravel` (`x.flatten()` in NumPy).
 *
 * @example
 * np.flatten(np.zeros([2, 3])); // shape [6]
 */
export const flatten = ravel;

/**
 * Move axes to new positions, keeping the others in order.
 *
 * @example
 * np.moveaxis(np.zeros([2, 3, 4]), 0, -1); // shape [3, 4, 2]
 */
export function moveaxis(x: ArrayLike, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  const t = asTensor(x, "moveaxis");
  checkAxisType("moveaxis", source, true, false, "source");
  checkAxisType("moveaxis", destination, true, false, "destination");
  const src = normalizeAxes("moveaxis", source, t.ndim, t.shape, "source");
  const dst = normalizeAxes("moveaxis", destination, t.ndim, t.shape, "destination");
  if (src.length !== dst.length) throw new ValueError(`moveaxis: source ${fmt(src)} and destination ${fmt(dst)} differ in length`);
  const rest = t.shape.map((_, i) => i).filter((i) => !src.includes(i));
  const perm = new Array<number>(t.ndim);
  dst.forEach((d, i) => (perm[d] = src[i]!));
  for (let i = 0, r = 0; i < t.ndim; i++) if (perm[i] === undefined) perm[i] = rest[r++]!;
  return transpose(t, perm);
}

/**
 * Exchange two axes.
 *
 * @example
 * np.swapaxes(np.zeros([2, 3, 4]), 0, 2); // shape [4, 3, 2]
 */
export function swapaxes(x: ArrayLike, axis1: number, axis2: number): Tensor {
  const t = asTensor(x, "swapaxes");
  const a = normalizeAxis("swapaxes", axis1, t.ndim, t.shape, "axis1");
  const b = normalizeAxis("swapaxes", axis2, t.ndim, t.shape, "axis2");
  const perm = t.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return transpose(t, perm);
}

/** Operands converted to their common dtype (JAX promotion). */
function promoted(xs: readonly ArrayLike[], op: string): Tensor[] {
  operandList(xs, op);
  if (xs.length === 0) throw new ValueError(`${op}: needs at least one array`);
  const ts = xs.map((x) => asTensor(x, op));
  const { dtype } = resultType(...ts);
  return ts.map((t) => convertTo(t, dtype));
}

/**
 * Join arrays along an existing axis (default 0; `null` flattens them first), promoting dtypes;
 * the axis is positional or `{ axis }`.
 *
 * @example
 * np.concatenate([np.zeros([2, 1]), np.ones([2, 3])], 1); // shape [2, 4]
 */
export function concatenate(xs: readonly ArrayLike[], axis: number | null | AxisOption = 0): Tensor {
  const opts = axisAndOptions<AxisOption>("concatenate", axis, undefined, ["axis"], false, true);
  axis = opts.axis === undefined ? 0 : opts.axis;
  let ts = promoted(xs, "concatenate");
  if (axis === null) {
    ts = ts.map((t) => ravel(t));
    axis = 0;
  }
  const first = ts[0]!;
  if (first.ndim === 0) throw new ValueError("concatenate: zero-dimensional arrays cannot be concatenated");
  const ax = normalizeAxis("concatenate", axis, first.ndim, first.shape);
  for (const t of ts) {
    if (t.ndim !== first.ndim) {
      throw new ShapeError(`concatenate: all arrays need the same number of dimensions, got shapes ${ts.map((u) => fmt(u.shape)).join(", ")}`);
    }
  }
  if (ts.length === 1) return first;
  return bind1(concatenateP, ts, { axis: ax });
}

/**
 * Join arrays of one shape along a new axis (default 0; positional or `{ axis }`).
 *
 * @example
 * np.stack([np.array([1, 2]), np.array([3, 4])], -1); // [[1, 3], [2, 4]]
 */
export function stack(xs: readonly ArrayLike[], axis: number | AxisOption = 0): Tensor {
  const opts = axisAndOptions<AxisOption>("stack", axis, undefined, ["axis"], false, false);
  const ts = promoted(xs, "stack");
  const shape = ts[0]!.shape;
  for (const t of ts) {
    if (t.ndim !== shape.length || t.shape.some((n, i) => n !== shape[i])) {
      throw new ShapeError(`stack: all arrays need the same shape, got ${ts.map((u) => fmt(u.shape)).join(", ")}`);
    }
  }
  const ax = normalizeAxis("stack", opts.axis ?? 0, shape.length + 1);
  return concatenate(ts.map((t) => expandDims(t, ax)), ax);
}

/**
 * Concatenate along the second axis (the first for 1-d arrays).
 *
 * @example
 * np.hstack([np.array([1, 2]), np.array([3])]); // [1, 2, 3]
 */
export function hstack(xs: readonly ArrayLike[]): Tensor {
  const ts = promoted(xs, "hstack").map((t) => (t.ndim === 0 ? reshape(t, [1]) : t));
  return concatenate(ts, ts[0]!.ndim === 1 ? 0 : 1);
}

/**
 * Concatenate along the first axis, 1-d arrays as rows.
 *
 * @example
 * np.vstack([np.array([1, 2]), np.array([3, 4])]); // [[1, 2], [3, 4]]
 */
export function vstack(xs: readonly ArrayLike[]): Tensor {
  const ts = promoted(xs, "vstack").map((t) => (t.ndim === 0 ? reshape(t, [1, 1]) : t.ndim === 1 ? reshape(t, [1, -1]) : t));
  return concatenate(ts, 0);
}

/** The axis to sort along; `null` sorts the flattened array. */
function sortOperand(x: ArrayLike, axisArg: number | null | AxisOption, op: string): [Tensor, number] {
  const opts = axisAndOptions<AxisOption>(op, axisArg, undefined, ["axis"], false, true);
  const axis = opts.axis === undefined ? -1 : opts.axis;
  const t = asTensor(x, op);
  if (axis === null) return [ravel(t), 0];
  if (t.ndim === 0) throw new ValueError(`${op}: cannot sort a 0-d array along axis ${axis}`);
  return [t, normalizeAxis(op, axis, t.ndim, t.shape)];
}

/**
 * Sorted copy along `axis` (default -1; `null` flattens; positional or `{ axis }`), ascending,
 * NaN last, stable.
 *
 * @example
 * np.sort(np.array([3, 1, 2])); // [1, 2, 3]
 */
export function sort(x: ArrayLike, axis: number | null | AxisOption = -1): Tensor {
  const [t, ax] = sortOperand(x, axis, "sort");
  return bind1(sortP, [t], { dimension: ax, numKeys: 1 });
}

/**
 * The int32 indices that sort `x` along `axis` (default -1; `null` flattens); stable, so equal
 * elements keep their order.
 *
 * @example
 * np.argsort(np.array([3, 1, 2])); // [1, 2, 0]
 */
export function argsort(x: ArrayLike, axis: number | null | AxisOption = -1): Tensor {
  const [t, ax] = sortOperand(x, axis, "argsort");
  return bind(sortP, [t, iotaAlong(t.shape, ax)], { dimension: ax, numKeys: 1 })[1]!;
}
