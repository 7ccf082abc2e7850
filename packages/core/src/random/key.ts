import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { ConcreteTensor, Tensor } from "../tensor.js";
import * as np from "../np/index.js";

/** A seed for `key`: any integer that fits in int64 (numbers only up to 2^53 in magnitude, bigints beyond). */
export type Seed = number | bigint;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * A PRNG key from an integer seed: the uint32 tensor `[hi32, lo32]` of the seed read as an
 * int64, as `jax.random.PRNGKey(seed)` (raw key data, like `jax.random.key_data(jax.random.key(seed))`).
 * Negative seeds are two's complement, so `key(-1)` is `[0xffffffff, 0xffffffff]`: this is JAX's
 * behaviour with `jax_enable_x64` (JAX's default 32-bit mode first truncates seeds to int32 and
 * gives `[0, lo32]` for negative ones). Non-negative seeds agree in both modes.
 *
 * @example random.key(0).toArray() // [0, 0]
 */
export function key(seed: Seed): Tensor {
  let s: bigint;
  if (typeof seed === "bigint") {
    s = seed;
  } else if (typeof seed === "number") {
    if (!Number.isInteger(seed)) throw new ValueError(`random.key: seed ${seed} is not an integer`);
    if (!Number.isSafeInteger(seed)) {
      throw new ValueError(`random.key: seed ${seed} is beyond 2^53 and not exactly representable as a number; pass it as a bigint`);
    }
    s = BigInt(seed);
  } else {
    throw new ValueError(`random.key: seed must be an integer number or a bigint, got ${typeof seed} ${String(seed)}`);
  }
  if (s < INT64_MIN || s > INT64_MAX) throw new ValueError(`random.key: seed ${s} is outside the int64 range [-2^63, 2^63)`);
  const bits = BigInt.asUintN(64, s);
  return ConcreteTensor.fromData(Uint32Array.of(Number(bits >> 32n), Number(bits & 0xffffffffn)), [2], "uint32");
}

/**
 * Check that `k` is a single raw key (a uint32 tensor of shape `[2]`; a tracer under `vmap`/`jit`
 * is fine) and return it. `op` names the calling function in the error.
 *
 * @example checkKey(random.key(0), "random.uniform")
 */
export function checkKey(k: unknown, op: string): Tensor {
  if (!(k instanceof Tensor)) {
    throw new ValueError(`${op}: expected a PRNG key (a uint32 tensor of shape [2] from random.key / split / foldIn), got ${k === null ? "null" : typeof k}`);
  }
  if (k.dtype !== "uint32") throw new DTypeError(`${op}: a PRNG key must be a uint32 tensor, got dtype ${k.dtype} (shape [${k.shape.join(", ")}])`);
  if (k.ndim !== 1 || k.shape[0] !== 2) {
    const hint = k.ndim > 1 && k.shape[k.ndim - 1] === 2 ? "; this is an array of keys: use vmap to map over it" : "";
    throw new ShapeError(`${op}: expects a single PRNG key of shape [2], got shape [${k.shape.join(", ")}]${hint}`);
  }
  return k;
}

/**
 * The two 32-bit words of a key as uint32 scalars (works on tracers: no host read).
 *
 * @example const [k1, k2] = keyWords(random.key(1)) // 0, 1
 */
export function keyWords(k: Tensor): [Tensor, Tensor] {
  return [np.take(k, 0, 0), np.take(k, 1, 0)];
}
