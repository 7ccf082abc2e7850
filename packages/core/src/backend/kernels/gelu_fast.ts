/**
 * GELU's tanh approximation for float32 data, computed in float64 as `x · σ(2u)` (the same
 * function: `½(1 + tanh(u)) = 1 / (1 + e^{-2u})`, `u = √(2/π)(x + 0.044715 x³)`) with the exp of
 * `exp_poly.ts` (a degree-10 polynomial and an exact power of two, relative error below 2e-13), and
 * rounded once to float32. The sigmoid form has no cancellation where `tanh(u)` nears -1, so
 * it is also the more accurate one for negative inputs (the tanh form in float64 is off by
 * 2.7e-7 relative at x = -6 and gives -0 at x = -9, where the value is -1.3e-28; here the
 * result is the correctly rounded float32 value). The scalar
 * functions below and the WebAssembly SIMD kernel (`wasm/gelu_kernels.ts`) perform the same
 * float64 operations in the same order, so they agree bit for bit; the kernel runs about five
 * times faster than `Math.tanh` and `Math.exp` in a JavaScript loop.
 *
 * Special values: NaN gives NaN; +∞ gives +∞ (derivative NaN); -∞ gives NaN (as the tanh form).
 */

import { EXP_POLY, expClamped } from "./exp_poly.js";
import { GELU_TANH_CONSTANTS } from "./scalar.js";

const { c: SQRT_2_OVER_PI, a: GELU_A } = GELU_TANH_CONSTANTS;

/** The float64 constants shared by the JavaScript and WebAssembly versions (the exp's: `exp_poly.ts`). */
export const GELU_FAST = {
  /** `z = x · (k1 + k2 · x²)` is `-2u`. */
  k1: -2 * SQRT_2_OVER_PI,
  k2: -2 * SQRT_2_OVER_PI * GELU_A,
  /** `2u' = d1 + d2 · x²`. */
  d1: 2 * SQRT_2_OVER_PI,
  d2: 6 * SQRT_2_OVER_PI * GELU_A,
  /** The exponent is clamped to `[zMin, zMax]` (powers of two stay normal); above `zMax`, σ is 0. */
  ...EXP_POLY,
} as const;

const { k1, k2, d1, d2, zMin, zMax } = GELU_FAST;

/**
 * GELU (tanh approximation) of a float32 value, in float64 before the caller rounds it.
 * Example: `Math.fround(geluTanhF32(1))` is `Math.fround(0.8411919906082768)`.
 */
export function geluTanhF32(v: number): number {
  const x2 = v * v;
  const z = v * (k1 + k2 * x2);
  const e = expClamped(z < zMin ? zMin : z > zMax ? zMax : z);
  const s = z > zMax ? 0 : 1 / (1 + e);
  return v * s;
}

/**
 * The derivative of {@link geluTanhF32}: `σ + x · 2u' · σ(1 − σ)` with `1 − σ = e^{-2u} σ`.
 * Example: `geluTanhDerivativeF32(0)` is 0.5.
 */
export function geluTanhDerivativeF32(v: number): number {
  const x2 = v * v;
  const z = v * (k1 + k2 * x2);
  const e = expClamped(z < zMin ? zMin : z > zMax ? zMax : z);
  const s = z > zMax ? 0 : 1 / (1 + e);
  const du = d1 + d2 * x2;
  const q = e * s;
  return s + v * du * q * s;
}
