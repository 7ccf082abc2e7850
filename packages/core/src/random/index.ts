/**
 * `random`: explicit PRNG keys, bit for bit as JAX's default scheme — threefry2x32 with 20
 * rounds and `jax_threefry_partitionable` on (the default since JAX 0.5). A key is raw key data,
 * a uint32 tensor of shape `[2]` (like `jax.random.PRNGKey` / `jax.random.key_data(key)`), so
 * keys are ordinary tensors: they flatten as pytree leaves, batch under `vmap` (per-example
 * keys) and trace under `jit`. Every sampler is a pure function of its key, written with `np`
 * operations and primitives only (never reading key values on the host), so the same key gives
 * the same numbers eagerly, under `jit`, and per example under `vmap`.
 *
 * Agreement with JAX: keys (`key`, `split`, `foldIn`), `bits`, `uniform`, `bernoulli`,
 * `randint`, `permutation`, `choice` and `categorical` are exact. `normal`, `truncatedNormal` and
 * `gumbel` go through `erf_inv`/`log`, which are approximations in both libraries, so they agree
 * to float32 rounding (a few ulps). Checked against Random123's known answers, values published
 * by JAX, and an independent reference script (`scripts/gen_random_fixtures.py`).
 *
 * Calling conventions: shapes are arrays, as in JAX (`random.normal(key, [3])`; a bare number
 * such as `random.normal(key, 3)` is an `ArgumentTypeError`, as JAX's TypeError); the keyword
 * arguments (`dtype`, `minval`, ...) go in a trailing options object whose unknown names are an
 * `UnknownOptionError`; `categorical` and `permutation` take their axis positionally too.
 *
 * pure-rand: `toPureRandGenerator(key)` adapts a concrete key into pure-rand's
 * `RandomGenerator` (output `i` is `bits(key, [n])[i]` as an int32), so pure-rand's host-side
 * distributions and sequential code — data-loader shuffling, generated test data — draw from
 * the same JAX-style keys instead of a second seeding scheme. Samplers inside models should use
 * the tensor functions here, which also work on traced keys.
 *
 * @example
 * const [initKey, dropoutKey] = random.split(random.key(0));
 * const w = random.normal(initKey, [3, 4]);
 */
export { key, type Seed } from "./key.js";
export { split, foldIn } from "./split.js";
export { bits } from "./bits.js";
export { uniform, type UniformOptions, type FloatDType } from "./uniform.js";
export { normal, truncatedNormal, type NormalOptions, type TruncatedNormalOptions } from "./normal.js";
export { bernoulli } from "./bernoulli.js";
export { randint, type RandintOptions, type IntDType } from "./randint.js";
export { permutation, type PermutationOptions } from "./permutation.js";
export { gumbel, type GumbelOptions } from "./gumbel.js";
export { categorical, type CategoricalOptions } from "./categorical.js";
export { choice, type ChoiceOptions } from "./choice.js";
export { toPureRandGenerator } from "./pure_rand.js";
export { nextafter } from "./nextafter.js";
