/**
 * softmax, logSoftmax and logsumexp along an axis, as `jax.nn`. All three subtract the
 * (gradient-stopped) maximum first, so large inputs do not overflow.
 */
import { isFloat } from "../dtype.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { convertTo } from "../primitives/convert.js";
import { asTensor } from "../np/asarray.js";
import * as np from "../np/arithmetic.js";
import { isfinite } from "../np/comparison.js";
import { max, sum } from "../np/reductions.js";
import { reshape } from "../np/shape.js";
import { axisAndOptions, type AxisArgument } from "../arguments.js";

/** Options of `softmax`, `logSoftmax` and the other normalisations over an axis. */
export interface AxisOptions {
  /** The axis or axes to normalise over (default -1, the last; `null`: all axes). */
  axis?: number | readonly number[] | null;
}

/** Options of `logsumexp`: the axes to reduce and whether to keep them. */
export interface LogsumexpOptions extends AxisOptions {
  /** Keep the reduced axes as length-1 axes (default false). */
  keepdims?: boolean;
}

function inexact(x: ArrayLike, op: string): Tensor {
  const t = asTensor(x, op);
  return isFloat(t.dtype) ? t : convertTo(t, "float32", t.weakType);
}

const axisOf = (options: AxisOptions) => (options.axis === undefined ? -1 : options.axis);

/** The options of `op(x, axis)` / `op(x, { axis })`, checked (see `axisAndOptions`). */
function axisOptions<O extends AxisOptions>(op: string, second: unknown, third: unknown, known: readonly string[] = ["axis"]): O {
  return axisAndOptions<O>(op, second, third, known, true, true);
}

/**
 * `exp(x) / sum(exp(x))` along `axis` (default -1; positional, as `jax.nn.softmax(x, 1)`, or `{ axis }`).
 * @example nn.softmax(np.array([1, 2, 3])) // [0.09003057, 0.24472848, 0.66524094]
 */
export function softmax(x: ArrayLike, axisOrOptions?: AxisArgument | AxisOptions): Tensor {
  const options = axisOptions<AxisOptions>("softmax", axisOrOptions, undefined);
  const t = inexact(x, "softmax");
  const axis = axisOf(options);
  const shift = np.stopGradient(max(t, { axis, keepdims: true }));
  const unnormalized = np.exp(np.subtract(t, shift));
  return np.divide(unnormalized, sum(unnormalized, { axis, keepdims: true }));
}

/**
 * `x - logsumexp(x)` along `axis` (default -1; positional, `nn.logSoftmax(x, 1)`, or `{ axis }`).
 * @example nn.logSoftmax(np.array([0, 0])) // [-0.6931472, -0.6931472]
 */
export function logSoftmax(x: ArrayLike, axisOrOptions?: AxisArgument | AxisOptions): Tensor {
  const options = axisOptions<AxisOptions>("logSoftmax", axisOrOptions, undefined);
  const t = inexact(x, "logSoftmax");
  const axis = axisOf(options);
  const shifted = np.subtract(t, np.stopGradient(max(t, { axis, keepdims: true })));
  return np.subtract(shifted, np.log(sum(np.exp(shifted), { axis, keepdims: true })));
}

/**
 * `log(sum(exp(x)))` along `axis` (default -1), stable for large values and for -∞ (a slice
 * of all -∞ gives -∞). The axis is positional (`nn.logsumexp(x, 1, { keepdims: true })`) or
 * `{ axis, keepdims }`.
 * @example nn.logsumexp(np.array([0, 0])) // 0.6931472
 */
export function logsumexp(x: ArrayLike, axis?: AxisArgument, options?: Omit<LogsumexpOptions, "axis">): Tensor;
export function logsumexp(x: ArrayLike, options: LogsumexpOptions): Tensor;
export function logsumexp(x: ArrayLike, axisOrOptions?: AxisArgument | LogsumexpOptions, keywords?: Omit<LogsumexpOptions, "axis">): Tensor {
  const options = axisOptions<LogsumexpOptions>("logsumexp", axisOrOptions, keywords, ["axis", "keepdims"]);
  const t = inexact(x, "logsumexp");
  const axis = axisOf(options);
  const amax = max(t, { axis, keepdims: true });
  // A non-finite maximum (all -∞, or +∞) must not be subtracted: shift by 0 there instead.
  const shift = np.stopGradient(np.where(isfinite(amax), amax, 0));
  const total = sum(np.exp(np.subtract(t, shift)), { axis, keepdims: options.keepdims ?? false });
  return np.add(np.log(total), reshape(shift, total.shape));
}
