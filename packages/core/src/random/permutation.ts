import { AxisError, DTypeError, ValueError } from "../errors.js";
import { sortP } from "../primitives/sort.js";
import { Tensor } from "../tensor.js";
import { bind } from "../trace.js";
import * as np from "../np/index.js";
import { bits } from "./bits.js";
import { axisAndOptions, type AxisArgument } from "../arguments.js";
import { checkKey } from "./key.js";
import { split } from "./split.js";

/**
 * How many sort rounds make collisions among `size` random 32-bit sort keys negligible
 * (JAX's static heuristic, from tjablin@ / TensorFlow: `ceil(3 ln(size) / ln(2^32 - 1))`).
 */
export function shuffleRounds(size: number): number {
  return Math.ceil((3 * Math.log(Math.max(1, size))) / Math.log(2 ** 32 - 1));
}

/**
 * Shuffle `x` along `axis` by stably sorting it on fresh random 32-bit keys, once per round
 * (JAX's `_shuffle`): every 1-d slice along the axis gets its own order.
 */
export function shuffleAlong(key: Tensor, x: Tensor, axis: number): Tensor {
  let k = key;
  let out = x;
  for (let round = 0; round < shuffleRounds(x.size); round++) {
    const [next, sub] = split(k);
    k = next!;
    const sortKeys = bits(sub!, out.shape);
    out = bind(sortP, [sortKeys, out], { dimension: axis, numKeys: 1 })[1]!;
  }
  return out;
}

/** Options of `permutation`: the axis and whether slices are shuffled independently. */
export interface PermutationOptions {
  /** The axis to permute (default 0). */
  axis?: number;
  /** Shuffle each slice along `axis` independently instead of permuting whole slices (default false). */
  independent?: boolean;
}

/**
 * A random permutation (`jax.random.permutation`): of `arange(x)` for an integer `x`, else of
 * `x`'s slices along `axis` (or, with `independent`, of each 1-d slice separately).
 *
 * The axis is positional, as JAX's `permutation(key, x, axis, independent)`:
 * `random.permutation(key, x, 1, { independent: true })`, or `{ axis, independent }`.
 *
 * @example random.permutation(random.key(0), 5) // int32, e.g. [3, 0, 4, 1, 2]
 */
export function permutation(key: Tensor, x: number | Tensor, axis?: number, options?: Omit<PermutationOptions, "axis">): Tensor;
export function permutation(key: Tensor, x: number | Tensor, options: PermutationOptions): Tensor;
export function permutation(key: Tensor, x: number | Tensor, axisOrOptions?: AxisArgument | PermutationOptions, keywords?: Omit<PermutationOptions, "axis">): Tensor {
  const op = "random.permutation";
  const options = axisAndOptions<PermutationOptions>(op, axisOrOptions, keywords, ["axis", "independent"], false, false);
  const k = checkKey(key, op);
  let n: number | null = null;
  if (typeof x === "number") n = x;
  else if (!(x instanceof Tensor)) throw new ValueError(`${op}: x must be an integer or a tensor, got ${typeof x}`);
  else if (x.ndim === 0) {
    if (x.dtype !== "int32" && x.dtype !== "uint32") throw new DTypeError(`${op}: a 0-d x must be an integer, got dtype ${x.dtype}`);
    n = x.item();
  }
  if (n !== null) {
    if (!Number.isInteger(n) || n < 0) throw new ValueError(`${op}: x must be a non-negative integer, got ${n}`);
    return shuffleAlong(k, np.arange(n, { dtype: "int32" }), 0);
  }
  const arr = x as Tensor;
  const axis = options.axis ?? 0;
  if (!Number.isInteger(axis) || axis < -arr.ndim || axis >= arr.ndim) {
    throw new AxisError(`${op}: axis ${axis} is out of bounds for a tensor of shape [${arr.shape.join(", ")}]`);
  }
  const ax = axis < 0 ? axis + arr.ndim : axis;
  if (options.independent || arr.ndim === 1) return shuffleAlong(k, arr, ax);
  const order = shuffleAlong(k, np.arange(arr.shape[ax]!, { dtype: "int32" }), 0);
  return np.take(arr, order, ax);
}
