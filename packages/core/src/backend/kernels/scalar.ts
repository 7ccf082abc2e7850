/**
 * Scalar semantics of the elementwise primitives where JS operators differ from XLA's:
 * rounding, integer division and remainder, integer powers, shifts and the stable sigmoid.
 * Values arrive as JS numbers read from the operand's typed array; storing the result into
 * the output's typed array performs the int32/uint32 wrap-around and float32 rounding.
 */

import type { DType } from "../../dtype.js";

/**
 * Round half to even, as `np.round` and `lax.round(..., ROUND_TO_NEAREST_EVEN)`.
 * @example roundHalfEven(2.5) // 2
 */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  // Math.round sends halves up; an odd result of a tie moves down to the even neighbour.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The sign: -1, 0 or 1 (NaN stays NaN, ±0 keeps its sign).
 * @example sign(-3) // -1
 */
export function sign(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : v;
}

/**
 * The logistic sigmoid 1/(1+e^{-v}), without overflow for large |v|.
 * @example logistic(0) // 0.5
 */
export function logistic(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * Integer division truncating toward zero, as XLA: `x / 0` is -1 (all bits set) and
 * `INT_MIN / -1` wraps to `INT_MIN` when stored.
 * @example truncatingDivide(-7, 2) // -3
 */
export function truncatingDivide(a: number, b: number): number {
  if (b === 0) return -1;
  return Math.trunc(a / b);
}

/**
 * C-style integer remainder (the sign of the dividend), as XLA: `x % 0` is `x`.
 * @example truncatingRemainder(-7, 2) // -1
 */
export function truncatingRemainder(a: number, b: number): number {
  if (b === 0) return a;
  return a % b || 0;
}

/**
 * `a ** b` for integers with wrap-around multiplication (exponentiation by squaring). A
 * negative exponent gives the truncated value: 1 for base 1, ±1 for base -1, 0 otherwise.
 * @example integerPower(3, 4, "int32") // 81
 */
export function integerPower(a: number, b: number, dtype: DType): number {
  if (b < 0) {
    if (a === 1) return 1;
    if (a === -1) return b % 2 === 0 ? 1 : -1;
    return 0;
  }
  const wrap = dtype === "uint32" ? (v: number) => v >>> 0 : (v: number) => v | 0;
  let result = 1;
  let base = wrap(a);
  let e = b;
  while (e > 0) {
    if (e & 1) result = wrap(Math.imul(result, base));
    base = wrap(Math.imul(base, base));
    e = Math.floor(e / 2);
  }
  return result;
}

/**
 * Wrap-around integer multiplication (the product as int32 bits; uint32 outputs reinterpret
 * them when stored).
 * @example wrappingMultiply(65536, 65536) // 0
 */
export function wrappingMultiply(a: number, b: number): number {
  return Math.imul(a, b);
}

/** Shift amounts are read as unsigned: negative or ≥ 32 are out of range, as in XLA. */
const inRange = (s: number): boolean => s >>> 0 < 32;

/**
 * `a << s`; out-of-range amounts give 0.
 * @example shiftLeft(1, 31) // -2147483648 (as int32 bits)
 */
export function shiftLeft(a: number, s: number): number {
  return inRange(s) ? a << s : 0;
}

/**
 * Logical right shift (zeros shifted in); out-of-range amounts give 0.
 * @example shiftRightLogical(-1, 28) // 15
 */
export function shiftRightLogical(a: number, s: number): number {
  return inRange(s) ? a >>> s : 0;
}

/**
 * Arithmetic right shift (sign bit shifted in, reading the bits as int32); out-of-range
 * amounts give 0 or -1 by the sign.
 * @example shiftRightArithmetic(-8, 1) // -4
 */
export function shiftRightArithmetic(a: number, s: number): number {
  const signed = a | 0;
  return inRange(s) ? signed >> s : signed < 0 ? -1 : 0;
}

/** √(2/π), the scale inside the tanh approximation of GELU. */
const GELU_C = Math.sqrt(2 / Math.PI);
/** The cubic coefficient of the tanh approximation of GELU. */
const GELU_A = 0.044715;

/**
 * GELU's tanh approximation `x · ½(1 + tanh(√(2/π)(x + 0.044715 x³)))`, in float64, with the
 * operations in the order `nn.gelu` once applied them one primitive at a time (so float64
 * results are unchanged; float32 is rounded once instead of after each step).
 * Example: `geluTanh(1)` is 0.8411919906082768.
 */
export function geluTanh(v: number): number {
  return v * (0.5 * (1 + Math.tanh(GELU_C * (v + GELU_A * (v * (v * v))))));
}

/**
 * The derivative of {@link geluTanh}: `½(1 + t) + ½ x (1 − t²) u'` with `t = tanh(u)`,
 * `u = √(2/π)(x + 0.044715 x³)` and `u' = √(2/π)(1 + 3 · 0.044715 x²)`, in float64.
 * Example: `geluTanhDerivative(0)` is 0.5.
 */
export function geluTanhDerivative(v: number): number {
  const t = Math.tanh(GELU_C * (v + GELU_A * (v * (v * v))));
  const du = GELU_C * (1 + 3 * GELU_A * (v * v));
  return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du;
}

/** The constants of the GELU approximation, for rules written with primitives. */
export const GELU_TANH_CONSTANTS = { c: GELU_C, a: GELU_A } as const;
