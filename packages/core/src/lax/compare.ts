/** Function forms of the comparison and selection primitives, lax-style (equal shapes and dtypes). */
import type { Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { eqP, geP, gtP, leP, ltP, neP } from "../primitives/compare.js";
import { selectP } from "../primitives/select.js";

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
