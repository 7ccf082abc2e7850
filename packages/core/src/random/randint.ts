import { DTypeError, ValueError } from "../errors.js";
import { isFloat } from "../dtype.js";
import { Tensor, type ArrayLike } from "../tensor.js";
import * as np from "../np/index.js";
import { bits, checkShape } from "./bits.js";
import { checkOptions } from "../arguments.js";
import { checkKey } from "./key.js";
import { checkParamShapes } from "./sample_shape.js";
import { split } from "./split.js";

/** The integer dtypes `randint` produces. */
export type IntDType = "int32" | "uint32";

/** Options of `randint`. */
export interface RandintOptions {
  /** `int32` (default) or `uint32`. */
  dtype?: IntDType;
}

const RANGE: Record<IntDType, [number, number]> = { int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1] };

/**
 * A bound as a tensor of the output dtype, clipped into its range (JAX's
 * `_convert_and_clip_integer`), plus whether it exceeded the dtype's maximum (JAX's
 * `maxval_out_of_range`, which widens the span by one so `maxval = 2^31` still reaches 2^31 - 1).
 * Numbers are read as int64 values; float tensors are truncated to int32 first, as `astype(int)`.
 */
function boundInDtype(x: ArrayLike, dtype: IntDType, op: string, name: string): { value: Tensor; aboveMax: Tensor | boolean } {
  const [lo, hi] = RANGE[dtype];
  if (typeof x === "number") {
    if (!Number.isInteger(x)) throw new ValueError(`${op}: ${name} must be an integer, got ${x}`);
    return { value: np.astype(Math.min(Math.max(x, lo), hi), dtype), aboveMax: x > hi };
  }
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}: ${name} must be an integer number or tensor, got ${typeof x}`);
  const t = isFloat(x.dtype) || x.dtype === "bool" ? np.astype(x, "int32") : x;
  if (t.dtype === dtype) return { value: t, aboveMax: false };
  if (dtype === "uint32") {
    // int32 -> uint32: negatives clip to 0; no int32 exceeds the uint32 maximum.
    return { value: np.astype(np.maximum(t, 0), "uint32"), aboveMax: false };
  }
  // uint32 -> int32: values above 2^31 - 1 clip to it and widen the span.
  const top = np.astype(2 ** 31 - 1, "uint32");
  return { value: np.astype(np.minimum(t, top), "int32"), aboveMax: np.greater(t, top) };
}

/**
 * Uniform integers in `[minval, maxval)` (`jax.random.randint`), bit for bit as JAX: two 32-bit
 * draws (from `split(key)`) are combined modulo the span, which makes the bias negligible for
 * spans that are not powers of two. `maxval <= minval` gives `minval`.
 *
 * @example random.randint(random.key(0), [5], 0, 10) // int32 in [0, 10)
 */
export function randint(key: Tensor, shape: readonly number[], minval: ArrayLike, maxval: ArrayLike, options: RandintOptions = {}): Tensor {
  const op = "random.randint";
  const k = checkKey(key, op);
  const s = checkShape(shape, op);
  options = checkOptions(op, options, ["dtype"]);
  const dtype = options.dtype ?? "int32";
  if (dtype !== "int32" && dtype !== "uint32") throw new DTypeError(`${op}: dtype must be int32 or uint32, got ${String(dtype)}`);
  const lo = boundInDtype(minval, dtype, op, "minval");
  const hi = boundInDtype(maxval, dtype, op, "maxval");
  checkParamShapes(op, s, lo.value.shape, hi.value.shape);
  const minv = np.broadcastTo(lo.value, s);
  const maxv = np.broadcastTo(hi.value, s);

  const [k1, k2] = split(k);
  const higherBits = bits(k1!, s);
  const lowerBits = bits(k2!, s);

  let span = np.astype(np.subtract(maxv, minv), "uint32");
  span = np.where(np.lessEqual(maxv, minv), np.astype(1, "uint32"), span);
  if (hi.aboveMax !== false) {
    const widen = hi.aboveMax === true ? np.greater(maxv, minv) : np.logicalAnd(hi.aboveMax, np.greater(maxv, minv));
    span = np.where(widen, np.add(span, 1), span);
  }
  // (hi * 2^32 + lo) mod span, using (a * b) mod n = ((a mod n) * (b mod n)) mod n with
  // 2^32 mod n = (2^16 mod n)^2 mod n; products and sums wrap in uint32 exactly as in JAX (so for
  // spans above 2^16 the square wraps to 0 and JAX, hence this, uses the low draw alone).
  let multiplier = np.remainder(np.broadcastTo(np.astype(2 ** 16, "uint32"), s), span);
  multiplier = np.remainder(np.multiply(multiplier, multiplier), span);
  let offset = np.add(np.multiply(np.remainder(higherBits, span), multiplier), np.remainder(lowerBits, span));
  offset = np.remainder(offset, span);
  return np.add(minv, np.astype(offset, dtype));
}
