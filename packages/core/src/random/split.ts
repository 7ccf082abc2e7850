import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { threefry2x32Block, threefry2x32P } from "../primitives/threefry.js";
import { ConcreteTensor, sizeOf, Tensor } from "../tensor.js";
import { bind } from "../trace.js";
import * as np from "../np/index.js";
import { checkShape, concreteBlocks, threefryBlocks } from "./bits.js";
import { checkKey, keyWords } from "./key.js";

/**
 * Split a key into `num` new keys (`jax.random.split`): a `[num, 2]` uint32 tensor (or
 * `[...num, 2]` for a shape), iterable over its first axis, so `const [k1, k2] = split(key)`.
 * Key `i` is the pair of threefry words for counter `i`.
 *
 * @example const [params, dropout] = random.split(random.key(0))
 */
export function split(key: Tensor, num: number | readonly number[] = 2): Tensor {
  const k = checkKey(key, "random.split");
  const shape = typeof num === "number" ? [num] : num;
  checkShape(shape, "random.split");
  if (k instanceof ConcreteTensor) {
    // Nothing traced: the same words, interleaved as the stack below lays them out.
    const [y1, y2] = concreteBlocks(k, sizeOf(shape));
    const keys = new Uint32Array(2 * y1.length);
    for (let i = 0; i < y1.length; i++) {
      keys[2 * i] = y1[i]!;
      keys[2 * i + 1] = y2[i]!;
    }
    return ConcreteTensor.fromData(keys, [...shape, 2], "uint32");
  }
  const [y1, y2] = threefryBlocks(k, shape);
  return np.stack([y1, y2], shape.length);
}

/**
 * Fold a 32-bit integer into a key (`jax.random.fold_in`): a new key that is a deterministic
 * function of both, for deriving per-step or per-example keys. `data` is a number in
 * `[-2^31, 2^32)` (negative numbers wrap to uint32) or an integer scalar tensor (traceable).
 *
 * @example const stepKey = random.foldIn(key, step)
 */
export function foldIn(key: Tensor, data: number | Tensor): Tensor {
  const k = checkKey(key, "random.foldIn");
  let d: Tensor;
  if (typeof data === "number") {
    if (!Number.isInteger(data) || data < -(2 ** 31) || data >= 2 ** 32) {
      throw new ValueError(`random.foldIn: data ${data} is not an integer in [-2^31, 2^32)`);
    }
    d = ConcreteTensor.scalar(data >>> 0, "uint32");
  } else if (data instanceof Tensor) {
    if (data.ndim !== 0) throw new ShapeError(`random.foldIn: data must be a scalar, got shape [${data.shape.join(", ")}]; use vmap to fold in many values`);
    if (data.dtype !== "int32" && data.dtype !== "uint32" && data.dtype !== "bool") {
      throw new DTypeError(`random.foldIn: data must be an integer, got dtype ${data.dtype}`);
    }
    d = np.astype(data, "uint32");
  } else {
    throw new ValueError(`random.foldIn: data must be an integer number or scalar tensor, got ${typeof data}`);
  }
  // JAX: threefry_2x32(key, threefry_seed(data)), the seed of a uint32 being the counter pair (0, data).
  if (k instanceof ConcreteTensor && d instanceof ConcreteTensor) {
    // Nothing traced: one block, as the operations below compute it.
    const words = k.toTypedArray();
    const out = new Uint32Array(2);
    threefry2x32Block(words[0]!, words[1]!, 0, d.item(), out);
    return ConcreteTensor.fromData(out, [2], "uint32");
  }
  const [k1, k2] = keyWords(k);
  const [y1, y2] = bind(threefry2x32P, [k1, k2, ConcreteTensor.scalar(0, "uint32"), d]);
  return np.stack([y1!, y2!], 0);
}
