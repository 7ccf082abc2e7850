/**
 * `oneHot`, as `jax.nn.one_hot`: integer labels to indicator vectors along a new axis.
 *
 * Out-of-range labels (negative, or `>= numClasses`) give all-zero rows, exactly as JAX: that
 * is what padding labels such as -1 rely on, and it is the only behaviour that also holds under
 * `jit`, where the labels are not known. The losses that must reject such labels
 * (`softmaxCrossEntropyWithIntegerLabels` in `@connex/optim`) check concrete labels themselves.
 */
import { assertDType, isInteger, type DType } from "../dtype.js";
import { DTypeError, ValueError } from "../errors.js";
import { checkInteger, checkOptions, normalizeAxis } from "../arguments.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { convertTo } from "../primitives/convert.js";
import { asTensor } from "../np/asarray.js";
import { equal } from "../np/comparison.js";
import { arange } from "../np/creation.js";
import { expandDims, reshape } from "../np/shape.js";

/** Options of `oneHot`. */
export interface OneHotOptions {
  /** The dtype of the result (default float32, as JAX's default float). */
  dtype?: DType;
  /** Where the new class axis goes in the result (default -1, the last). */
  axis?: number;
}

const OPTION_NAMES = ["dtype", "axis"];

/**
 * One-hot encoding of integer `labels`: the result has the shape of `labels` with a new axis
 * of length `numClasses` (last by default), 1 where the class equals the label and 0
 * elsewhere. Labels outside `[0, numClasses)` give rows of zeros (as JAX). Labels must have an
 * integer dtype (`DTypeError` otherwise: a float label is almost always a mistake upstream);
 * `numClasses` must be a non-negative integer (`ArgumentTypeError` for a non-integer,
 * `ValueError` for a negative one). Works under `jit`, `vmap` and
 * `grad` (the result is constant in the labels).
 *
 * @example
 * nn.oneHot(np.array([0, 2, -1]), 3); // [[1, 0, 0], [0, 0, 1], [0, 0, 0]] (float32)
 */
export function oneHot(labels: ArrayLike | readonly number[], numClasses: number, options: OneHotOptions = {}): Tensor {
  const op = "nn.oneHot";
  const t = asTensor(labels as ArrayLike, op);
  if (!isInteger(t.dtype)) {
    throw new DTypeError(`${op}: labels must have an integer dtype (int32 or uint32), got ${t.dtype} (shape [${t.shape.join(", ")}]); convert with np.astype(labels, "int32")`);
  }
  checkInteger(op, numClasses, "numClasses");
  if (numClasses < 0) throw new ValueError(`${op}: numClasses must be a non-negative integer, got ${numClasses}`);
  checkOptions(op, options, OPTION_NAMES);
  const dtype = options.dtype === undefined ? "float32" : assertDType(options.dtype, op);
  const axis = normalizeAxis(op, options.axis ?? -1, t.ndim + 1, t.shape);
  // uint32 labels compare as uint32; int32 labels against int32 classes (negatives never match).
  const classes = arange(numClasses, { dtype: t.dtype });
  const classShape = new Array<number>(t.ndim + 1).fill(1);
  classShape[axis] = numClasses;
  const hits = equal(expandDims(t, axis), reshape(classes, classShape));
  return convertTo(hits, dtype);
}
