/**
 * Elementwise activation functions, as `jax.nn`: relu, gelu, sigmoid, tanh, softplus, silu,
 * identity. Built from np functions, so they work under every transformation.
 */
import { isFloat } from "../dtype.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { convertTo } from "../primitives/convert.js";
import { erfP, geluTanhP, logisticP } from "../primitives/unary.js";
import { asTensor } from "../np/asarray.js";
import * as np from "../np/arithmetic.js";
import { greater, lessEqual } from "../np/comparison.js";
import { checkOptions } from "../arguments.js";

function inexact(x: ArrayLike, op: string): Tensor {
  const t = asTensor(x, op);
  return isFloat(t.dtype) ? t : convertTo(t, "float32", t.weakType);
}

/**
 * max(x, 0), with derivative 0 at x = 0 (as jax.nn.relu); NaN passes through.
 * @example nn.relu(np.array([-1, 0, 2])) // [0, 0, 2]
 */
export function relu(x: ArrayLike): Tensor {
  const t = asTensor(x, "relu");
  return np.where(lessEqual(t, 0), 0, t);
}

/** Options of `gelu`. */
export interface GeluOptions {
  /** Use the tanh approximation (default, as jax.nn.gelu); `false` uses the exact erf form. */
  approximate?: boolean;
}

/**
 * The Gaussian error linear unit: `x · Φ(x)`. By default the tanh approximation
 * `x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³)))`; `{ approximate: false }` uses `x/2 · (1 + erf(x/√2))`.
 * @example nn.gelu(np.array([1])) // [0.841192]
 */
export function gelu(x: ArrayLike, options: GeluOptions = {}): Tensor {
  options = checkOptions("gelu", options, ["approximate"]);
  const t = inexact(x, "gelu");
  if (options.approximate === false) {
    const cdf = np.multiply(np.add(bind1(erfP, [np.multiply(t, Math.SQRT1_2)]), 1), 0.5);
    return np.multiply(t, cdf);
  }
  // One primitive (`gelu_tanh`): the same formula in float64, rounded once to the dtype.
  return bind1(geluTanhP, [t]);
}

/**
 * The logistic sigmoid 1/(1+e^{-x}), stable for large |x|.
 * @example nn.sigmoid(np.array([0])) // [0.5]
 */
export function sigmoid(x: ArrayLike): Tensor {
  return bind1(logisticP, [inexact(x, "sigmoid")]);
}

/**
 * Hyperbolic tangent.
 * @example nn.tanh(np.array([0])) // [0]
 */
export function tanh(x: ArrayLike): Tensor {
  return np.tanh(x);
}

/**
 * log(1 + e^x), computed as `x + log1p(e^{-x})` for x > 0 and `log1p(e^x)` otherwise, so it
 * neither overflows nor loses precision for large |x|. Each branch is fed only the inputs it
 * is valid for, so gradients have no NaN from the branch not taken.
 * @example nn.softplus(np.array([0])) // [0.6931472]
 */
export function softplus(x: ArrayLike): Tensor {
  const t = inexact(x, "softplus");
  const positive = greater(t, 0);
  const xPos = np.where(positive, t, 0);
  const xNeg = np.where(positive, 0, t);
  const upper = np.add(xPos, np.log1p(np.exp(np.negative(xPos))));
  const lower = np.log1p(np.exp(xNeg));
  return np.where(positive, upper, lower);
}

/**
 * The sigmoid linear unit (swish): `x · sigmoid(x)`.
 * @example nn.silu(np.array([1])) // [0.7310586]
 */
export function silu(x: ArrayLike): Tensor {
  const t = inexact(x, "silu");
  return np.multiply(t, sigmoid(t));
}

/**
 * The identity activation (returns its input as a tensor).
 * @example nn.identity(x) === x // for a tensor x
 */
export function identity(x: ArrayLike): Tensor {
  return asTensor(x, "identity");
}
