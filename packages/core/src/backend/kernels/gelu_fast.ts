/**
 * GELU's tanh approximation for float32 data, in float32 arithmetic, as `x · σ(2u)` (the same
 * function: `½(1 + tanh(u)) = 1 / (1 + e^{-2u})`, `u = √(2/π)(x + 0.044715 x³)`), with the exp
 * as `2^k · p(f)`: `k = round(z · log2 e)`, `f = z − k·ln2` in two parts (Cody and Waite), `p`
 * the Taylor polynomial of degree 7 (relative error below 6e-9 on |f| ≤ ln2/2), and `2^k` built
 * from its exponent bits. Every operation is a float32 operation, rounded as float32 rounds it:
 * the functions below round each step with `Math.fround`, and the WebAssembly SIMD kernel
 * (`wasm/gelu_kernels.ts`) performs the same operations in the same order on four lanes at
 * once, so they agree bit for bit.
 *
 * Accuracy (every float32 in [-12, 12) on a grid of 2^21 against the formula in float64, the
 * value's error in float32 units in the last place of the exact value): within 2.5 units for
 * x ≥ -1, 13 in [-3, -1), 62 in [-6, -3) and 170 in [-9, -6), where the value is below 2e-4 and
 * its relative error grows with |2u| (the exp's argument is itself a rounded float32, and
 * e^z's relative error is |z| times z's); below -9 the value is subnormal or 0 (its exact value
 * is below 1e-35). The derivative is within 2e-7 of the exact one everywhere. The tanh form in
 * float32, as JAX and TensorFlow compute it, loses the digits that cancel where `tanh(u)`
 * nears -1 (emulated with `Math.fround` after each step: 176 units at x = -3, 4,354 at -4, and 0
 * from x ≈ -5.16); the sigmoid form has no such cancellation. The kernel
 * takes about half the time of the float64 evaluation of the same formula on two lanes that it
 * replaced (both results over 32,000 values, one thread, medians of 30 alternating rounds in one
 * process, 2026-12-07 ~21:20 UTC: 81.3 against 152.7 µs, and 89.4 against 160.1), GELU and its
 * derivative being a tenth of a DenseMLP training step.
 *
 * Inputs are clamped to `[-16, 16]` for the polynomial part: beyond it the float32 results are
 * their limits (`σ(2u)` is 1 or 0, the derivative 1 or 0), and `x³` cannot overflow. Special
 * values: NaN gives NaN; +∞ gives +∞ (derivative 1); -∞ gives NaN (`-∞ · 0`, as the tanh form),
 * derivative 0; -0 gives -0.
 */

import { GELU_TANH_CONSTANTS } from "./scalar.js";

const { c: SQRT_2_OVER_PI, a: GELU_A } = GELU_TANH_CONSTANTS;
const F = Math.fround;

/** 1/j! for j = 0..7, rounded to float32: e^f on |f| ≤ ln2/2 by Horner's rule from the last. */
const TAYLOR: readonly number[] = Array.from({ length: 8 }, (_, j) => {
  let factorial = 1;
  for (let i = 2; i <= j; i++) factorial *= i;
  return F(1 / factorial);
});

/** The float32 constants shared by the JavaScript and WebAssembly versions (each exactly a float32). */
export const GELU_FAST = {
  /** `z = x · (k1 + k2 · x²)` is `-2u`. */
  k1: F(-2 * SQRT_2_OVER_PI),
  k2: F(-2 * SQRT_2_OVER_PI * GELU_A),
  /** `2u' = d1 + d2 · x²`. */
  d1: F(2 * SQRT_2_OVER_PI),
  d2: F(6 * SQRT_2_OVER_PI * GELU_A),
  /** The input is clamped to `[-xMax, xMax]` for the polynomial part (beyond it the results are their limits). */
  xMax: 16,
  /** The exponent is clamped to `[zMin, zMax]` (so `2^k` stays a normal float32, k in [-126, 127]); above `zMax`, σ is 0. */
  zMin: -87,
  zMax: 88,
  log2e: F(Math.LOG2E),
  /** ln 2 in two parts: `ln2Hi` has 9 significant bits, so `k · ln2Hi` is exact for every k here. */
  ln2Hi: 0.693359375,
  ln2Lo: F(Math.LN2 - 0.693359375),
  /** Adding and subtracting 1.5 · 2^23 rounds a float32 below 2^22 in magnitude to an integer, ties to even; the sum's bits are then 1.5 · 2^23's plus that integer. */
  rounding: 12582912,
  taylor: TAYLOR,
} as const;

const { k1, k2, d1, d2, xMax, zMin, zMax, log2e, ln2Hi, ln2Lo, rounding } = GELU_FAST;
const [c0, c1, c2, c3, c4, c5, c6, c7] = TAYLOR as [number, number, number, number, number, number, number, number];

/** 2^k for every k the clamped exponent can reach, indexed by k + 126. */
const POW2 = new Float64Array(254);
for (let k = -126; k <= 127; k++) POW2[k + 126] = Math.pow(2, k);

/** The shared part of both functions for a float32 `v`: the clamped input, its square, `z`, `e^z` and `σ = 1 / (1 + e^z)`. */
function sigmoidPart(v: number): { x: number; x2: number; e: number; s: number } {
  const x = v < -xMax ? -xMax : v > xMax ? xMax : v;
  const x2 = F(x * x);
  const z = F(x * F(k1 + F(k2 * x2)));
  const zc = z < zMin ? zMin : z > zMax ? zMax : z;
  const k = F(F(F(zc * log2e) + rounding) - rounding);
  const f = F(F(zc - F(k * ln2Hi)) - F(k * ln2Lo));
  let p = c7;
  p = F(F(p * f) + c6);
  p = F(F(p * f) + c5);
  p = F(F(p * f) + c4);
  p = F(F(p * f) + c3);
  p = F(F(p * f) + c2);
  p = F(F(p * f) + c1);
  p = F(F(p * f) + c0);
  // NaN stays NaN through the clamp and k; POW2[NaN] is undefined, and p · undefined NaN.
  const e = F(p * POW2[k + 126]!);
  const s = z > zMax ? 0 : F(1 / F(1 + e));
  return { x, x2, e, s };
}

/**
 * GELU (tanh approximation) of a float32 value, in float32 arithmetic.
 * Example: `geluTanhF32(1)` is `Math.fround(0.8411919906082768)` within a unit in the last place.
 */
export function geluTanhF32(v: number): number {
  return F(v * sigmoidPart(v).s);
}

/**
 * The derivative of {@link geluTanhF32}: `σ + x · 2u' · σ(1 − σ)` with `1 − σ = e^{-2u} σ`.
 * Example: `geluTanhDerivativeF32(0)` is 0.5.
 */
export function geluTanhDerivativeF32(v: number): number {
  const { x, x2, e, s } = sigmoidPart(v);
  const du = F(d1 + F(d2 * x2));
  return F(s + F(F(F(x * du) * F(e * s)) * s));
}
