/**
 * `bitcast_convert_type {newDtype}`: reinterpret the 32 bits of each element as another
 * 32-bit dtype (float32, int32, uint32), as lax.bitcast_convert_type. `random` uses it to
 * turn uint32 bits into float32 numbers. Not differentiable.
 */
import { type DType } from "../dtype.js";
import { allocateUninitialized } from "../backend/buffers.js";
import { DTypeError } from "../errors.js";
import { definePrimitive, type Primitive } from "../primitive.js";
import { ConcreteTensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { elementValues } from "../backend/kernels/elementwise.js";

export interface BitcastParams {
  newDtype: DType;
}

const BITS32: readonly DType[] = ["float32", "int32", "uint32"];

/** Reinterpret 32-bit elements as another 32-bit dtype (lax.bitcast_convert_type). */
export const bitcastConvertTypeP: Primitive<BitcastParams> = definePrimitive<BitcastParams>({
  name: "bitcast_convert_type",
  outputBuffers: "fresh",
  nonDifferentiable: true,
  abstractEval([x], { newDtype }) {
    if (!BITS32.includes(x!.dtype) || !BITS32.includes(newDtype)) {
      throw new DTypeError(
        `bitcast_convert_type: cannot reinterpret ${x!.dtype} as ${newDtype}; both must be 32-bit (${BITS32.join(", ")})`,
      );
    }
    return [{ shape: x!.shape.slice(), dtype: newDtype, weakType: false }];
  },
  impl([x], { newDtype }) {
    const source = elementValues(x!);
    const out = allocateUninitialized(newDtype, source.length);
    // Copy the bytes, not the values: a view of the same width over the output buffer.
    new (source.constructor as Uint32ArrayConstructor)(out.buffer, out.byteOffset, out.length).set(source);
    return [ConcreteTensor.fromData(out, x!.shape, newDtype)];
  },
  jvp([x], _t, params) {
    return [[bind1(bitcastConvertTypeP, [x!], params)], [null]];
  },
  vjp() {
    return [null];
  },
  batch([x], [bd], params) {
    return [[bind1(bitcastConvertTypeP, [x!], params)], [bd!]];
  },
});
