/** `standardize`: zero mean and unit variance along an axis, as `jax.nn.standardize`. */
import { isFloat } from "../dtype.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { convertTo } from "../primitives/convert.js";
import { asTensor } from "../np/asarray.js";
import * as np from "../np/arithmetic.js";
import { mean as npMean } from "../np/reductions.js";
import { axisAndOptions, type AxisArgument } from "../arguments.js";

/** Options of `standardize`: the axes, optional precomputed statistics and epsilon. */
export interface StandardizeOptions {
  /** The axis or axes to normalise over (default -1; `null`: all axes). */
  axis?: number | readonly number[] | null;
  /** A precomputed mean (broadcastable against x); computed when absent. */
  mean?: ArrayLike;
  /** A precomputed variance (broadcastable against x); computed when absent. */
  variance?: ArrayLike;
  /** Added to the variance before the square root (default 1e-5). */
  epsilon?: number;
}

/**
 * `(x - mean) / sqrt(variance + epsilon)` along `axis`, with the variance computed as
 * `mean(x²) - mean(x)²` (JAX's definition). The axis is positional
 * (`nn.standardize(x, 0, { epsilon })`) or `{ axis, mean, variance, epsilon }`.
 * @example nn.standardize(np.array([1, 2, 3])) // [-1.2247357, 0, 1.2247357]
 */
export function standardize(x: ArrayLike, axis?: AxisArgument, options?: Omit<StandardizeOptions, "axis">): Tensor;
export function standardize(x: ArrayLike, options: StandardizeOptions): Tensor;
export function standardize(x: ArrayLike, axisOrOptions?: AxisArgument | StandardizeOptions, keywords?: Omit<StandardizeOptions, "axis">): Tensor {
  const options = axisAndOptions<StandardizeOptions>("standardize", axisOrOptions, keywords, ["axis", "mean", "variance", "epsilon"], true, true);
  const t0 = asTensor(x, "standardize");
  const t = isFloat(t0.dtype) ? t0 : convertTo(t0, "float32", t0.weakType);
  const axis = options.axis === undefined ? -1 : options.axis;
  const epsilon = options.epsilon ?? 1e-5;
  const mean = options.mean ?? npMean(t, { axis, keepdims: true });
  const variance = options.variance ?? np.subtract(npMean(np.square(t), { axis, keepdims: true }), np.square(mean));
  return np.multiply(np.subtract(t, mean), np.rsqrt(np.add(variance, epsilon)));
}
