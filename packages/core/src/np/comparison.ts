/**
 * NumPy-style comparisons and floating-point classes (`equal`, `less`, `isfinite`, `allclose`,
 * ...): operands promoted and broadcast as the arithmetic functions do, results bool.
 */
import { isFloat } from "../dtype.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { eqP, geP, gtP, leP, ltP, neP } from "../primitives/compare.js";
import { fullLike } from "../primitives/elementwise.js";
import * as lax from "../lax/index.js";
import { isFiniteP } from "../primitives/unary.js";
import { checkOptions } from "../arguments.js";
import { asTensor } from "./asarray.js";
import { promoteAndBroadcast } from "./broadcast.js";
import { binary } from "./operands.js";

// ---------------------------------------------------------------- comparisons

/**
 * Elementwise `x == y` (bool).
 * @example np.equal(np.array([1, 2]), 2) // [false, true]
 */
export function equal(x: ArrayLike, y: ArrayLike): Tensor {
  return binary("equal", eqP, x, y);
}

/**
 * Elementwise `x != y` (bool).
 * @example np.notEqual(np.array([1, 2]), 2) // [true, false]
 */
export function notEqual(x: ArrayLike, y: ArrayLike): Tensor {
  return binary("notEqual", neP, x, y);
}

/**
 * Elementwise `x < y` (bool).
 * @example np.less(np.array([1, 2]), 2) // [true, false]
 */
export function less(x: ArrayLike, y: ArrayLike): Tensor {
  return binary("less", ltP, x, y);
}

/**
 * Elementwise `x <= y` (bool).
 * @example np.lessEqual(np.array([1, 3]), 2) // [true, false]
 */
export function lessEqual(x: ArrayLike, y: ArrayLike): Tensor {
  return binary("lessEqual", leP, x, y);
}

/**
 * Elementwise `x > y` (bool).
 * @example np.greater(np.array([1, 3]), 2) // [false, true]
 */
export function greater(x: ArrayLike, y: ArrayLike): Tensor {
  return binary("greater", gtP, x, y);
}

/**
 * Elementwise `x >= y` (bool).
 * @example np.greaterEqual(np.array([1, 2]), 2) // [false, true]
 */
export function greaterEqual(x: ArrayLike, y: ArrayLike): Tensor {
  return binary("greaterEqual", geP, x, y);
}

// ---------------------------------------------------------------- floating-point classes

/**
 * True where x is neither infinite nor NaN (always true for integers and bool).
 * @example np.isfinite(np.array([1, Infinity, NaN])) // [true, false, false]
 */
export function isfinite(x: ArrayLike): Tensor {
  const t = asTensor(x, "isfinite");
  return isFloat(t.dtype) ? bind1(isFiniteP, [t]) : fullLike(t, 1, "bool");
}

/**
 * True where x is NaN.
 * @example np.isnan(np.array([1, NaN])) // [false, true]
 */
export function isnan(x: ArrayLike): Tensor {
  const t = asTensor(x, "isnan");
  return isFloat(t.dtype) ? lax.ne(t, t) : fullLike(t, 0, "bool");
}

/**
 * True where x is +∞ or -∞.
 * @example np.isinf(np.array([1, -Infinity])) // [false, true]
 */
export function isinf(x: ArrayLike): Tensor {
  const t = asTensor(x, "isinf");
  return isFloat(t.dtype) ? lax.eq(lax.abs(t), fullLike(t, Infinity)) : fullLike(t, 0, "bool");
}

/** Tolerances of `allclose`. */
export interface AllcloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaNs in the same place count as equal (default false). */
  equalNan?: boolean;
}

/**
 * Whether `|a - b| <= atol + rtol * |b|` everywhere (broadcasting), as a JS boolean. Needs
 * concrete values (it is a test, not an array op); NaN is unequal unless `equalNan`.
 * @example np.allclose(np.array([1, 2]), np.array([1, 2.000001])) // true
 */
export function allclose(a: ArrayLike, b: ArrayLike, options: AllcloseOptions = {}): boolean {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = checkOptions("allclose", options, ["rtol", "atol", "equalNan"]);
  const [x, y] = promoteAndBroadcast("allclose", [a, b]);
  const xs = x!.concrete().toTypedArray();
  const ys = y!.concrete().toTypedArray();
  for (let i = 0; i < xs.length; i++) {
    const u = xs[i]!;
    const v = ys[i]!;
    if (Number.isNaN(u) || Number.isNaN(v)) {
      if (equalNan && Number.isNaN(u) && Number.isNaN(v)) continue;
      return false;
    }
    if (u === v) continue; // also equal infinities
    if (!Number.isFinite(u) || !Number.isFinite(v)) return false;
    if (!(Math.abs(u - v) <= atol + rtol * Math.abs(v))) return false;
  }
  return true;
}
