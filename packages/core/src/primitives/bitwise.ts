/**
 * Bitwise primitives: and, or, xor (bool and integers; logical on bool) and the shifts
 * shift_left, shift_right_logical, shift_right_arithmetic (int32/uint32). Shift amounts are
 * read as unsigned; an amount of 32 or more gives 0 (logical shifts) or the sign fill
 * (arithmetic shift), as XLA. Never differentiable.
 */
import type { DType } from "../dtype.js";
import type { Primitive } from "../primitive.js";
import type { SimdOp } from "../backend/kernels/wasm/elementwise_kernels.js";
import { shiftLeft, shiftRightArithmetic, shiftRightLogical } from "../backend/kernels/scalar.js";
import { binaryAbstractEval, defineDiscreteElementwise, INTEGER, INTEGER_OR_BOOL } from "./elementwise.js";

/** Define a same-dtype bitwise primitive from its scalar function on int32 bits. */
function defineBitwise(name: string, dtypes: readonly DType[], f: (a: number, b: number) => number, simd?: SimdOp): Primitive {
  return defineDiscreteElementwise(name, binaryAbstractEval(name, dtypes), () => f, simd);
}

/** Bitwise and; logical and on bool (lax.bitwise_and). */
export const andP = defineBitwise("and", INTEGER_OR_BOOL, (a, b) => a & b, "and");
/** Bitwise or; logical or on bool (lax.bitwise_or). */
export const orP = defineBitwise("or", INTEGER_OR_BOOL, (a, b) => a | b, "or");
/** Bitwise exclusive or; logical xor on bool (lax.bitwise_xor). */
export const xorP = defineBitwise("xor", INTEGER_OR_BOOL, (a, b) => a ^ b, "xor");
/** `x << y`; amounts ≥ 32 give 0 (lax.shift_left). */
export const shiftLeftP = defineBitwise("shift_left", INTEGER, shiftLeft);
/** `x >>> y` (zeros shifted in); amounts ≥ 32 give 0 (lax.shift_right_logical). */
export const shiftRightLogicalP = defineBitwise("shift_right_logical", INTEGER, shiftRightLogical);
/** `x >> y` on the int32 reading of the bits (sign shifted in) (lax.shift_right_arithmetic). */
export const shiftRightArithmeticP = defineBitwise("shift_right_arithmetic", INTEGER, shiftRightArithmetic);
