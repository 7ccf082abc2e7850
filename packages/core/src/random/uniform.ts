import { DTypeError } from "../errors.js";
import { ConcreteTensor, type ArrayLike, type Tensor } from "../tensor.js";
import { sampleLoop } from "./sample_loop.js";
import * as np from "../np/index.js";
import { bits, checkShape, threefryBlocks } from "./bits.js";
import { checkOptions } from "../arguments.js";
import { checkKey } from "./key.js";
import { checkParamShapes } from "./sample_shape.js";

/** The float dtypes random samplers produce. */
export type FloatDType = "float32" | "float64";

/** Options of `uniform`: the bounds and the float dtype. */
export interface UniformOptions {
  /** Inclusive lower bound, broadcastable to the shape (default 0). */
  minval?: ArrayLike;
  /** Exclusive upper bound, broadcastable to the shape (default 1). */
  maxval?: ArrayLike;
  /** `float32` (default) or `float64`. */
  dtype?: FloatDType;
}

/** Check a float dtype option. */
export function checkFloatDType(dtype: unknown, op: string): FloatDType {
  if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${op}: dtype must be float32 or float64, got ${String(dtype)}`);
  return dtype;
}

/**
 * Floats in `[0, 1)` from random bits by JAX's mantissa trick: the top mantissa-many bits become
 * the mantissa of a float in `[1, 2)` (exponent bits of 1.0), minus 1. float32 uses one 32-bit
 * word per element; float64 the two threefry words as one 64-bit word (JAX's 64-bit draw),
 * assembled exactly in float64 arithmetic.
 */
export function unitFloats(key: Tensor, shape: readonly number[], dtype: FloatDType): Tensor {
  if (dtype === "float32") {
    const mantissa = np.rightShift(bits(key, shape), 32 - 23);
    const floatBits = np.bitwiseOr(mantissa, 0x3f800000);
    return np.subtract(np.bitcastConvertType(floatBits, "float32"), 1);
  }
  // (y1 << 32 | y2) >> 12 as a 52-bit mantissa m; m * 2^-52 = y1 * 2^-32 + (y2 >> 12) * 2^-52, exact.
  const [y1, y2] = threefryBlocks(key, shape);
  const high = np.multiply(np.astype(y1, "float64"), 2 ** -32);
  const low = np.multiply(np.astype(np.rightShift(y2, 12), "float64"), 2 ** -52);
  return np.add(high, low);
}

/**
 * Uniform samples in `[minval, maxval)` (`jax.random.uniform`), bit for bit as JAX:
 * `max(minval, u * (maxval - minval) + minval)` with `u` from `unitFloats`.
 *
 * @example random.uniform(random.key(0), [2, 3], { minval: -1, maxval: 1 })
 */
export function uniform(key: Tensor, shape: readonly number[] = [], options: UniformOptions = {}): Tensor {
  const op = "random.uniform";
  const k = checkKey(key, op);
  const s = checkShape(shape, op);
  options = checkOptions(op, options, ["minval", "maxval", "dtype"]);
  const dtype = checkFloatDType(options.dtype ?? "float32", op);
  const lower = options.minval ?? 0;
  const upper = options.maxval ?? 1;
  // Nothing traced: one loop, the same bits (`sample_loop.ts`).
  if (k instanceof ConcreteTensor && typeof lower === "number" && typeof upper === "number") return sampleLoop(k, s, dtype, lower, upper, "uniform");
  return uniformOps(op, k, s, dtype, lower, upper);
}

/**
 * `uniform` as array operations (what jit traces, and what array bounds take): floats in
 * `[0, 1)`, scaled to the bounds, clamped below at `minval`.
 * Example: `uniformOps("random.uniform", key, [3], "float32", 0, 1)`.
 */
export function uniformOps(op: string, k: Tensor, s: readonly number[], dtype: FloatDType, lower: ArrayLike, upper: ArrayLike): Tensor {
  const minval = np.astype(lower, dtype);
  const maxval = np.astype(upper, dtype);
  checkParamShapes(op, s, minval.shape, maxval.shape);
  const u = unitFloats(k, s, dtype);
  return np.maximum(minval, np.add(np.multiply(u, np.subtract(maxval, minval)), minval));
}
