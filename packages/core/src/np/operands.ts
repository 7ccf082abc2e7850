/**
 * How the NumPy-style elementwise functions prepare their operands: promotion and broadcasting
 * (JAX's rules), jnp's inexact promotion for float-only functions, dtype checks.
 */
import { type DType, isFloat } from "../dtype.js";
import { DTypeError } from "../errors.js";
import type { Primitive } from "../primitive.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { neP } from "../primitives/compare.js";
import { convertTo } from "../primitives/convert.js";
import { fullLike } from "../primitives/elementwise.js";
import { asTensor } from "./asarray.js";
import { promoteAndBroadcast } from "./broadcast.js";

/** Promote and broadcast two operands, then apply a binary primitive. */
export function binary(op: string, prim: Primitive, x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = promoteAndBroadcast(op, [x, y]);
  return bind1(prim, [a!, b!]);
}

/** Integer and bool values become float32 (weak values stay weak), as jnp's inexact promotion. */
export function toInexact(t: Tensor): Tensor {
  return isFloat(t.dtype) ? t : convertTo(t, "float32", t.weakType);
}

/** Apply a float-only unary primitive, promoting integer/bool input to float32. */
export function inexactUnary(op: string, prim: Primitive, x: ArrayLike): Tensor {
  return bind1(prim, [toInexact(asTensor(x, op))]);
}

/** Promote two operands, then make integer/bool results float32 (true division, arctan2, ...). */
export function inexactOperands(op: string, x: ArrayLike, y: ArrayLike): [Tensor, Tensor] {
  const [a, b] = promoteAndBroadcast(op, [x, y]);
  return [toInexact(a!), toInexact(b!)];
}

/** Promote two operands; bool becomes int32 (for arithmetic that has no bool meaning). */
export function numericOperands(op: string, x: ArrayLike, y: ArrayLike): [Tensor, Tensor] {
  const [a, b] = promoteAndBroadcast(op, [x, y]);
  if (a!.dtype !== "bool") return [a!, b!];
  return [convertTo(a!, "int32", a!.weakType), convertTo(b!, "int32", b!.weakType)];
}

export /** A `DTypeError` naming `op` unless `t`'s dtype is one of `allowed`. */
function requireDTypes(op: string, t: Tensor, allowed: readonly DType[]): void {
  if (!allowed.includes(t.dtype)) {
    throw new DTypeError(`${op}: does not accept dtype ${t.dtype} (accepts ${allowed.join(", ")})`);
  }
}

/** `t != 0` as bool (bool passes through). */
export function truthy(t: Tensor): Tensor {
  return t.dtype === "bool" ? t : bind1(neP, [t, fullLike(t, 0)]);
}

/** Dtypes of the logical and bitwise functions. */
export const INT_OR_BOOL: readonly DType[] = ["bool", "int32", "uint32"];
export const INTS: readonly DType[] = ["int32", "uint32"];
