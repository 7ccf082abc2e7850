/**
 * Scalar error function and its inverse, in float64 and (for erfinv) in emulated float32
 * arithmetic. These are the kernels of the `erf` and `erf_inv` primitives; `random.normal`
 * maps uniform numbers through `erfinv`.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const SQRT_PI = 1.772453850905516;

/**
 * erf(x) for |x| < 1.5 by the everywhere-positive series
 * erf(x) = 2/√π · e^{-x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)), which has no cancellation.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc(x) for x ≥ 1.5 as Γ(½, x²)/√π, with Legendre's continued fraction for the upper
 * incomplete gamma function evaluated by the modified Lentz method (converges for x² > 1.5).
 */
function erfcContinuedFraction(x: number): number {
  const x2 = x * x;
  const tiny = 1e-300;
  let b = x2 + 0.5;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - 0.5);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (Math.exp(-x2) * x * h) / SQRT_PI;
}

/**
 * The error function in float64, accurate to a few ulp.
 * @example erf(0.5) // 0.5204998778130465
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 1.5) return erfSeries(x);
  if (a > 6) return x > 0 ? 1 : -1;
  const r = 1 - erfcContinuedFraction(a);
  return x > 0 ? r : -r;
}

/**
 * The complementary error function 1 - erf(x) in float64, accurate relative to its (tiny)
 * value in the upper tail.
 * @example erfc(5) // 1.5374597944280347e-12
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 1.5) return 1 - erf(x);
  if (x > 27.3) return 0;
  return erfcContinuedFraction(x);
}

/** Giles' single-precision polynomial coefficients ("Approximating the erfinv function", 2010). */
const CENTRAL = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
  0.246640727, 1.50140941,
].map(Math.fround);
const TAIL = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
  1.00167406, 2.83297682,
].map(Math.fround);

/**
 * erfinv(y) computed as XLA computes it for float32 (Giles' polynomial, `w = -log1p(-y²)`),
 * rounding every operation to float32 so that results match JAX's as closely as JS allows.
 * erfinv(±1) = ±∞; |y| > 1 gives NaN.
 * @example erfinvFloat32(0.5) // 0.4769362807273865
 */
export function erfinvFloat32(y: number): number {
  const f = Math.fround;
  const x = f(y);
  if (Number.isNaN(x) || Math.abs(x) > 1) return NaN;
  if (Math.abs(x) === 1) return x * Infinity;
  let w = -f(Math.log1p(-f(x * x)));
  const central = w < 5;
  w = central ? f(w - 2.5) : f(f(Math.sqrt(w)) - 3);
  const coeffs = central ? CENTRAL : TAIL;
  let p = coeffs[0]!;
  for (let i = 1; i < coeffs.length; i++) p = f(coeffs[i]! + f(p * w));
  return f(p * x);
}

/**
 * erfinv(y) in float64: Giles' polynomial as a first guess, then Newton steps on erf (|y| ≤ ½)
 * or on log(erfc) (|y| > ½, where 1 - |y| is exact and erfc keeps full relative precision).
 * @example erfinvFloat64(0.5) // 0.4769362762044699
 */
export function erfinvFloat64(y: number): number {
  if (Number.isNaN(y) || Math.abs(y) > 1) return NaN;
  if (Math.abs(y) === 1) return y * Infinity;
  if (y === 0) return y;
  const a = Math.abs(y);
  // First guess: the float32 polynomial evaluated in float64 (relative error ~1e-7).
  let w = -Math.log1p(-a * a);
  const central = w < 5;
  w = central ? w - 2.5 : Math.sqrt(w) - 3;
  const coeffs = central ? CENTRAL : TAIL;
  let p = coeffs[0]!;
  for (let i = 1; i < coeffs.length; i++) p = coeffs[i]! + p * w;
  let x = p * a;
  if (a <= 0.5) {
    for (let k = 0; k < 4; k++) {
      const step = (erf(x) - a) / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
      x -= step;
      if (Math.abs(step) <= 1e-17 * x) break;
    }
  } else {
    const logTarget = Math.log(1 - a);
    for (let k = 0; k < 8; k++) {
      const e = erfc(x);
      // g(x) = log erfc(x) - log(1 - a); g'(x) = -(2/√π) e^{-x²} / erfc(x).
      const step = ((Math.log(e) - logTarget) * e) / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
      x += step;
      if (Math.abs(step) <= 1e-17 * x) break;
    }
  }
  return y < 0 ? -x : x;
}
