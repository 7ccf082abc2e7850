import { DTypeError } from "../errors.js";
import { definePrimitive, type AbstractArray, type Primitive } from "../primitive.js";
import type { Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { mapBinary } from "../kernels/strided.js";
import { batchElementwise } from "./batching.js";
import type { DType } from "../dtype.js";

/** Shape/dtype rule shared by same-shape, same-dtype binary primitives. */
export function binaryAbstractEval(name: string, allowed: readonly DType[]) {
  return ([x, y]: AbstractArray[]): AbstractArray[] => {
    if (x!.dtype !== y!.dtype) throw new DTypeError(`${name}: operand dtypes differ (${x!.dtype} and ${y!.dtype})`);
    if (!allowed.includes(x!.dtype)) throw new DTypeError(`${name}: does not accept dtype ${x!.dtype} (accepts ${allowed.join(", ")})`);
    if (x!.shape.length !== y!.shape.length || x!.shape.some((n, i) => n !== y!.shape[i])) {
      throw new DTypeError(`${name}: operand shapes differ ([${x!.shape.join(", ")}] and [${y!.shape.join(", ")}])`);
    }
    return [{ shape: x!.shape.slice(), dtype: x!.dtype, weakType: x!.weakType && y!.weakType }];
  };
}

/** The batch rule of a binary elementwise primitive. */
export function binaryBatch(prim: Primitive) {
  return (args: Tensor[], dims: (number | null)[], params: unknown) =>
    batchElementwise((a) => [bind1(prim, a, params)], args, dims);
}

const NUMERIC: DType[] = ["float32", "float64", "int32", "uint32"];

/** Tangent sum with symbolic zeros. */
export function addTangents(a: Tensor | null, b: Tensor | null): Tensor | null {
  if (!a) return b;
  if (!b) return a;
  return bind1(addP, [a, b]);
}

/** Elementwise addition of two operands of equal shape and dtype (lax.add). */
export const addP: Primitive = definePrimitive({
  name: "add",
  abstractEval: binaryAbstractEval("add", NUMERIC),
  impl([x, y]) {
    return [mapBinary(x!, y!, x!.dtype, (a, b) => a + b)];
  },
  jvp([x, y], [tx, ty]) {
    return [[bind1(addP, [x!, y!])], [addTangents(tx!, ty!)]];
  },
  vjp([ct]) {
    return [ct!, ct!];
  },
  batch: (args, dims, params) => binaryBatch(addP)(args, dims, params),
});
