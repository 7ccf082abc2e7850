import { erfInvP, erfP } from "../primitives/unary.js";
import { ConcreteTensor, type ArrayLike, type Tensor } from "../tensor.js";
import { sampleLoop } from "./sample_loop.js";
import { bind1 } from "../trace.js";
import * as np from "../np/index.js";
import { checkShape } from "./bits.js";
import { checkOptions } from "../arguments.js";
import { checkKey } from "./key.js";
import { nextafter } from "./nextafter.js";
import { checkParamShapes } from "./sample_shape.js";
import { checkFloatDType, uniform, uniformOps, type FloatDType } from "./uniform.js";

/** Options of `normal`. */
export interface NormalOptions {
  /** `float32` (default) or `float64`. */
  dtype?: FloatDType;
}

/** The largest float above -1 in each precision: `nextafter(-1, 0)`. */
const ABOVE_MINUS_ONE: Record<FloatDType, number> = { float32: -1 + 2 ** -24, float64: -1 + 2 ** -53 };

/**
 * Standard normal samples (`jax.random.normal`): `sqrt(2) * erfinv(u)` with `u` uniform on
 * `(nextafter(-1, 0), 1)`, as JAX. Agrees with JAX to float32 rounding (erf_inv itself is an
 * approximation in both).
 *
 * @example random.normal(random.key(0), [3])
 */
export function normal(key: Tensor, shape: readonly number[] = [], options: NormalOptions = {}): Tensor {
  const op = "random.normal";
  const k = checkKey(key, op);
  options = checkOptions(op, options, ["dtype"]);
  const dtype = checkFloatDType(options.dtype ?? "float32", op);
  // Nothing traced: one loop, the same bits (`sample_loop.ts`).
  if (k instanceof ConcreteTensor) return sampleLoop(k, checkShape(shape, op), dtype, ABOVE_MINUS_ONE[dtype], 1, "normal");
  return normalOps(k, checkShape(shape, op), dtype);
}

/**
 * `normal` as array operations (what jit traces): `√2 · erf_inv(u)` for `u` uniform in
 * `(-1, 1)`. Example: `normalOps(key, [3], "float32")`.
 */
export function normalOps(k: Tensor, shape: readonly number[], dtype: FloatDType): Tensor {
  const u = uniformOps("random.normal", k, shape, dtype, ABOVE_MINUS_ONE[dtype], 1);
  return np.multiply(Math.SQRT2, bind1(erfInvP, [u]));
}

/** Options of `truncatedNormal`. */
export interface TruncatedNormalOptions {
  /** `float32` (default) or `float64`. */
  dtype?: FloatDType;
}

/**
 * Standard normal samples truncated to the open interval `(lower, upper)`
 * (`jax.random.truncated_normal`): inverse-CDF sampling between `erf(lower/√2)` and
 * `erf(upper/√2)`, clamped strictly inside the bounds. `shape` defaults to the broadcast shape
 * of the bounds.
 *
 * @example random.truncatedNormal(random.key(0), -2, 2, [100])
 */
export function truncatedNormal(
  key: Tensor,
  lower: ArrayLike,
  upper: ArrayLike,
  shape?: readonly number[],
  options: TruncatedNormalOptions = {},
): Tensor {
  const op = "random.truncatedNormal";
  const k = checkKey(key, op);
  options = checkOptions(op, options, ["dtype"]);
  const dtype = checkFloatDType(options.dtype ?? "float32", op);
  const lo = np.astype(lower, dtype);
  const hi = np.astype(upper, dtype);
  const s = shape === undefined ? np.broadcastShapes(op, lo.shape, hi.shape) : checkShape(shape, op);
  checkParamShapes(op, s, lo.shape, hi.shape);
  const a = bind1(erfP, [np.divide(lo, Math.SQRT2)]);
  const b = bind1(erfP, [np.divide(hi, Math.SQRT2)]);
  const u = uniform(k, s, { minval: a, maxval: b, dtype });
  const out = np.multiply(Math.SQRT2, bind1(erfInvP, [u]));
  // Rounding (or u landing on a) could reach a bound; keep samples strictly inside, as JAX.
  return np.minimum(np.maximum(out, nextafter(lo, Infinity)), nextafter(hi, -Infinity));
}
