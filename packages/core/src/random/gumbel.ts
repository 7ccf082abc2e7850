import type { Tensor } from "../tensor.js";
import * as np from "../np/index.js";
import { checkShape } from "./bits.js";
import { checkOptions } from "../arguments.js";
import { checkKey } from "./key.js";
import { checkFloatDType, uniform, type FloatDType } from "./uniform.js";

/** Options of `gumbel`. */
export interface GumbelOptions {
  /** `float32` (default) or `float64`. */
  dtype?: FloatDType;
}

/** The smallest positive normal float of each precision (`finfo(dtype).tiny`). */
const TINY: Record<FloatDType, number> = { float32: 2 ** -126, float64: 2 ** -1022 };

/**
 * Standard Gumbel samples (`jax.random.gumbel`, default mode): `-log(-log(u))` with `u`
 * uniform on `[tiny, 1)`. `categorical` and weighted `choice` without replacement use it.
 *
 * @example random.gumbel(random.key(0), [4])
 */
export function gumbel(key: Tensor, shape: readonly number[] = [], options: GumbelOptions = {}): Tensor {
  const op = "random.gumbel";
  const k = checkKey(key, op);
  options = checkOptions(op, options, ["dtype"]);
  const dtype = checkFloatDType(options.dtype ?? "float32", op);
  const u = uniform(k, checkShape(shape, op), { minval: TINY[dtype], maxval: 1, dtype });
  return np.negative(np.log(np.negative(np.log(u))));
}
