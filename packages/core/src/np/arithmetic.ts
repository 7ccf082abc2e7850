/**
 * NumPy-style elementwise functions. Operands may be tensors, tracers or JS numbers (weakly
 * typed); they are promoted by JAX's rules and broadcast by NumPy's, then lowered to the strict
 * elementwise primitives. Float-only functions (exp, sin, ...) promote integer and bool
 * inputs to float32, as `jnp` does.
 */
import { assertDType, type DType, isFloat } from "../dtype.js";
import type { Primitive } from "../primitive.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { addP, atan2P, divP, maxP, minP, mulP, negP, subP } from "../primitives/arithmetic.js";
import { powP, remP } from "../primitives/pow_rem.js";
import { bitcastConvertTypeP } from "../primitives/bitcast.js";
import { andP, orP } from "../primitives/bitwise.js";
import { fullLike } from "../primitives/elementwise.js";
import * as lax from "../lax/index.js";
import { selectP } from "../primitives/select.js";
import { stopGradientP } from "../primitives/stop_gradient.js";
import { absP, ceilP, cosP, expm1P, expP, floorP, log1pP, logP, roundP, rsqrtP, signP, sinP, sqrtP, tanhP, tanP } from "../primitives/unary.js";
import { asTensor } from "./asarray.js";
import { broadcastShapes, broadcastTo, promoteAndBroadcast } from "./broadcast.js";
import { binary, inexactOperands, inexactUnary, numericOperands, requireDTypes, toInexact, truthy } from "./operands.js";

// ---------------------------------------------------------------- arithmetic

/**
 * Elementwise `x + y` with broadcasting (logical or for bool).
 * @example np.add(np.array([1, 2]), 1) // [2, 3]
 */
export function add(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = promoteAndBroadcast("add", [x, y]);
  return bind1(a!.dtype === "bool" ? orP : addP, [a!, b!]);
}

/**
 * Elementwise `x - y` with broadcasting.
 * @example np.subtract(np.array([3, 4]), 1) // [2, 3]
 */
export function subtract(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = promoteAndBroadcast("subtract", [x, y]);
  requireDTypes("subtract", a!, ["int32", "uint32", "float32", "float64"]);
  return bind1(subP, [a!, b!]);
}

/**
 * Elementwise `x * y` with broadcasting (logical and for bool).
 * @example np.multiply(np.array([1, 2]), 3) // [3, 6]
 */
export function multiply(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = promoteAndBroadcast("multiply", [x, y]);
  return bind1(a!.dtype === "bool" ? andP : mulP, [a!, b!]);
}

/**
 * True division `x / y`; integer and bool operands give float32.
 * @example np.divide(np.array([1, 2]), 4) // [0.25, 0.5]
 */
export function divide(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = inexactOperands("divide", x, y);
  return bind1(divP, [a, b]);
}

/**
 * Floor division `x // y` (rounds toward -∞, as NumPy); for floats it is
 * `round((x - mod) / y)` with the NumPy-signed `mod`, as jnp, and `x / 0` (±∞ or NaN) where
 * `y` is 0, as NumPy.
 * @example np.floorDivide(np.array([-7, 7]), 2) // [-4, 3]
 */
export function floorDivide(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = numericOperands("floorDivide", x, y);
  if (a.dtype === "uint32") return lax.div(a, b);
  const zero = fullLike(a, 0);
  if (a.dtype === "int32") {
    const q = lax.div(a, b);
    const signsDiffer = lax.ne(lax.lt(a, zero), lax.lt(b, zero));
    const inexact = lax.ne(bind1(remP, [a, b]), zero);
    return lax.select(bind1(andP, [signsDiffer, inexact]), lax.sub(q, fullLike(q, 1)), q);
  }
  const mod = bind1(remP, [a, b]);
  const q = lax.div(lax.sub(a, mod), b);
  const adjust = bind1(andP, [lax.ne(mod, zero), lax.ne(lax.sign(b), lax.sign(mod))]);
  const floored = bind1(roundP, [lax.select(adjust, lax.sub(q, fullLike(q, 1)), q)]);
  return lax.select(lax.eq(b, zero), lax.div(a, b), floored);
}

/**
 * The remainder with the sign of the divisor (NumPy's `%`, `np.mod`).
 * @example np.remainder(np.array([-7, 7]), 3) // [2, 1]
 */
export function remainder(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = numericOperands("remainder", x, y);
  const truncated = bind1(remP, [a, b]);
  if (a.dtype === "uint32") return truncated;
  const zero = fullLike(a, 0);
  const signsDiffer = lax.ne(lax.lt(truncated, zero), lax.lt(b, zero));
  const fix = bind1(andP, [signsDiffer, lax.ne(truncated, zero)]);
  return lax.select(fix, lax.add(truncated, b), truncated);
}

/**
 * `x ** y` elementwise (integers stay integers; bool becomes int32).
 * @example np.power(np.array([2, 3]), 2) // [4, 9]
 */
export function power(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = numericOperands("power", x, y);
  return bind1(powP, [a, b]);
}

/**
 * Elementwise `-x`.
 * @example np.negative(np.array([1, -2])) // [-1, 2]
 */
export function negative(x: ArrayLike): Tensor {
  const t = asTensor(x, "negative");
  requireDTypes("negative", t, ["int32", "uint32", "float32", "float64"]);
  return bind1(negP, [t]);
}

/**
 * Elementwise `x * x`.
 * @example np.square(np.array([3])) // [9]
 */
export function square(x: ArrayLike): Tensor {
  const t = asTensor(x, "square");
  return multiply(t, t);
}

/**
 * Elementwise `1 / x` (float result).
 * @example np.reciprocal(np.array([4])) // [0.25]
 */
export function reciprocal(x: ArrayLike): Tensor {
  const t = toInexact(asTensor(x, "reciprocal"));
  return bind1(divP, [fullLike(t, 1), t]);
}

/**
 * Elementwise maximum; NaN propagates.
 * @example np.maximum(np.array([1, 5]), 3) // [3, 5]
 */
export function maximum(x: ArrayLike, y: ArrayLike): Tensor {
  return binary("maximum", maxP, x, y);
}

/**
 * Elementwise minimum; NaN propagates.
 * @example np.minimum(np.array([1, 5]), 3) // [1, 3]
 */
export function minimum(x: ArrayLike, y: ArrayLike): Tensor {
  return binary("minimum", minP, x, y);
}

/**
 * Clamp `x` to `[aMin, aMax]`; either bound may be `null` (no bound on that side).
 * @example np.clip(np.array([-1, 5]), 0, 3) // [0, 3]
 */
export function clip(x: ArrayLike, aMin: ArrayLike | null, aMax: ArrayLike | null): Tensor {
  let t = asTensor(x, "clip");
  if (aMin !== null && aMin !== undefined) t = maximum(t, aMin);
  if (aMax !== null && aMax !== undefined) t = minimum(t, aMax);
  return t;
}

/**
 * `pred ? x : y` elementwise with broadcasting of all three; a non-bool `pred` means `pred != 0`.
 * @example np.where(np.greater(x, 0), x, 0)
 */
export function where(pred: ArrayLike, x: ArrayLike, y: ArrayLike): Tensor {
  const p = truthy(asTensor(pred, "where"));
  const [a, b] = promoteAndBroadcast("where", [x, y]);
  const shape = broadcastShapes("where", p.shape, a!.shape);
  return bind1(selectP, [broadcastTo(p, shape, "where"), broadcastTo(a!, shape, "where"), broadcastTo(b!, shape, "where")]);
}

// ---------------------------------------------------------------- unary math

/**
 * Elementwise |x| (identity on bool).
 * @example np.abs(np.array([-2, 3])) // [2, 3]
 */
export function abs(x: ArrayLike): Tensor {
  const t = asTensor(x, "abs");
  return t.dtype === "bool" ? t : bind1(absP, [t]);
}

/**
 * Elementwise sign: -1, 0 or 1 (identity on bool; NaN stays NaN).
 * @example np.sign(np.array([-2, 0, 3])) // [-1, 0, 1]
 */
export function sign(x: ArrayLike): Tensor {
  const t = asTensor(x, "sign");
  return t.dtype === "bool" ? t : bind1(signP, [t]);
}

/** Float rounding functions leave integer and bool inputs unchanged, as jnp. */
function rounding(op: string, prim: Primitive, x: ArrayLike): Tensor {
  const t = asTensor(x, op);
  return isFloat(t.dtype) ? bind1(prim, [t]) : t;
}

/**
 * Round toward -∞.
 * @example np.floor(np.array([-1.5, 1.5])) // [-2, 1]
 */
export function floor(x: ArrayLike): Tensor {
  return rounding("floor", floorP, x);
}

/**
 * Round toward +∞.
 * @example np.ceil(np.array([-1.5, 1.5])) // [-1, 2]
 */
export function ceil(x: ArrayLike): Tensor {
  return rounding("ceil", ceilP, x);
}

/**
 * Round to the nearest integer, ties to even (as NumPy).
 * @example np.round(np.array([0.5, 1.5, 2.5])) // [0, 2, 2]
 */
export function round(x: ArrayLike): Tensor {
  return rounding("round", roundP, x);
}

/**
 * Elementwise √x.
 * @example np.sqrt(np.array([4, 9])) // [2, 3] (float32)
 */
export function sqrt(x: ArrayLike): Tensor {
  return inexactUnary("sqrt", sqrtP, x);
}

/**
 * Elementwise 1/√x.
 * @example np.rsqrt(np.array([4])) // [0.5]
 */
export function rsqrt(x: ArrayLike): Tensor {
  return inexactUnary("rsqrt", rsqrtP, x);
}

/**
 * Elementwise e^x.
 * @example np.exp(np.array([0, 1])) // [1, 2.7182817]
 */
export function exp(x: ArrayLike): Tensor {
  return inexactUnary("exp", expP, x);
}

/**
 * Elementwise e^x - 1, accurate near 0.
 * @example np.expm1(np.array([1e-10])) // [1e-10]
 */
export function expm1(x: ArrayLike): Tensor {
  return inexactUnary("expm1", expm1P, x);
}

/**
 * Elementwise natural logarithm.
 * @example np.log(np.array([1])) // [0]
 */
export function log(x: ArrayLike): Tensor {
  return inexactUnary("log", logP, x);
}

/**
 * Elementwise log(1 + x), accurate near 0.
 * @example np.log1p(np.array([1e-10])) // [1e-10]
 */
export function log1p(x: ArrayLike): Tensor {
  return inexactUnary("log1p", log1pP, x);
}

/**
 * Elementwise base-2 logarithm (`log(x) / log(2)`, as jnp).
 * @example np.log2(np.array([8])) // [3]
 */
export function log2(x: ArrayLike): Tensor {
  const t = toInexact(asTensor(x, "log2"));
  return lax.div(lax.log(t), lax.log(fullLike(t, 2)));
}

/**
 * Elementwise base-10 logarithm (`log(x) / log(10)`, as jnp).
 * @example np.log10(np.array([100])) // [2]
 */
export function log10(x: ArrayLike): Tensor {
  const t = toInexact(asTensor(x, "log10"));
  return lax.div(lax.log(t), lax.log(fullLike(t, 10)));
}

/**
 * Elementwise sine.
 * @example np.sin(np.array([0])) // [0]
 */
export function sin(x: ArrayLike): Tensor {
  return inexactUnary("sin", sinP, x);
}

/**
 * Elementwise cosine.
 * @example np.cos(np.array([0])) // [1]
 */
export function cos(x: ArrayLike): Tensor {
  return inexactUnary("cos", cosP, x);
}

/**
 * Elementwise tangent.
 * @example np.tan(np.array([0])) // [0]
 */
export function tan(x: ArrayLike): Tensor {
  return inexactUnary("tan", tanP, x);
}

/**
 * Elementwise hyperbolic tangent.
 * @example np.tanh(np.array([0])) // [0]
 */
export function tanh(x: ArrayLike): Tensor {
  return inexactUnary("tanh", tanhP, x);
}

/**
 * The angle of the point (x2, x1): `arctan(x1 / x2)` in the right quadrant.
 * @example np.arctan2(1, -1) // 2.3561945
 */
export function arctan2(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [a, b] = inexactOperands("arctan2", x1, x2);
  return bind1(atan2P, [a, b]);
}

// ---------------------------------------------------------------- transformations' helpers

/**
 * The value of `x` with a zero derivative: gradients do not flow through it.
 * @example np.stopGradient(x) // same values, d/dx = 0
 */
export function stopGradient(x: ArrayLike): Tensor {
  return bind1(stopGradientP, [asTensor(x, "stopGradient")]);
}

/**
 * Reinterpret the bits of 32-bit elements as another 32-bit dtype (float32, int32, uint32).
 * @example np.bitcastConvertType(np.array([1], { dtype: "float32" }), "uint32") // [1065353216]
 */
export function bitcastConvertType(x: ArrayLike, dtype: DType): Tensor {
  return bind1(bitcastConvertTypeP, [asTensor(x, "bitcastConvertType")], { newDtype: assertDType(dtype, "bitcastConvertType") });
}
