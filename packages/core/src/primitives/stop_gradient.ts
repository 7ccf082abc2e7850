/**
 * `stop_gradient`: the identity on values whose derivative is zero. Its tangent and cotangent
 * are symbolic zeros (`null`), so nothing upstream of it is differentiated through it.
 */
import { definePrimitive, type Primitive } from "../primitive.js";
import { bind1 } from "../trace.js";
import { ALL_DTYPES, unaryAbstractEval } from "./elementwise.js";

const identityScalar = (v: number) => v;

/** Identity with zero derivative (lax.stop_gradient). */
export const stopGradientP: Primitive = definePrimitive({
  name: "stop_gradient",
  outputBuffers: "view",
  abstractEval: unaryAbstractEval("stop_gradient", ALL_DTYPES),
  scalarKernel: () => identityScalar,
  simdLowering: () => "copy",
  impl([x]) {
    return [x!];
  },
  jvp([x]) {
    return [[bind1(stopGradientP, [x!])], [null]];
  },
  vjp() {
    return [null];
  },
  batch([x], [bd]) {
    return [[bind1(stopGradientP, [x!])], [bd!]];
  },
});
