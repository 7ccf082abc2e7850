import { AxisError, ShapeError, ValueError } from "../errors.js";
import { isFloat } from "../dtype.js";
import { sortP } from "../primitives/sort.js";
import { sizeOf, Tensor } from "../tensor.js";
import { bind } from "../trace.js";
import * as np from "../np/index.js";
import { checkShape } from "./bits.js";
import { gumbel } from "./gumbel.js";
import { checkOptions } from "../arguments.js";
import { checkKey } from "./key.js";
import { permutation } from "./permutation.js";
import { randint } from "./randint.js";
import { uniform, type FloatDType } from "./uniform.js";

/** Options of `choice`: replacement, probabilities and the axis to draw from. */
export interface ChoiceOptions {
  /** Draw with replacement (default true). */
  replace?: boolean;
  /** Probabilities of the entries of `a` along `axis` (1-d, length `a.shape[axis]`); uniform when omitted. */
  p?: np.ArrayData | null;
  /** The axis of `a` to draw from (default 0). */
  axis?: number;
}

/**
 * Index of the first entry of the sorted 1-d `sorted` that is `>= v`, per element of `v`
 * (`searchsorted(sorted, v, side="left")`): the count of entries below `v`.
 */
function searchSortedLeft(sorted: Tensor, v: Tensor): Tensor {
  const below = np.less(np.reshape(sorted, [...v.shape.map(() => 1), sorted.size]), np.expandDims(v, -1));
  return np.sum(np.astype(below, "int32"), { axis: -1 });
}

/**
 * Random samples from `a` (`jax.random.choice`): from `arange(a)` for an integer `a`, else from
 * `a`'s slices along `axis`; with or without replacement, uniformly or with probabilities `p`.
 * The result has shape `shape` (integer `a`) or `a.shape[:axis] + shape + a.shape[axis+1:]`.
 * Same algorithms as JAX: `randint`; a permutation prefix; inverse CDF by `searchsorted` on
 * `cumsum(p)`; Gumbel top-k for weighted draws without replacement.
 *
 * @example random.choice(random.key(0), 10, [3], { replace: false }) // 3 distinct ints in [0, 10)
 */
export function choice(key: Tensor, a: np.ArrayData, shape: readonly number[] = [], options: ChoiceOptions = {}): Tensor {
  const op = "random.choice";
  const k = checkKey(key, op);
  const s = checkShape(shape, op);
  options = checkOptions(op, options, ["replace", "p", "axis"]);
  const replace = options.replace ?? true;
  let arr: Tensor | null = null;
  let nInputs: number;
  let axis = 0;
  if (typeof a === "number") {
    if (!Number.isInteger(a)) throw new ValueError(`${op}: a must be an integer or a tensor, got ${a}`);
    nInputs = a;
  } else {
    arr = np.asTensor(a as Parameters<typeof np.asTensor>[0], op);
    if (arr.ndim === 0) {
      nInputs = arr.item();
      arr = null;
    } else {
      axis = options.axis ?? 0;
      if (!Number.isInteger(axis) || axis < -arr.ndim || axis >= arr.ndim) {
        throw new AxisError(`${op}: axis ${axis} is out of bounds for a of shape [${arr.shape.join(", ")}]`);
      }
      if (axis < 0) axis += arr.ndim;
      nInputs = arr.shape[axis]!;
    }
  }
  const outShape = arr === null ? s : [...arr.shape.slice(0, axis), ...s, ...arr.shape.slice(axis + 1)];
  const nDraws = sizeOf(s);
  if (nDraws === 0) return np.zeros(outShape, { dtype: arr === null ? "int32" : arr.dtype });
  if (nInputs <= 0) throw new ValueError(`${op}: a must be greater than 0 unless no samples are taken, got ${nInputs}`);
  if (!replace && nDraws > nInputs) {
    throw new ValueError(`${op}: cannot take a larger sample (size ${nDraws}) than the population (size ${nInputs}) when replace is false`);
  }

  let ind: Tensor;
  if (options.p === undefined || options.p === null) {
    if (replace) {
      ind = randint(k, s, 0, nInputs);
    } else {
      const perm = permutation(k, arr === null ? nInputs : arr, { axis });
      const firstDraws = np.take(perm, np.arange(nDraws, { dtype: "int32" }), arr === null ? 0 : axis);
      return np.reshape(firstDraws, outShape);
    }
  } else {
    let p = np.asTensor(options.p as Parameters<typeof np.asTensor>[0], op);
    if (!isFloat(p.dtype)) p = np.astype(p, "float32");
    if (p.ndim !== 1 || p.shape[0] !== nInputs) {
      throw new ShapeError(`${op}: p must be a 1-d vector of the same length as a.shape[axis] (${nInputs}), got shape [${p.shape.join(", ")}]`);
    }
    const dtype = p.dtype as FloatDType;
    if (replace) {
      const cumulative = np.cumsum(p);
      const total = np.take(cumulative, nInputs - 1, 0);
      const r = np.multiply(total, np.subtract(1, uniform(k, s, { dtype })));
      ind = searchSortedLeft(cumulative, r);
    } else {
      // Gumbel top-k: the nDraws largest of log(p) + gumbel noise, largest first, ties to the lower index.
      const scores = np.add(gumbel(k, [nInputs], { dtype }), np.log(p));
      const [, order] = bind(sortP, [np.negative(scores), np.arange(nInputs, { dtype: "int32" })], { dimension: 0, numKeys: 1 });
      ind = np.take(order!, np.arange(nDraws, { dtype: "int32" }), 0);
    }
  }
  const result = arr === null ? ind : np.take(arr, ind, axis);
  return np.reshape(result, outShape);
}
