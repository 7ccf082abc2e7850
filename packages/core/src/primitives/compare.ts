/**
 * Comparison primitives: eq, ne, lt, le, gt, ge. Operands of equal shape and dtype (any
 * dtype), bool result, never differentiable (tangents are symbolic zeros). NaN compares
 * unequal to everything, as IEEE.
 */
import { definePrimitive, type Primitive } from "../primitive.js";
import { bind1 } from "../trace.js";
import { elementwise } from "../kernels/fusion.js";
import { ALL_DTYPES, binaryAbstractEval, elementwiseBatch } from "./elementwise.js";

/** Define a comparison primitive from its scalar predicate. */
function defineComparison(name: string, test: (a: number, b: number) => boolean): Primitive {
  const scalar = (a: number, b: number) => (test(a, b) ? 1 : 0);
  const prim: Primitive = definePrimitive({
    name,
    nonDifferentiable: true,
    abstractEval: binaryAbstractEval(name, ALL_DTYPES, "bool"),
    scalarKernel: () => scalar,
    impl([x, y]) {
      return [elementwise(scalar, [x!, y!], "bool", false)];
    },
    jvp([x, y]) {
      return [[bind1(prim, [x!, y!])], [null]];
    },
    vjp() {
      return [null, null];
    },
    batch: elementwiseBatch(() => prim),
  });
  return prim;
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
