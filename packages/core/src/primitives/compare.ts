/**
 * Comparison primitives: eq, ne, lt, le, gt, ge. Operands of equal shape and dtype (any
 * dtype), bool result, never differentiable (tangents are symbolic zeros). NaN compares
 * unequal to everything, as IEEE.
 */
import type { Primitive } from "../primitive.js";
import type { SimdOp } from "../backend/kernels/wasm/elementwise_kernels.js";
import { ALL_DTYPES, binaryAbstractEval, defineDiscreteElementwise } from "./elementwise.js";

/**
 * Define a comparison primitive from its scalar predicate. Its WebAssembly SIMD lowering is the
 * float32 comparison `name`, or for int32 operands the signed integer one (`eq_i32` …): both
 * give the predicate's answer exactly (the backend declines other dtypes).
 */
function defineComparison(name: "eq" | "ne" | "lt" | "le" | "gt" | "ge", test: (a: number, b: number) => boolean): Primitive {
  const scalar = (a: number, b: number) => (test(a, b) ? 1 : 0);
  const onInt32: SimdOp = `${name}_i32`;
  return defineDiscreteElementwise(name, binaryAbstractEval(name, ALL_DTYPES, "bool"), () => scalar, (inputs) => (inputs[0]?.dtype === "int32" ? onInt32 : name));
}

/** `x == y` (lax.eq). */
export const eqP = defineComparison("eq", (a, b) => a === b);
/** `x != y` (lax.ne); true where either is NaN. */
export const neP = defineComparison("ne", (a, b) => a !== b);
/** `x < y` (lax.lt). */
export const ltP = defineComparison("lt", (a, b) => a < b);
/** `x <= y` (lax.le). */
export const leP = defineComparison("le", (a, b) => a <= b);
/** `x > y` (lax.gt). */
export const gtP = defineComparison("gt", (a, b) => a > b);
/** `x >= y` (lax.ge). */
export const geP = defineComparison("ge", (a, b) => a >= b);
