/**
 * Function forms of the arithmetic primitives, lax-style (as `jax.lax`): no promotion, no
 * broadcasting, so operands must already have equal shapes and dtypes. Rules of higher
 * primitives and `np` are written with these.
 */
import type { Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { addP, atan2P, divP, maxP, minP, mulP, negP, subP } from "../primitives/arithmetic.js";

/** `a + b` (lax.add). @example lax.add(x, y) */
export const add = (a: Tensor, b: Tensor): Tensor => bind1(addP, [a, b]);
/** `a - b` (lax.sub). @example lax.sub(x, y) */
export const sub = (a: Tensor, b: Tensor): Tensor => bind1(subP, [a, b]);
/** `a * b` (lax.mul). @example lax.mul(x, y) */
export const mul = (a: Tensor, b: Tensor): Tensor => bind1(mulP, [a, b]);
/** `a / b` (lax.div). @example lax.div(x, y) */
export const div = (a: Tensor, b: Tensor): Tensor => bind1(divP, [a, b]);
/** Elementwise maximum (lax.max). @example lax.max(x, y) */
export const max = (a: Tensor, b: Tensor): Tensor => bind1(maxP, [a, b]);
/** Elementwise minimum (lax.min). @example lax.min(x, y) */
export const min = (a: Tensor, b: Tensor): Tensor => bind1(minP, [a, b]);
/** atan(a / b) in the right quadrant (lax.atan2). @example lax.atan2(y, x) */
export const atan2 = (a: Tensor, b: Tensor): Tensor => bind1(atan2P, [a, b]);
/** `-a` (lax.neg). @example lax.neg(x) */
export const neg = (a: Tensor): Tensor => bind1(negP, [a]);
