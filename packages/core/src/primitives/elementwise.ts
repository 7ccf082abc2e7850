/**
 * Shape/dtype and batch rules shared by the elementwise primitives (unary.ts, arithmetic.ts,
 * compare.ts, bitwise.ts, select.ts). Elementwise primitives are strict: operands have equal
 * shapes and dtypes; broadcasting and promotion happen in `np`.
 */
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError } from "../errors.js";
import { definePrimitive, type AbstractArray, type BatchDim, type Primitive } from "../primitive.js";
import { elementwise, type ScalarKernel } from "../backend/kernels/fusion.js";
import type { SimdOp } from "../backend/kernels/wasm/elementwise_kernels.js";
import { ConcreteTensor, type Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { batchElementwise } from "./batching.js";
import { broadcastInDimP } from "./shape.js";

export const FLOAT: readonly DType[] = ["float32", "float64"];
export const INTEGER: readonly DType[] = ["int32", "uint32"];
export const NUMERIC: readonly DType[] = ["float32", "float64", "int32", "uint32"];
export const INTEGER_OR_BOOL: readonly DType[] = ["bool", "int32", "uint32"];
export const ALL_DTYPES: readonly DType[] = ["bool", "int32", "uint32", "float32", "float64"];

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

function checkDType(name: string, x: AbstractArray, allowed: readonly DType[]): void {
  if (!allowed.includes(x.dtype)) {
    throw new DTypeError(`${name}: does not accept dtype ${x.dtype} (accepts ${allowed.join(", ")})`);
  }
}

/**
 * Shape/dtype rule of a unary elementwise primitive. The output keeps the operand's shape
 * and weak type; its dtype is the operand's unless `outDtype` is given (e.g. bool).
 * @example unaryAbstractEval("exp", FLOAT)
 */
export function unaryAbstractEval(name: string, allowed: readonly DType[], outDtype?: DType) {
  return ([x]: AbstractArray[]): AbstractArray[] => {
    checkDType(name, x!, allowed);
    return [{ shape: x!.shape.slice(), dtype: outDtype ?? x!.dtype, weakType: outDtype === undefined && x!.weakType }];
  };
}

/** Throw unless all operands have the same shape (named in the error). */
export function checkSameShapes(name: string, xs: readonly AbstractArray[]): void {
  const s = xs[0]!.shape;
  for (const x of xs) {
    if (x.shape.length !== s.length || x.shape.some((n, i) => n !== s[i])) {
      throw new ShapeError(`${name}: operand shapes differ (${xs.map((a) => fmt(a.shape)).join(" and ")})`);
    }
  }
}

/**
 * Shape/dtype rule of a binary elementwise primitive: equal dtypes (in `allowed`) and equal
 * shapes. The output is weakly typed only if both operands are; its dtype is the operands'
 * unless `outDtype` is given (comparisons give bool).
 * @example binaryAbstractEval("mul", NUMERIC)
 */
export function binaryAbstractEval(name: string, allowed: readonly DType[], outDtype?: DType) {
  return ([x, y]: AbstractArray[]): AbstractArray[] => {
    if (x!.dtype !== y!.dtype) throw new DTypeError(`${name}: operand dtypes differ (${x!.dtype} and ${y!.dtype})`);
    checkDType(name, x!, allowed);
    checkSameShapes(name, [x!, y!]);
    const weakType = outDtype === undefined && x!.weakType && y!.weakType;
    return [{ shape: x!.shape.slice(), dtype: outDtype ?? x!.dtype, weakType }];
  };
}

/**
 * The batch rule of an n-ary elementwise primitive: batch axes to the front, unbatched
 * operands broadcast along it, then one application.
 * @example batch: binaryBatch(() => mulP)
 */
export function elementwiseBatch(prim: () => Primitive) {
  return (args: Tensor[], dims: BatchDim[], params: unknown): [Tensor[], BatchDim[]] =>
    batchElementwise((a) => [bind1(prim(), a, params)], args, dims);
}

/**
 * Define a piecewise-constant elementwise primitive (comparisons, bitwise ops, `not`,
 * `is_finite`): its result depends on its operands only through discrete values, so its
 * tangents and cotangents are symbolic zeros. Output dtype and weak type come from
 * `abstractEval`; `kernel` picks the scalar function for the operand types, `simd` the
 * WebAssembly SIMD operation (one for every operand type, or one per operand types).
 * @example defineDiscreteElementwise("eq", binaryAbstractEval("eq", ALL_DTYPES, "bool"), () => eqScalar)
 */
export function defineDiscreteElementwise(
  name: string,
  abstractEval: (inputs: AbstractArray[]) => AbstractArray[],
  kernel: (inputs: readonly AbstractArray[]) => ScalarKernel,
  simd?: SimdOp | ((inputs: readonly AbstractArray[]) => SimdOp | undefined),
): Primitive {
  const simdFor = typeof simd === "function" ? simd : () => simd;
  const prim: Primitive = definePrimitive({
    name,
    outputBuffers: "fresh",
    ...(simd ? { simdLowering: (inputs: AbstractArray[]) => simdFor(inputs) } : {}),
    nonDifferentiable: true,
    abstractEval,
    scalarKernel: (inputs) => kernel(inputs),
    impl(xs) {
      const [out] = abstractEval(xs);
      return [elementwise(kernel(xs), xs, out!.dtype, out!.weakType, simdFor(xs))];
    },
    jvp(xs) {
      return [[bind1(prim, xs)], [null]];
    },
    vjp(_cts, xs) {
      return xs.map(() => null);
    },
    batch: elementwiseBatch(() => prim),
  });
  return prim;
}

/**
 * A constant tensor of `x`'s shape filled with `value` (a broadcast view of one scalar). Used
 * by rules for the constants of derivatives; under a trace it is lifted as a constant.
 * @example fullLike(x, 0.5) // 0.5 everywhere, x's shape and dtype
 */
export function fullLike(x: { shape: readonly number[]; dtype: DType }, value: number, dtype: DType = x.dtype): Tensor {
  const scalar = ConcreteTensor.scalar(value, dtype);
  if (x.shape.length === 0) return scalar;
  return bind1(broadcastInDimP, [scalar], { shape: x.shape.slice(), broadcastDimensions: [] });
}
