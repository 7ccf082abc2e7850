/**
 * Unary elementwise primitives. Each is one `defineUnary` entry: the scalar kernel, the
 * dtypes it accepts and its derivative written with primitives (so that jvp and vjp are the
 * same multiplier and are themselves differentiable). Integer operands have null tangents.
 */
import { type DType, isFloat } from "../dtype.js";
import { allocateUninitialized } from "../backend/buffers.js";
import { definePrimitive, type AbstractArray, type Primitive } from "../primitive.js";
import { ConcreteTensor, sizeOf, type Tensor } from "../tensor.js";
import { geluTanhDerivativeF32, geluTanhF32 } from "../backend/kernels/gelu_fast.js";
import { expF32 } from "../backend/kernels/exp_poly.js";
import { geluBothF32Wasm, geluF32Wasm, wasmGeluAvailable } from "../backend/kernels/wasm/gelu_wasm.js";
import { bind, bind1 } from "../trace.js";
import { erf, erfinvFloat32, erfinvFloat64 } from "../backend/kernels/erf.js";
import { elementwise, kernelPerDType } from "../backend/kernels/fusion.js";
import type { SimdOp } from "../backend/kernels/wasm/elementwise_kernels.js";

const logicalNot = (v: number) => (v ? 0 : 1);
const bitwiseNot = (v: number) => ~v;
const isFiniteScalar = (v: number) => (Number.isFinite(v) ? 1 : 0);
import { GELU_TANH_CONSTANTS, geluTanh, geluTanhDerivative, logistic, roundHalfEven, sign } from "../backend/kernels/scalar.js";
import { defineDiscreteElementwise, FLOAT, fullLike, INTEGER_OR_BOOL, NUMERIC, unaryAbstractEval } from "./elementwise.js";
import { add, div, mul, neg, sub } from "../lax/arithmetic.js";
import { ge, select } from "../lax/compare.js";

interface UnarySpec {
  name: string;
  /** Accepted operand dtypes. */
  dtypes: readonly DType[];
  /** The scalar function for an operand dtype. */
  kernel: (dtype: DType) => (v: number) => number;
  /**
   * d out / d x as a tensor of x's shape, from the operand and the output. Omitted for
   * piecewise-constant functions, whose tangents are symbolic zeros.
   */
  derivative?: (x: Tensor, out: Tensor) => Tensor;
  /** For linear functions: the tangent map itself (it is its own transpose). */
  linear?: (t: Tensor) => Tensor;
  /**
   * A whole-array kernel that computes exactly what the scalar kernel does, for the operands
   * it takes (`null` otherwise); jit leaves such equations unfused (see `Primitive.unfusedFor`).
   */
  arrayKernel?: { applies: (x: AbstractArray) => boolean; run: (x: ConcreteTensor) => ConcreteTensor };
  /** The WebAssembly SIMD operation computing `kernel` exactly on float32 (see `Primitive.simdLowering`). */
  simd?: SimdOp;
  /** See `Primitive.jointWith`. */
  jointWith?: Primitive["jointWith"];
}

/** Define a unary elementwise primitive from its spec (see `UnarySpec`). */
function defineUnary(spec: UnarySpec): Primitive {
  const { name, dtypes, kernel, derivative, linear, arrayKernel, simd, jointWith } = spec;
  const tangentOf = (x: Tensor, out: Tensor, t: Tensor | null): Tensor | null => {
    if (!t || !isFloat(x.dtype)) return null;
    if (linear) return linear(t);
    if (derivative) return mul(t, derivative(x, out));
    return null;
  };
  const scalar = kernelPerDType(kernel);
  const prim: Primitive = definePrimitive({
    name,
    // Both paths below allocate their output.
    outputBuffers: "fresh",
    abstractEval: unaryAbstractEval(name, dtypes),
    scalarKernel: ([x]) => scalar(x!.dtype),
    ...(simd ? { simdLowering: () => simd } : {}),
    ...(arrayKernel ? { unfusedFor: ([x]: AbstractArray[]) => arrayKernel.applies(x!) } : {}),
    ...(jointWith ? { jointWith } : {}),
    impl([x]) {
      if (arrayKernel?.applies(x!)) return [arrayKernel.run(x!)];
      return [elementwise(scalar(x!.dtype), [x!], x!.dtype, x!.weakType, simd)];
    },
    jvp([x], [t]) {
      const out = bind1(prim, [x!]);
      return [[out], [tangentOf(x!, out, t ?? null)]];
    },
    vjp([ct], [x], [out]) {
      return [tangentOf(x!, out!, ct ?? null)];
    },
    batch([x], [bd]) {
      return [[bind1(prim, [x!])], [bd!]];
    },
  });
  return prim;
}

const same = (f: (v: number) => number) => () => f;
const half = (x: Tensor) => fullLike(x, 0.5);
const one = (x: Tensor) => fullLike(x, 1);

/** -1, 0 or 1 by the sign of x (lax.sign); zero derivative. */
export const signP = defineUnary({ name: "sign", dtypes: NUMERIC, kernel: same(sign) });

/** |x| (lax.abs); derivative 1 at 0 as JAX's. `abs(INT_MIN)` wraps to INT_MIN. */
export const absP = defineUnary({
  name: "abs",
  dtypes: NUMERIC,
  kernel: same(Math.abs),
  simd: "abs",
  derivative: (x) => select(ge(x, fullLike(x, 0)), one(x), fullLike(x, -1)),
});

/** Round toward -∞ (lax.floor); zero derivative. */
export const floorP = defineUnary({ name: "floor", dtypes: FLOAT, kernel: same(Math.floor) });

/** Round toward +∞ (lax.ceil); zero derivative. */
export const ceilP = defineUnary({ name: "ceil", dtypes: FLOAT, kernel: same(Math.ceil) });

/** Round to nearest, ties to even, as NumPy (lax.round with ROUND_TO_NEAREST_EVEN). */
export const roundP = defineUnary({ name: "round", dtypes: FLOAT, kernel: same(roundHalfEven) });

/**
 * e^x (lax.exp). Float32 operands take `exp_poly.ts`'s polynomial in float64, rounded once (the
 * correctly rounded value but within 2e-13 of a rounding boundary), which WebAssembly SIMD runs
 * bit for bit alike (`simd: "exp"`); float64 ones take `Math.exp`.
 */
export const expP = defineUnary({ name: "exp", dtypes: FLOAT, kernel: (dtype) => (dtype === "float32" ? expF32 : Math.exp), simd: "exp", derivative: (_x, out) => out });

/** Natural logarithm (lax.log). */
export const logP = defineUnary({ name: "log", dtypes: FLOAT, kernel: same(Math.log), derivative: (x) => div(one(x), x) });

/** log(1 + x), accurate near 0 (lax.log1p). */
export const log1pP = defineUnary({
  name: "log1p",
  dtypes: FLOAT,
  kernel: same(Math.log1p),
  derivative: (x) => div(one(x), add(x, one(x))),
});

/** e^x - 1, accurate near 0 (lax.expm1). */
export const expm1P = defineUnary({
  name: "expm1",
  dtypes: FLOAT,
  kernel: same(Math.expm1),
  derivative: (x, out) => add(out, one(x)),
});

/** √x (lax.sqrt). */
export const sqrtP = defineUnary({
  name: "sqrt",
  dtypes: FLOAT,
  kernel: same(Math.sqrt),
  simd: "sqrt",
  derivative: (x, out) => div(half(x), out),
});

/** 1/√x (lax.rsqrt). */
export const rsqrtP = defineUnary({
  name: "rsqrt",
  dtypes: FLOAT,
  kernel: same((v) => 1 / Math.sqrt(v)),
  derivative: (x, out) => mul(fullLike(x, -0.5), div(out, x)),
});

/** Sine (lax.sin). */
export const sinP = defineUnary({ name: "sin", dtypes: FLOAT, kernel: same(Math.sin), derivative: (x) => cos(x) });

/** Cosine (lax.cos). */
export const cosP = defineUnary({ name: "cos", dtypes: FLOAT, kernel: same(Math.cos), derivative: (x) => neg(sin(x)) });

/** Tangent (lax.tan); derivative 1 + tan². */
export const tanP = defineUnary({
  name: "tan",
  dtypes: FLOAT,
  kernel: same(Math.tan),
  derivative: (x, out) => add(one(x), mul(out, out)),
});

/** Hyperbolic tangent (lax.tanh); derivative 1 - tanh². */
export const tanhP = defineUnary({
  name: "tanh",
  dtypes: FLOAT,
  kernel: same(Math.tanh),
  derivative: (x, out) => sub(one(x), mul(out, out)),
});

/** The logistic sigmoid 1/(1+e^{-x}), stable for large |x| (lax.logistic); derivative s(1-s). */
export const logisticP = defineUnary({
  name: "logistic",
  dtypes: FLOAT,
  kernel: same(logistic),
  derivative: (x, out) => mul(out, sub(one(x), out)),
});

/**
 * The second derivative of GELU's tanh approximation, written with primitives (it is only
 * needed for second-order derivatives): `(1 − t²)(u' + ½ x (u'' − 2 t u'²))`.
 */
function geluTanhSecondDerivative(x: Tensor): Tensor {
  const { c, a } = GELU_TANH_CONSTANTS;
  const x2 = mul(x, x);
  const u = mul(fullLike(x, c), add(x, mul(fullLike(x, a), mul(x, x2))));
  const t = tanh(u);
  const du = mul(fullLike(x, c), add(one(x), mul(fullLike(x, 3 * a), x2)));
  const ddu = mul(fullLike(x, 6 * a * c), x);
  const sech2 = sub(one(x), mul(t, t));
  const inner = add(du, mul(mul(fullLike(x, 0.5), x), sub(ddu, mul(mul(fullLike(x, 2), t), mul(du, du)))));
  return mul(sech2, inner);
}

/**
 * The derivative of GELU's tanh approximation (see `gelu_tanh`) as one elementwise primitive
 * (float64: the tanh form's derivative; float32: the sigmoid form in float32 arithmetic, as
 * `gelu_tanh`); its own derivative is written with primitives.
 */

/** float32 arrays at least this long take the WebAssembly GELU kernels (shorter: the scalar loop, same bits). */
const GELU_WASM_MIN_SIZE = 64;

/** Whether `x` takes the WebAssembly GELU kernels. */
const geluWasmApplies = (x: AbstractArray): boolean => x.dtype === "float32" && sizeOf(x.shape) >= GELU_WASM_MIN_SIZE && wasmGeluAvailable();

function geluArrayKernel(derivative: boolean): NonNullable<UnarySpec["arrayKernel"]> {
  return {
    applies: geluWasmApplies,
    run: (x) => {
      const out = allocateUninitialized("float32", x.size) as Float32Array;
      geluF32Wasm(x.contiguousData() as Float32Array, out, derivative);
      return ConcreteTensor.fromData(out, x.shape, "float32", x.weakType);
    },
  };
}
export const geluTanhDerivativeP = defineUnary({
  name: "gelu_tanh_derivative",
  dtypes: FLOAT,
  kernel: (dtype) => (dtype === "float32" ? geluTanhDerivativeF32 : geluTanhDerivative),
  arrayKernel: geluArrayKernel(true),
  derivative: (x) => geluTanhSecondDerivative(x),
});

/**
 * GELU's tanh approximation `x · ½(1 + tanh(√(2/π)(x + 0.044715 x³)))` as one elementwise
 * primitive (`nn.gelu`'s default). JAX composes it from primitives; one kernel is faster than
 * ten steps through memory. float64 uses the tanh form as written (as JAX and NumPy do);
 * float32 uses the equal sigmoid form `x · σ(2u)` with a polynomial exp in float32 arithmetic
 * (`kernels/gelu_fast.ts`), without the tanh form's cancellation where `tanh(u)` nears -1 and,
 * on arrays of 64 or more, computed by a WebAssembly SIMD kernel on four lanes at once (~2.4 ns
 * per value with its derivative, 2026-12-07). Derivative: `gelu_tanh_derivative`.
 */
export const geluTanhP = defineUnary({
  name: "gelu_tanh",
  dtypes: FLOAT,
  kernel: (dtype) => (dtype === "float32" ? geluTanhF32 : geluTanh),
  arrayKernel: geluArrayKernel(false),
  derivative: (x) => bind1(geluTanhDerivativeP, [x]),
  // With its derivative at the same operand, where both run as WebAssembly kernels (elsewhere
  // either may join a fused loop, which a two-result equation could not).
  jointWith: ([x]) => (geluWasmApplies(x!) ? { partner: geluTanhDerivativeP, joint: geluTanhWithDerivativeP } : undefined),
});

/**
 * GELU's tanh approximation and its derivative, `[gelu_tanh(x), gelu_tanh_derivative(x)]`, from
 * one pass over `x`: the backend's merge of the two equations of a jitted program that apply
 * them to the same operand (`gelu_tanh`'s `jointWith`; a training step computes the
 * activation in its forward pass and the derivative for its backward pass). On float32 arrays
 * that take the WebAssembly GELU kernels both come from one evaluation of their shared exp
 * and sigmoid, the same bits as the two primitives; otherwise it runs the two primitives.
 */
export const geluTanhWithDerivativeP: Primitive = definePrimitive({
  name: "gelu_tanh_with_derivative",
  outputBuffers: "fresh",
  abstractEval(inputs) {
    const [out] = unaryAbstractEval("gelu_tanh_with_derivative", FLOAT)(inputs);
    return [out!, { ...out!, shape: out!.shape.slice() }];
  },
  impl([x]) {
    if (!geluWasmApplies(x!)) return [...geluTanhP.impl([x!], {}), ...geluTanhDerivativeP.impl([x!], {})];
    const value = allocateUninitialized("float32", x!.size) as Float32Array;
    const derivative = allocateUninitialized("float32", x!.size) as Float32Array;
    geluBothF32Wasm(x!.contiguousData() as Float32Array, value, derivative);
    return [ConcreteTensor.fromData(value, x!.shape, "float32", x!.weakType), ConcreteTensor.fromData(derivative, x!.shape, "float32", x!.weakType)];
  },
  jvp([x], [t]) {
    const [value, derivative] = bind(geluTanhWithDerivativeP, [x!]);
    if (!t) return [[value!, derivative!], [null, null]];
    return [
      [value!, derivative!],
      [mul(t, derivative!), mul(t, geluTanhSecondDerivative(x!))],
    ];
  },
  vjp([ctValue, ctDerivative], [x], [, derivative]) {
    const fromValue = ctValue ? mul(ctValue, derivative!) : null;
    const fromDerivative = ctDerivative ? mul(ctDerivative, geluTanhSecondDerivative(x!)) : null;
    return [fromValue && fromDerivative ? add(fromValue, fromDerivative) : (fromValue ?? fromDerivative)];
  },
  batch([x], [bd]) {
    return [bind(geluTanhWithDerivativeP, [x!]), [bd!, bd!]];
  },
});

/** The error function (lax.erf); derivative 2/√π · e^{-x²}. */
export const erfP = defineUnary({
  name: "erf",
  dtypes: FLOAT,
  kernel: same(erf),
  derivative: (x) => mul(fullLike(x, 2 / Math.sqrt(Math.PI)), exp(neg(mul(x, x)))),
});

/**
 * The inverse error function on [-1, 1] (lax.erf_inv); ±1 give ±∞. float32 follows XLA's
 * float32 algorithm, float64 is accurate to a few ulp. Derivative √π/2 · e^{erfinv(x)²}.
 */
export const erfInvP = defineUnary({
  name: "erf_inv",
  dtypes: FLOAT,
  kernel: (dtype) => (dtype === "float32" ? erfinvFloat32 : erfinvFloat64),
  derivative: (x, out) => mul(fullLike(x, Math.sqrt(Math.PI) / 2), exp(mul(out, out))),
});

/** Logical not for bool, bitwise not for integers (lax.bitwise_not / lax.not); no derivative. */
export const notP: Primitive = defineDiscreteElementwise(
  "not",
  unaryAbstractEval("not", INTEGER_OR_BOOL),
  ([x]) => (x!.dtype === "bool" ? logicalNot : bitwiseNot),
  "not",
);

/** True where x is neither infinite nor NaN (lax.is_finite); float operands, bool result. */
export const isFiniteP: Primitive = defineDiscreteElementwise("is_finite", unaryAbstractEval("is_finite", FLOAT, "bool"), () => isFiniteScalar);

// Function forms of this file's own primitives, for the derivative rules above (called only
// when a rule runs, after every primitive here is defined).
function sin(x: Tensor): Tensor {
  return bind1(sinP, [x]);
}
function cos(x: Tensor): Tensor {
  return bind1(cosP, [x]);
}
function exp(x: Tensor): Tensor {
  return bind1(expP, [x]);
}
function tanh(x: Tensor): Tensor {
  return bind1(tanhP, [x]);
}
