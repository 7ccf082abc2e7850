/** Function forms of pow and rem, lax-style (equal shapes and dtypes). */
import type { Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { powP, remP } from "../primitives/pow_rem.js";

/** `a ** b` (lax.pow). @example lax.pow(x, y) */
export const pow = (a: Tensor, b: Tensor): Tensor => bind1(powP, [a, b]);
/** Remainder with the sign of the dividend (lax.rem). @example lax.rem(x, y) */
export const rem = (a: Tensor, b: Tensor): Tensor => bind1(remP, [a, b]);
