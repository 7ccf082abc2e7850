import { ArgumentTypeError, ValueError } from "../errors.js";
import { describeArgument } from "../arguments.js";
import { threefry2x32P, threefryCounterWords } from "../primitives/threefry.js";
import { ConcreteTensor, sizeOf, type Tensor } from "../tensor.js";
import { bind } from "../trace.js";
import * as np from "../np/index.js";
import { checkKey, keyWords } from "./key.js";

/**
 * Check a sample shape (static: a list of non-negative integers) and return a copy.
 *
 * @example checkShape([2, 3], "random.bits") // [2, 3]
 */
export function checkShape(shape: readonly number[], op: string): number[] {
  if (!Array.isArray(shape)) {
    // As JAX (`jax.random.normal(key, 3)` is a TypeError there): a shape is a sequence, never a bare number.
    throw new ArgumentTypeError(`${op}: shape must be an array of non-negative integers (e.g. [3]), got ${describeArgument(shape)}`);
  }
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new ValueError(`${op}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return shape.slice();
}

/**
 * The counter words of every element of `shape`: the row-major index `i` split into
 * `(hi32, lo32)`, as JAX's `iota_2x32_shape`. Tensors here never reach 2^32 elements, so the
 * high words are zero. These are constants: they depend on the shape only.
 *
 * @example counters([3])  // [[0, 0, 0], [0, 1, 2]] as two uint32 tensors
 */
export function counters(shape: readonly number[]): [Tensor, Tensor] {
  const n = sizeOf(shape);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) lo[i] = i;
  return [ConcreteTensor.fromData(new Uint32Array(n), shape, "uint32"), ConcreteTensor.fromData(lo, shape, "uint32")];
}

/**
 * threefry2x32 of `key` over the counters of `shape` (JAX's partitionable layout, the default
 * since JAX 0.5): both output words per element. `split` stacks them; `bits` xors them.
 *
 * @example const [y1, y2] = threefryBlocks(random.key(0), [2])
 */
export function threefryBlocks(k: Tensor, shape: readonly number[]): [Tensor, Tensor] {
  const [k1, k2] = keyWords(k);
  const [hi, lo] = counters(shape);
  const [y1, y2] = bind(threefry2x32P, [np.broadcastTo(k1, shape), np.broadcastTo(k2, shape), hi, lo]);
  return [y1!, y2!];
}

/**
 * {@link threefryBlocks}'s words for a concrete key, as arrays, without tensors in between (the
 * one-loop paths of `split` and the samplers, `sample_loop.ts`).
 * Example: `const [y1, y2] = concreteBlocks(random.key(0), 2)`.
 */
export function concreteBlocks(k: ConcreteTensor, n: number): [Uint32Array, Uint32Array] {
  const words = k.toTypedArray();
  return threefryCounterWords(words[0]!, words[1]!, n);
}

/**
 * Uniformly random uint32 words of `shape` (`jax.random.bits` with 32-bit width): element `i`
 * is the xor of the two threefry output words for counter `i`.
 *
 * @example random.bits(random.key(0), [3]) // uint32 tensor of shape [3]
 */
export function bits(key: Tensor, shape: readonly number[] = []): Tensor {
  const k = checkKey(key, "random.bits");
  const [y1, y2] = threefryBlocks(k, checkShape(shape, "random.bits"));
  return np.bitwiseXor(y1, y2);
}
