/**
 * The exponential as a float64 polynomial and an exact power of two, for float32 results:
 * `e^z = 2^k · e^f` with `k = round(z · log2 e)` and `f = (z · log2 e − k) · ln 2`, `|f| ≤ ln2/2`,
 * `e^f` by Horner's rule over `1/j!`, j = 0..10 (relative error below 2e-13). Rounded once to
 * float32, that is the correctly rounded float32 value except where e^z lies within that error of
 * a rounding boundary. The JavaScript functions here and the WebAssembly SIMD code that uses
 * these constants (`wasm/elementwise_kernels.ts`'s `exp`) perform the same
 * float64 operations in the same order (no fused multiply-adds in either), so they agree bit for
 * bit; the vector code runs several times faster than `Math.exp` in a JavaScript loop.
 */

/** The float64 constants shared by the JavaScript and WebAssembly versions. */
export const EXP_POLY = {
  /** The exponent is clamped to `[zMin, zMax]`, so that `2^k` stays a normal float64. */
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
 * to even; the sum's bits are then those of 1.5 · 2^52 plus that integer (the WebAssembly kernels
 * build `2^k` from them).
 */
export const ROUNDING = 6755399441055744;

/** 2^k for every k the clamped exponent can reach, indexed by k + 1022. */
const POW2 = new Float64Array(2047);
for (let k = -1022; k <= 1024; k++) POW2[k + 1022] = Math.pow(2, k);

const { zMin, zMax, log2e, ln2, taylor } = EXP_POLY;
const [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10] = taylor as unknown as number[];

/**
 * e^{zc} for an exponent already clamped to `[zMin, zMax]` (NaN stays NaN).
 * Example: `expClamped(1)` is `Math.E` within 2e-13 relative.
 */
export function expClamped(zc: number): number {
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
 * e^v for a float32 `v`, in float64 before the caller rounds it to float32 (as every float32
 * kernel's result is stored): +∞ above ~88.72, 0 below ~-103.98 (subnormals in between are
 * rounded once, from float64), NaN for NaN.
 * Example: `Math.fround(expF32(1))` is `Math.fround(Math.E)`.
 */
export function expF32(v: number): number {
  return expClamped(v < zMin ? zMin : v > zMax ? zMax : v);
}
