import { castScalar, type DType, isFloat } from "../dtype.js";
import { definePrimitive, type Primitive } from "../primitive.js";
import type { Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { elementwise, type ScalarKernel } from "../backend/kernels/fusion.js";
import { mapUnary } from "../backend/kernels/strided.js";
import type { SimdOp } from "../backend/kernels/wasm/elementwise_kernels.js";

/** One stable scalar cast per target dtype (compiled kernels are cached by function identity). */
const CASTS: Record<DType, ScalarKernel> = {
  float32: (v) => castScalar(v, "float32"),
  float64: (v) => v,
  int32: (v) => castScalar(v, "int32"),
  uint32: (v) => castScalar(v, "uint32"),
  bool: (v) => castScalar(v, "bool"),
};

/** The casts the WebAssembly SIMD backend computes exactly (see `Primitive.simdLowering`). */
const SIMD_CASTS: Partial<Record<string, SimdOp>> = { "bool>float32": "bool_to_f32", "float32>bool": "f32_to_bool", "float32>float32": "copy", "bool>bool": "copy" };

export interface ConvertParams {
  newDtype: DType;
  weakType: boolean;
}

/** Change dtype (lax.convert_element_type): float -> int truncates, anything -> bool is `!= 0`. */
export const convertElementTypeP: Primitive<ConvertParams> = definePrimitive<ConvertParams>({
  name: "convert_element_type",
  outputBuffers: "fresh",
  abstractEval([x], { newDtype, weakType }) {
    return [{ shape: x!.shape.slice(), dtype: newDtype, weakType }];
  },
  scalarKernel: (_x, { newDtype }) => CASTS[newDtype],
  simdLowering: ([x], { newDtype }) => SIMD_CASTS[`${x!.dtype}>${newDtype}`],
  impl([x], { newDtype, weakType }) {
    // A weak float scalar keeps its exact JS value in a float64 cell: converting it to float64
    // must read that exact value, not round it to float32 first (compiled kernels round float32 operands as they load).
    if (x!.data instanceof Float64Array && x!.dtype === "float32") {
      return [mapUnary(x!, newDtype, CASTS[newDtype], weakType)];
    }
    return [elementwise(CASTS[newDtype], [x!], newDtype, weakType, SIMD_CASTS[`${x!.dtype}>${newDtype}`])];
  },
  jvp([x], [t], params) {
    const out = bind1(convertElementTypeP, [x!], params);
    const differentiable = isFloat(x!.dtype) && isFloat(params.newDtype);
    return [[out], [t && differentiable ? bind1(convertElementTypeP, [t], params) : null]];
  },
  vjp([ct], [x], _o, { newDtype }) {
    if (!ct || !isFloat(x!.dtype) || !isFloat(newDtype)) return [null];
    return [bind1(convertElementTypeP, [ct], { newDtype: x!.dtype, weakType: x!.weakType })];
  },
  batch([x], [bd], params) {
    return [[bind1(convertElementTypeP, [x!], params)], [bd!]];
  },
});

/** Convert `x` to `dtype` (and weak type), or return it unchanged when it already is. */
export function convertTo(x: Tensor, dtype: DType, weakType = false): Tensor {
  if (x.dtype === dtype && x.weakType === weakType) return x;
  return bind1(convertElementTypeP, [x], { newDtype: dtype, weakType });
}
