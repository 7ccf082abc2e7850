/**
 * GELU's tanh approximation for float32 data, computed in float64 as `x · σ(2u)` (the same
 * function: `½(1 + tanh(u)) = 1 / (1 + e^{-2u})`, `u = √(2/π)(x + 0.044715 x³)`) with an exp
 * built from a degree-10 polynomial and an exact power of two (relative error below 2e-13), and
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

import { GELU_TANH_CONSTANTS } from "./scalar.js";

const { c: SQRT_2_OVER_PI, a: GELU_A } = GELU_TANH_CONSTANTS;

/** The float64 constants shared by the JavaScript and WebAssembly versions. */
export const GELU_FAST = {
  /** `z = x · (k1 + k2 · x²)` is `-2u`. */
  k1: -2 * SQRT_2_OVER_PI,
  k2: -2 * SQRT_2_OVER_PI * GELU_A,
  /** `2u' = d1 + d2 · x²`. */
  d1: 2 * SQRT_2_OVER_PI,
  d2: 6 * SQRT_2_OVER_PI * GELU_A,
  /** The exponent is clamped to `[zMin, zMax]` (powers of two stay normal); above `zMax`, σ is 0. */
  zMin: -708,
  zMax: 709,
  log2e: Math.LOG2E,
  ln2: Math.LN2,
  /** `1/j!` for j = 0..10: e^f on |f| ≤ ln2/2 by Horner's rule from the last. */
  taylor: Array.from({ length: 11 }, (_, j) => 1 / factorial(j)),
} as const;

function factorial(j: number): number {
  let f = 1;
  for (let i = 2; i <= j; i++) f *= i;
  return f;
}

/**
 * Adding and subtracting 1.5 · 2^52 rounds a double of magnitude below 2^51 to an integer, ties
 * to even; the sum's bits are then those of 1.5 · 2^52 plus that integer (the WebAssembly kernel
 * builds `2^k` from them).
 */
export const ROUNDING = 6755399441055744;

/** 2^k for every k the clamped exponent can reach, indexed by k + 1022. */
const POW2 = new Float64Array(2047);
for (let k = -1022; k <= 1024; k++) POW2[k + 1022] = Math.pow(2, k);

const { k1, k2, d1, d2, zMin, zMax, log2e, ln2, taylor } = GELU_FAST;
const [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10] = taylor as unknown as number[];

/** e^{zc} for a clamped exponent (the kernel's exp; NaN stays NaN). */
function expClamped(zc: number): number {
  const t = zc * log2e;
  const k = t + ROUNDING - ROUNDING;
  const f = (t - k) * ln2;
  let p = c10!;
  p = p * f + c9!;
  p = p * f + c8!;
  p = p * f + c7!;
  p = p * f + c6!;
  p = p * f + c5!;
  p = p * f + c4!;
  p = p * f + c3!;
  p = p * f + c2!;
  p = p * f + c1!;
  p = p * f + c0!;
  return p * POW2[k + 1022]!;
}

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
