/**
 * The lax layer (as `jax.lax`): strict function forms of the primitives — no broadcasting, no
 * type promotion, operands of equal shapes and dtypes. `np` builds on it; primitive rules use
 * the modules below it directly (never this index, never `np`), so that files import in one
 * direction.
 */
export * from "./arithmetic.js";
export * from "./compare.js";
export * from "./unary.js";
export * from "./pow_rem.js";
