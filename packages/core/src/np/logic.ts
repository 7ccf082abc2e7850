/**
 * NumPy-style logical and bitwise functions (`logicalAnd`, `bitwiseXor`, `leftShift`, ...):
 * logical ones on truthiness (any dtype), bitwise ones on bool and integer dtypes.
 */
import { type DType } from "../dtype.js";
import type { Primitive } from "../primitive.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { andP, orP, shiftLeftP, shiftRightArithmeticP, shiftRightLogicalP, xorP } from "../primitives/bitwise.js";
import { notP } from "../primitives/unary.js";
import { asTensor } from "./asarray.js";
import { broadcastShapes, broadcastTo, promoteAndBroadcast } from "./broadcast.js";
import { INT_OR_BOOL, INTS, requireDTypes, truthy } from "./operands.js";

// ---------------------------------------------------------------- logic and bits

function logical(op: string, prim: Primitive, x: ArrayLike, y: ArrayLike): Tensor {
  const a = truthy(asTensor(x, op));
  const b = truthy(asTensor(y, op));
  const shape = broadcastShapes(op, a.shape, b.shape);
  return bind1(prim, [broadcastTo(a, shape, op), broadcastTo(b, shape, op)]);
}

/**
 * Elementwise logical and (non-zero is true).
 * @example np.logicalAnd(np.array([true, false]), true) // [true, false]
 */
export function logicalAnd(x: ArrayLike, y: ArrayLike): Tensor {
  return logical("logicalAnd", andP, x, y);
}

/**
 * Elementwise logical or (non-zero is true).
 * @example np.logicalOr(np.array([true, false]), false) // [true, false]
 */
export function logicalOr(x: ArrayLike, y: ArrayLike): Tensor {
  return logical("logicalOr", orP, x, y);
}

/**
 * Elementwise logical xor (non-zero is true).
 * @example np.logicalXor(np.array([true, false]), true) // [false, true]
 */
export function logicalXor(x: ArrayLike, y: ArrayLike): Tensor {
  return logical("logicalXor", xorP, x, y);
}

/**
 * Elementwise logical not (zero is false).
 * @example np.logicalNot(np.array([true, false])) // [false, true]
 */
export function logicalNot(x: ArrayLike): Tensor {
  return bind1(notP, [truthy(asTensor(x, "logicalNot"))]);
}

function bitwise(op: string, prim: Primitive, allowed: readonly DType[], x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = promoteAndBroadcast(op, [x, y]);
  requireDTypes(op, a!, allowed);
  return bind1(prim, [a!, b!]);
}

/**
 * Elementwise bitwise and (logical on bool).
 * @example np.bitwiseAnd(np.array([12]), 10) // [8]
 */
export function bitwiseAnd(x: ArrayLike, y: ArrayLike): Tensor {
  return bitwise("bitwiseAnd", andP, INT_OR_BOOL, x, y);
}

/**
 * Elementwise bitwise or (logical on bool).
 * @example np.bitwiseOr(np.array([12]), 10) // [14]
 */
export function bitwiseOr(x: ArrayLike, y: ArrayLike): Tensor {
  return bitwise("bitwiseOr", orP, INT_OR_BOOL, x, y);
}

/**
 * Elementwise bitwise xor (logical on bool).
 * @example np.bitwiseXor(np.array([12]), 10) // [6]
 */
export function bitwiseXor(x: ArrayLike, y: ArrayLike): Tensor {
  return bitwise("bitwiseXor", xorP, INT_OR_BOOL, x, y);
}

/**
 * Elementwise bitwise not (logical on bool).
 * @example np.bitwiseNot(np.array([0])) // [-1]
 */
export function bitwiseNot(x: ArrayLike): Tensor {
  const t = asTensor(x, "bitwiseNot");
  requireDTypes("bitwiseNot", t, INT_OR_BOOL);
  return bind1(notP, [t]);
}

/**
 * Elementwise `x << y`; shift amounts outside [0, 32) give 0.
 * @example np.leftShift(np.array([1]), 4) // [16]
 */
export function leftShift(x: ArrayLike, y: ArrayLike): Tensor {
  return bitwise("leftShift", shiftLeftP, INTS, x, y);
}

/**
 * Elementwise `x >> y`: arithmetic for int32, logical for uint32 (as NumPy).
 * @example np.rightShift(np.array([-8]), 1) // [-4]
 */
export function rightShift(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = promoteAndBroadcast("rightShift", [x, y]);
  requireDTypes("rightShift", a!, INTS);
  return bind1(a!.dtype === "uint32" ? shiftRightLogicalP : shiftRightArithmeticP, [a!, b!]);
}
