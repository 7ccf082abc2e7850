import { AxisError } from "../errors.js";
import { isFloat } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import * as np from "../np/index.js";
import { checkShape } from "./bits.js";
import { gumbel } from "./gumbel.js";
import { axisAndOptions, type AxisArgument } from "../arguments.js";
import { checkKey } from "./key.js";
import { checkParamShapes } from "./sample_shape.js";
import type { FloatDType } from "./uniform.js";

/** Options of `categorical`: the category axis and the sample shape. */
export interface CategoricalOptions {
  /** The axis of `logits` that holds the categories (default -1). */
  axis?: number;
  /**
   * The sample shape: the batch shape of `logits` (its shape without `axis`), possibly with
   * leading axes for several draws per distribution. Defaults to the batch shape.
   */
  shape?: readonly number[];
}

/**
 * Samples from categorical distributions given unnormalised log-probabilities
 * (`jax.random.categorical`): `argmax(logits + gumbel noise)` along `axis`, int32 indices.
 * Integer logits are promoted to float32. The axis is positional, as JAX's
 * `categorical(key, logits, axis, shape)`: `random.categorical(key, logits, -1, { shape })`, or
 * `{ axis, shape }`.
 *
 * @example random.categorical(random.key(0), np.log(np.array([0.2, 0.8]))) // 1 with probability 0.8
 */
export function categorical(key: Tensor, logits: np.ArrayData, axis?: number, options?: Omit<CategoricalOptions, "axis">): Tensor;
export function categorical(key: Tensor, logits: np.ArrayData, options: CategoricalOptions): Tensor;
export function categorical(key: Tensor, logits: np.ArrayData, axisOrOptions?: AxisArgument | CategoricalOptions, keywords?: Omit<CategoricalOptions, "axis">): Tensor {
  const op = "random.categorical";
  const options = axisAndOptions<CategoricalOptions>(op, axisOrOptions, keywords, ["axis", "shape"], false, false);
  const k = checkKey(key, op);
  let l = np.asTensor(logits as Parameters<typeof np.asTensor>[0], op);
  if (!isFloat(l.dtype)) l = np.astype(l, "float32");
  const nd = l.ndim;
  const axis = options.axis ?? -1;
  if (!Number.isInteger(axis) || axis < -nd || axis >= nd) {
    throw new AxisError(`${op}: axis ${axis} is out of bounds for logits of shape [${l.shape.join(", ")}]`);
  }
  const negAxis = axis >= 0 ? axis - nd : axis; // counted from the end, as JAX
  const posAxis = negAxis + nd;
  const batchShape = l.shape.filter((_, i) => i !== posAxis);
  const shape = options.shape === undefined ? batchShape : checkShape(options.shape, op);
  checkParamShapes(op, shape, batchShape);
  const prefix = shape.slice(0, shape.length - batchShape.length);
  const noiseShape = [...prefix, ...shape.slice(shape.length - batchShape.length)];
  noiseShape.splice(prefix.length + posAxis, 0, l.shape[posAxis]!);
  const noise = gumbel(k, noiseShape, { dtype: l.dtype as FloatDType });
  const expanded = np.reshape(l, [...prefix.map(() => 1), ...l.shape]);
  return np.argmax(np.add(noise, expanded), { axis: negAxis });
}
