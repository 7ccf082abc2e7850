import { isInteger } from "../dtype.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../errors.js";
import { ConcreteTensor, Tensor, sizeOf, type ArrayLike } from "../tensor.js";
import { bind1 } from "../trace.js";
import { convertTo } from "../primitives/convert.js";
import { gatherP, scatterAddP, scatterP, takeShape } from "../primitives/gather.js";
import { axisAndOptions, normalizeAxis } from "../arguments.js";
import { sliceP } from "../primitives/slicing.js";
import { array, asTensor } from "./asarray.js";
import { add, maximum, minimum, multiply, where } from "./arithmetic.js";
import { less } from "./comparison.js";
import { broadcastShapes, broadcastTo } from "./broadcast.js";
import { reshape, type AxisOption } from "./shape.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/** Indices: a number, nested JS arrays of integers, or an integer tensor. */
export type IndexLike = number | readonly IndexLike[] | Tensor;

/**
 * Indices into an axis of length `n` as an int32 tensor with negative entries counted from the
 * end. Concrete indices are checked (IndexError naming the index and `n`); traced ones are
 * wrapped with `where(i < 0, i + n, i)` and left to the primitives' clamping.
 */
function axisIndices(indices: IndexLike | boolean, n: number, op: string): Tensor {
  const t = indices instanceof Tensor ? indices : array(indices as number);
  if (!isInteger(t.dtype) && !(t.size === 0 && t.dtype === "float32" && !(indices instanceof Tensor))) {
    throw new DTypeError(`${op}: indices must be integers, got dtype ${t.dtype} (shape ${fmt(t.shape)})`);
  }
  if (t instanceof ConcreteTensor) {
    const values = t.contiguousData();
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < -n || v >= n) throw new IndexError(`${op}: index ${v} is out of bounds for an axis of size ${n}`);
      out[i] = v < 0 ? v + n : v;
    }
    return ConcreteTensor.fromData(out, t.shape, "int32");
  }
  const i32 = convertTo(t, "int32");
  return t.dtype === "uint32" ? i32 : where(less(i32, 0), add(i32, n), i32);
}

/**
 * Elements (or slices) at `indices` along `axis`, as `np.take`: the result has shape
 * `x.shape[:axis] + indices.shape + x.shape[axis+1:]`. Without `axis` (or with `null`), `x` is
 * flattened first. The axis is positional (`np.take(x, i, 0)`) or `{ axis }`.
 * Negative indices count from the end; out-of-range concrete indices raise `IndexError` (traced
 * ones are clamped).
 *
 * @example
 * np.take(np.array([[1, 2], [3, 4], [5, 6]]), np.array([2, 0]), 0); // [[5, 6], [1, 2]]
 */
export function take(x: ArrayLike, indices: IndexLike | boolean, axis?: number | null | AxisOption): Tensor {
  const opts = axisAndOptions<AxisOption>("take", axis, undefined, ["axis"], false, true);
  axis = opts.axis ?? undefined;
  let t = asTensor(x, "take");
  if (axis === undefined) t = reshape(t, [-1]);
  if (t.ndim === 0) throw new ShapeError("take: cannot index a 0-d array");
  const ax = axis === undefined ? 0 : normalizeAxis("take", axis, t.ndim, t.shape);
  return bind1(gatherP, [t, axisIndices(indices, t.shape[ax]!, "take")], { axis: ax });
}

/** One axis's part of a `slice` call: a number, or `null` for the default. */
export type SliceBound = number | null;

/** Python's `slice.indices(n)`: resolved start, stop, step and the number of elements. */
function resolveSlice(n: number, start: SliceBound, stop: SliceBound, step: SliceBound, op: string): [number, number, number, number] {
  const s = step ?? 1;
  if (!Number.isInteger(s) || s === 0) throw new ValueError(`${op}: slice step must be a non-zero integer, got ${s}`);
  for (const b of [start, stop]) if (b !== null && !Number.isInteger(b)) throw new ValueError(`${op}: slice bounds must be integers, got ${b}`);
  const clampBound = (b: number, lo: number, hi: number) => Math.min(Math.max(b < 0 ? b + n : b, lo), hi);
  let a: number;
  let z: number;
  if (s > 0) {
    a = start === null ? 0 : clampBound(start, 0, n);
    z = stop === null ? n : clampBound(stop, 0, n);
  } else {
    a = start === null ? n - 1 : clampBound(start, -1, n - 1);
    z = stop === null ? -1 : clampBound(stop, -1, n - 1);
  }
  const count = s > 0 ? Math.max(0, Math.ceil((z - a) / s)) : Math.max(0, Math.ceil((a - z) / -s));
  return [a, z, s, count];
}

/**
 * Basic slicing `x[start:stop:step, ...]` with Python semantics (negative bounds count from the
 * end, out-of-range bounds are clipped, negative steps reverse). Each of `start`, `stop`,
 * `step` is either one value for axis 0 or an array with one value per leading axis (`null` =
 * the default; missing trailing axes are kept whole). Positive steps give views; negative steps
 * gather.
 *
 * @example
 * const x = np.reshape(np.arange(12), [3, 4]);
 * np.slice(x, [1, null], [null, -1], [1, 2]); // x[1:, :-1:2] = [[4, 6], [8, 10]]
 */
export function slice(
  x: ArrayLike,
  start: SliceBound | readonly SliceBound[],
  stop: SliceBound | readonly SliceBound[],
  step: SliceBound | readonly SliceBound[] = null,
): Tensor {
  let t = asTensor(x, "slice");
  const list = (v: SliceBound | readonly SliceBound[]) => (Array.isArray(v) ? (v as readonly SliceBound[]) : [v as SliceBound]);
  const starts = list(start);
  const stops = list(stop);
  const steps = list(step);
  const k = Math.max(starts.length, stops.length, Array.isArray(step) ? steps.length : 0);
  if (k > t.ndim) throw new IndexError(`slice: ${k} axes sliced but the array has shape ${fmt(t.shape)}`);
  const lo: number[] = [];
  const hi: number[] = [];
  const strides: number[] = [];
  const reversed: [number, number, number, number][] = [];
  t.shape.forEach((n, d) => {
    if (d >= k) {
      lo.push(0);
      hi.push(n);
      strides.push(1);
      return;
    }
    const [a, , s, count] = resolveSlice(n, starts[d] ?? null, stops[d] ?? null, steps[d] ?? null, "slice");
    if (s > 0) {
      lo.push(count === 0 ? 0 : a);
      hi.push(count === 0 ? 0 : a + (count - 1) * s + 1);
      strides.push(s);
    } else {
      lo.push(0);
      hi.push(n);
      strides.push(1);
      reversed.push([d, a, s, count]);
    }
  });
  t = bind1(sliceP, [t], { start: lo, limit: hi, strides });
  for (const [d, a, s, count] of reversed) {
    const picks = new Int32Array(count);
    for (let i = 0; i < count; i++) picks[i] = a + i * s;
    t = bind1(gatherP, [t, ConcreteTensor.fromData(picks, [count], "int32")], { axis: d });
  }
  return t;
}

/**
 * An `at` index: a number or an integer tensor selects along the first axis; a JS array is a
 * tuple with one entry (number, integer array or tensor) per leading axis, like `x.at[i, j]`
 * in JAX. To select several rows with a JS list, pass a tensor: `at(x, np.array([0, 2]))` or
 * wrap it in a tuple: `at(x, [[0, 2]])`.
 */
export type AtIndex = number | Tensor | readonly IndexLike[];

/** JAX-style functional updates of `x` at an index. Every method returns a new tensor. */
export interface AtUpdater {
  /** The selected elements (`x[index]`). */
  get(): Tensor;
  /** A copy of `x` with the selected elements replaced by `v` (broadcast, cast to `x`'s dtype). */
  set(v: ArrayLike): Tensor;
  /** A copy of `x` with `v` added to the selected elements; repeated indices accumulate. */
  add(v: ArrayLike): Tensor;
  /** A copy of `x` with the selected elements multiplied by `v` (repeated indices not supported). */
  multiply(v: ArrayLike): Tensor;
}

/**
 * Lower an `at` index to one take along axis 0 of `x` reshaped to `[n0 * ... * n(k-1), ...rest]`:
 * the per-axis indices (broadcast together, as NumPy advanced indexing) combine into a flat
 * row index.
 */
function flatIndex(x: Tensor, index: AtIndex, op: string): { rows: Tensor; idx: Tensor; outShape: number[] } {
  const parts: IndexLike[] = Array.isArray(index) ? (index as IndexLike[]) : [index as number | Tensor];
  if (parts.length === 0) throw new IndexError(`${op}: empty index tuple`);
  if (parts.length > x.ndim) throw new IndexError(`${op}: too many indices (${parts.length}) for an array of shape ${fmt(x.shape)}`);
  const k = parts.length;
  const lead = x.shape.slice(0, k);
  const perAxis = parts.map((p, d) => {
    const i = axisIndices(p, lead[d]!, op);
    // Traced indices are clamped per axis so a flat index never spills into a neighbouring row.
    return i instanceof ConcreteTensor ? i : minimum(maximum(i, 0), Math.max(0, lead[d]! - 1));
  });
  const idxShape = broadcastShapes(op, ...perAxis.map((i) => i.shape));
  let flat = broadcastTo(perAxis[0]!, idxShape, op);
  for (let d = 1; d < k; d++) flat = add(multiply(flat, lead[d]!), broadcastTo(perAxis[d]!, idxShape, op));
  const rows = reshape(x, [sizeOf(lead), ...x.shape.slice(k)]);
  return { rows, idx: convertTo(flat, "int32"), outShape: takeShape(rows.shape, idxShape, 0) };
}

/**
 * Functional index updates, as JAX's `x.at[index]`: `at(x, 2).set(0)`, `at(x, [1, 0]).add(5)`
 * (element `[1, 0]`), `at(x, np.array([0, 0, 3])).add(1)` (rows 0 twice and 3). Negative
 * indices count from the end; out-of-range concrete indices raise `IndexError`.
 *
 * @example
 * np.at(np.zeros([3]), 1).set(7); // [0, 7, 0]
 */
export function at(x: ArrayLike, index: AtIndex): AtUpdater {
  const t = asTensor(x, "at");
  if (t.ndim === 0) throw new IndexError("at: cannot index a 0-d array");
  const { rows, idx, outShape } = flatIndex(t, index, "at");
  const updates = (v: ArrayLike) => broadcastTo(convertTo(asTensor(v, "at"), rows.dtype), outShape, "at");
  const back = (r: Tensor) => reshape(r, t.shape);
  return {
    get: () => bind1(gatherP, [rows, idx], { axis: 0 }),
    set: (v) => back(bind1(scatterP, [rows, idx, updates(v)], { axis: 0 })),
    add: (v) => back(bind1(scatterAddP, [rows, idx, updates(v)], { axis: 0 })),
    multiply: (v) => {
      const current = bind1(gatherP, [rows, idx], { axis: 0 });
      return back(bind1(scatterP, [rows, idx, multiply(current, updates(v))], { axis: 0 }));
    },
  };
}
