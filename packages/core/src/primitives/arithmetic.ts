/**
 * Arithmetic primitives: add, sub, mul, div, max, min, atan2 and neg. Operands have equal
 * shapes and dtypes (np promotes and broadcasts). Integer operands have null tangents. Their
 * rules use these primitives and the comparison/selection ones only; pow and rem, whose rules
 * need unary primitives (log, floor...), are in `pow_rem.ts`, so the files import in one
 * direction (arithmetic <- unary <- pow_rem).
 */
import { type DType, isFloat } from "../dtype.js";
import { definePrimitive, type Primitive } from "../primitive.js";
import type { Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { elementwise, kernelPerDType } from "../backend/kernels/fusion.js";
import { truncatingDivide, wrappingMultiply } from "../backend/kernels/scalar.js";
import type { SimdOp } from "../backend/kernels/wasm/elementwise_kernels.js";
import { batchElementwise } from "./batching.js";
import { binaryAbstractEval, elementwiseBatch, FLOAT, fullLike, NUMERIC, unaryAbstractEval } from "./elementwise.js";
import { eq, select } from "../lax/compare.js";

export { binaryAbstractEval } from "./elementwise.js";

/**
 * The batch rule of a binary elementwise primitive.
 * @example batch: (args, dims, params) => binaryBatch(mulP)(args, dims, params)
 */
export function binaryBatch(prim: Primitive) {
  return (args: Tensor[], dims: (number | null)[], params: unknown) =>
    batchElementwise((a) => [bind1(prim, a, params)], args, dims);
}

/**
 * Tangent sum with symbolic zeros (`null`).
 * @example addTangents(null, t) // t
 */
export function addTangents(a: Tensor | null, b: Tensor | null): Tensor | null {
  if (!a) return b;
  if (!b) return a;
  return bind1(addP, [a, b]);
}

/** `t * d`, or null (a symbolic zero) when the tangent is null or not a float. */
function scaled(t: Tensor | null | undefined, d: () => Tensor): Tensor | null {
  if (!t || !isFloat(t.dtype)) return null;
  return bind1(mulP, [t, d()]);
}

/** What defines a binary elementwise primitive (see `defineBinary`). */
export interface BinarySpec {
  name: string;
  dtypes: readonly DType[];
  kernel: (dtype: DType) => (a: number, b: number) => number;
  /**
   * The partial derivatives ∂out/∂x and ∂out/∂y as tensors (thunks, so only the needed one is
   * built). Omitted for piecewise-constant functions.
   */
  partials?: (x: Tensor, y: Tensor, out: Tensor) => [() => Tensor, () => Tensor];
  /** The WebAssembly SIMD operation computing `kernel` exactly on float32 (see `Primitive.simdLowering`). */
  simd?: SimdOp;
}

/** Define a binary elementwise primitive whose jvp and vjp are products with its partials. */
export function defineBinary(spec: BinarySpec): Primitive {
  const { name, dtypes, kernel, partials, simd } = spec;
  const scalar = kernelPerDType(kernel);
  const prim: Primitive = definePrimitive({
    name,
    outputBuffers: "fresh",
    ...(simd ? { simdLowering: () => simd } : {}),
    abstractEval: binaryAbstractEval(name, dtypes),
    scalarKernel: ([x]) => scalar(x!.dtype),
    impl([x, y]) {
      return [elementwise(scalar(x!.dtype), [x!, y!], x!.dtype, x!.weakType && y!.weakType, simd)];
    },
    jvp([x, y], [tx, ty]) {
      const out = bind1(prim, [x!, y!]);
      if (!partials || !isFloat(x!.dtype)) return [[out], [null]];
      const [dx, dy] = partials(x!, y!, out);
      return [[out], [addTangents(scaled(tx, dx), scaled(ty, dy))]];
    },
    vjp([ct], [x, y], [out], _params, needsGrad) {
      if (!partials || !ct || !isFloat(x!.dtype)) return [null, null];
      const [dx, dy] = partials(x!, y!, out!);
      return [needsGrad[0] === false ? null : scaled(ct, dx), needsGrad[1] === false ? null : scaled(ct, dy)];
    },
    batch: elementwiseBatch(() => prim),
  });
  return prim;
}

/** Whether a dtype takes integer kernels (integers and bool). */
export const isInt = (dtype: DType): boolean => !isFloat(dtype);

const addScalar = (a: number, b: number) => a + b;
const subScalar = (a: number, b: number) => a - b;

/** Elementwise addition (lax.add); integers wrap around. */
export const addP: Primitive = definePrimitive({
  name: "add",
  outputBuffers: "fresh",
  abstractEval: binaryAbstractEval("add", NUMERIC),
  scalarKernel: () => addScalar,
  simdLowering: () => "add",
  impl([x, y]) {
    return [elementwise(addScalar, [x!, y!], x!.dtype, x!.weakType && y!.weakType, "add")];
  },
  jvp([x, y], [tx, ty]) {
    const out = bind1(addP, [x!, y!]);
    return [[out], [isFloat(x!.dtype) ? addTangents(tx ?? null, ty ?? null) : null]];
  },
  vjp([ct], [x]) {
    if (!ct || !isFloat(x!.dtype)) return [null, null];
    return [ct, ct];
  },
  batch: elementwiseBatch(() => addP),
});

/** Elementwise subtraction (lax.sub); integers wrap around. */
export const subP: Primitive = definePrimitive({
  name: "sub",
  outputBuffers: "fresh",
  abstractEval: binaryAbstractEval("sub", NUMERIC),
  scalarKernel: () => subScalar,
  simdLowering: () => "sub",
  impl([x, y]) {
    return [elementwise(subScalar, [x!, y!], x!.dtype, x!.weakType && y!.weakType, "sub")];
  },
  jvp([x, y], [tx, ty]) {
    const out = bind1(subP, [x!, y!]);
    if (!isFloat(x!.dtype)) return [[out], [null]];
    const t = ty ? (tx ? bind1(subP, [tx, ty]) : bind1(negP, [ty])) : (tx ?? null);
    return [[out], [t]];
  },
  vjp([ct], [x]) {
    if (!ct || !isFloat(x!.dtype)) return [null, null];
    return [ct, bind1(negP, [ct])];
  },
  batch: elementwiseBatch(() => subP),
});

/** Elementwise product (lax.mul); integers wrap around. */
export const mulP = defineBinary({
  name: "mul",
  dtypes: NUMERIC,
  kernel: (dtype) => (isInt(dtype) ? wrappingMultiply : (a, b) => a * b),
  simd: "mul",
  partials: (x, y) => [() => y, () => x],
});

/**
 * Elementwise quotient (lax.div): true division for floats, truncation toward zero for
 * integers (`x / 0` is -1, as XLA).
 */
export const divP = defineBinary({
  name: "div",
  dtypes: NUMERIC,
  kernel: (dtype) => (isInt(dtype) ? truncatingDivide : (a, b) => a / b),
  simd: "div",
  partials: (x, y, out) => [() => bind1(divP, [fullLike(x, 1), y]), () => bind1(negP, [bind1(divP, [out, y])])],
});

/**
 * Where x and y tie, each gets half the derivative (JAX's balanced rule): the weight of x
 * in `out = max(x, y)` (or min) is 1 where x == out != y, ½ where x == y, 0 otherwise.
 */
function balancedWeight(x: Tensor, out: Tensor, y: Tensor): Tensor {
  const zero = fullLike(x, 0);
  const tieWeight = select(eq(y, out), fullLike(x, 0.5), fullLike(x, 1));
  return select(eq(x, out), tieWeight, zero);
}

/** Elementwise maximum (lax.max); NaN propagates. Ties split the derivative ½/½. */
export const maxP = defineBinary({
  name: "max",
  dtypes: ["bool", ...NUMERIC],
  kernel: () => (a, b) => (Number.isNaN(a) || a > b ? a : b),
  simd: "max",
  partials: (x, y, out) => [() => balancedWeight(x, out, y), () => balancedWeight(y, out, x)],
});

/** Elementwise minimum (lax.min); NaN propagates. Ties split the derivative ½/½. */
export const minP = defineBinary({
  name: "min",
  dtypes: ["bool", ...NUMERIC],
  kernel: () => (a, b) => (Number.isNaN(a) || a < b ? a : b),
  simd: "min",
  partials: (x, y, out) => [() => balancedWeight(x, out, y), () => balancedWeight(y, out, x)],
});

/** atan(x / y) in the right quadrant (lax.atan2(x, y), NumPy's arctan2(x, y)). */
export const atan2P = defineBinary({
  name: "atan2",
  dtypes: FLOAT,
  kernel: () => Math.atan2,
  partials: (x, y) => {
    const denom = () => bind1(addP, [bind1(mulP, [x, x]), bind1(mulP, [y, y])]);
    return [() => bind1(divP, [y, denom()]), () => bind1(negP, [bind1(divP, [x, denom()])])];
  },
});

const negScalar = (v: number) => -v;

/** Elementwise negation (lax.neg); integers wrap around. Linear: its tangent map is itself. */
export const negP: Primitive = definePrimitive({
  name: "neg",
  outputBuffers: "fresh",
  abstractEval: unaryAbstractEval("neg", NUMERIC),
  scalarKernel: () => negScalar,
  simdLowering: () => "neg",
  impl([x]) {
    return [elementwise(negScalar, [x!], x!.dtype, x!.weakType, "neg")];
  },
  jvp([x], [t]) {
    return [[bind1(negP, [x!])], [t && isFloat(x!.dtype) ? bind1(negP, [t]) : null]];
  },
  vjp([ct], [x]) {
    return [ct && isFloat(x!.dtype) ? bind1(negP, [ct]) : null];
  },
  batch([x], [bd]) {
    return [[bind1(negP, [x!])], [bd!]];
  },
});
