import { DTypeError } from "../errors.js";
import { isFloat } from "../dtype.js";
import { Tensor, type ArrayLike } from "../tensor.js";
import * as np from "../np/index.js";
import { checkShape } from "./bits.js";
import { checkKey } from "./key.js";
import { checkParamShapes } from "./sample_shape.js";
import { uniform, type FloatDType } from "./uniform.js";

/**
 * Bernoulli samples (`jax.random.bernoulli`): a bool tensor, true with probability `p`,
 * computed as `uniform(key, shape, p.dtype) < p`. `p` is a number (float32) or a float tensor
 * broadcastable to `shape`; `shape` defaults to `p`'s shape. As in JAX, `p` outside `[0, 1]` is
 * not an error: it just compares (p <= 0 gives all false, p >= 1 all true).
 *
 * @example random.bernoulli(random.key(0), 0.9, [10]) // dropout keep-mask
 */
export function bernoulli(key: Tensor, p: ArrayLike = 0.5, shape?: readonly number[]): Tensor {
  const op = "random.bernoulli";
  const k = checkKey(key, op);
  let prob: Tensor;
  if (p instanceof Tensor) {
    if (!isFloat(p.dtype)) throw new DTypeError(`${op}: probability p must have a float dtype, got ${p.dtype} (shape [${p.shape.join(", ")}])`);
    prob = p;
  } else if (typeof p === "number") {
    prob = np.astype(p, "float32");
  } else {
    throw new DTypeError(`${op}: probability p must be a number or a float tensor, got ${typeof p}`);
  }
  const s = shape === undefined ? prob.shape.slice() : checkShape(shape, op);
  checkParamShapes(op, s, prob.shape);
  return np.less(uniform(k, s, { dtype: prob.dtype as FloatDType }), prob);
}
