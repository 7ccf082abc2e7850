import { allocateUninitialized } from "../backend/buffers.js";
import { AxisError, DTypeError } from "../errors.js";
import { definePrimitive, type Primitive } from "../primitive.js";
import { ConcreteTensor, sizeOf } from "../tensor.js";
import { bind1 } from "../trace.js";
import { moveAxis } from "./batching.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

export interface CumulativeParams {
  /** The axis accumulated along (non-negative). */
  axis: number;
  /** Accumulate from the end of the axis towards its start. */
  reverse: boolean;
}

/**
 * Running sum along an axis (lax.cumsum): `out[i] = x[0] + ... + x[i]`, or `x[i] + ... + x[n-1]`
 * when `reverse`. float32 sums accumulate in float64 and are rounded once per element.
 */
export const cumsumP: Primitive<CumulativeParams> = definePrimitive<CumulativeParams>({
  name: "cumsum",
  outputBuffers: "fresh",
  abstractEval([x], { axis }) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= x!.shape.length) {
      throw new AxisError(`cumsum: axis ${axis} is out of bounds for an array of shape ${fmt(x!.shape)}`);
    }
    if (x!.dtype === "bool") throw new DTypeError(`cumsum: bool operand of shape ${fmt(x!.shape)}; convert it to a number type first`);
    return [{ shape: x!.shape.slice(), dtype: x!.dtype, weakType: x!.weakType }];
  },
  impl([x], { axis, reverse }) {
    const shape = x!.shape;
    const n = shape[axis]!;
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    const data = x!.contiguousData();
    const out = allocateUninitialized(x!.dtype, data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let acc = 0;
        for (let s = 0; s < n; s++) {
          const pos = base + (reverse ? n - 1 - s : s) * inner;
          acc += data[pos]!;
          out[pos] = acc;
          // Integer sums wrap around like the stored dtype; read back to keep `acc` exact.
          if (x!.dtype === "int32" || x!.dtype === "uint32") acc = out[pos]!;
        }
      }
    }
    return [ConcreteTensor.fromData(out, shape, x!.dtype, x!.weakType)];
  },
  jvp([x], [t], params) {
    return [[bind1(cumsumP, [x!], params)], [t ? bind1(cumsumP, [t], params) : null]];
  },
  vjp([ct], _p, _o, { axis, reverse }) {
    return [ct ? bind1(cumsumP, [ct], { axis, reverse: !reverse }) : null];
  },
  batch([x], [bd], { axis, reverse }) {
    return [[bind1(cumsumP, [moveAxis(x!, bd!, 0)], { axis: axis + 1, reverse })], [0]];
  },
});
