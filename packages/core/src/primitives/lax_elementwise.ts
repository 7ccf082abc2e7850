/**
 * Function forms of the elementwise primitives, lax-style: no promotion, no broadcasting, so
 * operands must already have equal shapes and dtypes. Derivative and batch rules are written
 * with these so that they read like the math and stay differentiable and batchable.
 */
import type { Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { addP, divP, maxP, minP, mulP, powP, subP } from "./arithmetic.js";
import { eqP, geP, gtP, leP, ltP, neP } from "./compare.js";
import { selectP } from "./select.js";
import { absP, cosP, expP, floorP, logP, negP, signP, sinP, sqrtP, tanhP } from "./unary.js";

/** `a + b` (lax.add). @example lax.add(x, y) */
export const add = (a: Tensor, b: Tensor): Tensor => bind1(addP, [a, b]);
/** `a - b` (lax.sub). @example lax.sub(x, y) */
export const sub = (a: Tensor, b: Tensor): Tensor => bind1(subP, [a, b]);
/** `a * b` (lax.mul). @example lax.mul(x, y) */
export const mul = (a: Tensor, b: Tensor): Tensor => bind1(mulP, [a, b]);
/** `a / b` (lax.div). @example lax.div(x, y) */
export const div = (a: Tensor, b: Tensor): Tensor => bind1(divP, [a, b]);
/** `a ** b` (lax.pow). @example lax.pow(x, y) */
export const pow = (a: Tensor, b: Tensor): Tensor => bind1(powP, [a, b]);
/** Elementwise maximum (lax.max). @example lax.max(x, y) */
export const max = (a: Tensor, b: Tensor): Tensor => bind1(maxP, [a, b]);
/** Elementwise minimum (lax.min). @example lax.min(x, y) */
export const min = (a: Tensor, b: Tensor): Tensor => bind1(minP, [a, b]);
/** `-a` (lax.neg). @example lax.neg(x) */
export const neg = (a: Tensor): Tensor => bind1(negP, [a]);
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
/** `a == b` as bool (lax.eq). @example lax.eq(x, y) */
export const eq = (a: Tensor, b: Tensor): Tensor => bind1(eqP, [a, b]);
/** `a != b` as bool (lax.ne). @example lax.ne(x, y) */
export const ne = (a: Tensor, b: Tensor): Tensor => bind1(neP, [a, b]);
/** `a < b` as bool (lax.lt). @example lax.lt(x, y) */
export const lt = (a: Tensor, b: Tensor): Tensor => bind1(ltP, [a, b]);
/** `a <= b` as bool (lax.le). @example lax.le(x, y) */
export const le = (a: Tensor, b: Tensor): Tensor => bind1(leP, [a, b]);
/** `a > b` as bool (lax.gt). @example lax.gt(x, y) */
export const gt = (a: Tensor, b: Tensor): Tensor => bind1(gtP, [a, b]);
/** `a >= b` as bool (lax.ge). @example lax.ge(x, y) */
export const ge = (a: Tensor, b: Tensor): Tensor => bind1(geP, [a, b]);
/** `pred ? onTrue : onFalse` elementwise (lax.select). @example lax.select(mask, x, y) */
export const select = (pred: Tensor, onTrue: Tensor, onFalse: Tensor): Tensor => bind1(selectP, [pred, onTrue, onFalse]);
