/** Function forms of the unary elementwise primitives, lax-style (no promotion). */
import type { Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { absP, cosP, expP, floorP, logP, signP, sinP, sqrtP, tanhP } from "../primitives/unary.js";

/** e^a (lax.exp). @example lax.exp(x) */
export const exp = (a: Tensor): Tensor => bind1(expP, [a]);
/** Natural logarithm (lax.log). @example lax.log(x) */
export const log = (a: Tensor): Tensor => bind1(logP, [a]);
/** Square root (lax.sqrt). @example lax.sqrt(x) */
export const sqrt = (a: Tensor): Tensor => bind1(sqrtP, [a]);
/** Sine (lax.sin). @example lax.sin(x) */
export const sin = (a: Tensor): Tensor => bind1(sinP, [a]);
/** Cosine (lax.cos). @example lax.cos(x) */
export const cos = (a: Tensor): Tensor => bind1(cosP, [a]);
/** Hyperbolic tangent (lax.tanh). @example lax.tanh(x) */
export const tanh = (a: Tensor): Tensor => bind1(tanhP, [a]);
/** Sign (lax.sign). @example lax.sign(x) */
export const sign = (a: Tensor): Tensor => bind1(signP, [a]);
/** Round toward -∞ (lax.floor). @example lax.floor(x) */
export const floor = (a: Tensor): Tensor => bind1(floorP, [a]);
/** Absolute value (lax.abs). @example lax.abs(x) */
export const abs = (a: Tensor): Tensor => bind1(absP, [a]);
