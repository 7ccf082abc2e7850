/**
 * pow and rem: binary arithmetic primitives whose derivative rules need unary primitives
 * (log; sign, floor, abs), so they sit above both `arithmetic.ts` and `unary.ts`.
 */
import { integerPower, truncatingRemainder } from "../backend/kernels/scalar.js";
import type { Primitive } from "../primitive.js";
import { bind1 } from "../trace.js";
import { div, mul, neg, sub } from "../lax/arithmetic.js";
import { eq, select } from "../lax/compare.js";
import { abs, floor, log, sign } from "../lax/unary.js";
import { defineBinary, isInt } from "./arithmetic.js";
import { fullLike, NUMERIC } from "./elementwise.js";

/**
 * Remainder with the sign of the dividend, C-style (lax.rem): `x - y * trunc(x / y)`;
 * integer `x % 0` is `x`. ∂/∂y is `-trunc(x / y)`.
 */
export const remP: Primitive = defineBinary({
  name: "rem",
  dtypes: NUMERIC,
  kernel: (dtype) => (isInt(dtype) ? truncatingRemainder : (a, b) => a % b),
  partials: (x, y) => [
    () => fullLike(x, 1),
    () => {
      const q = div(x, y);
      return neg(mul(sign(q), floor(abs(q))));
    },
  ],
});

/**
 * `x ** y` (lax.pow). Floats: IEEE pow. Integers: exact wrap-around powers by squaring
 * (negative exponents truncate: 0 unless the base is ±1). ∂/∂x is 0 where y = 0 and
 * ∂/∂y uses log(x) with x = 0 replaced by 1, as JAX, so that 0 ** y has finite derivatives.
 */
export const powP: Primitive = defineBinary({
  name: "pow",
  dtypes: NUMERIC,
  kernel: (dtype) => (isInt(dtype) ? (a, b) => integerPower(a, b, dtype) : Math.pow),
  partials: (x, y, out) => [
    () => {
      const zero = fullLike(x, 0);
      const yMinus1 = sub(y, fullLike(y, 1));
      return select(eq(y, zero), zero, mul(y, bind1(powP, [x, yMinus1])));
    },
    () => {
      const zero = fullLike(x, 0);
      const safeX = select(eq(x, zero), fullLike(x, 1), x);
      return mul(log(safeX), out);
    },
  ],
});
