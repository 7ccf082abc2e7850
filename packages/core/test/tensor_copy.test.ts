import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConcreteTensor } from "../src/tensor.js";

/** The element at multi-index `idx` of a strided view, read directly from its buffer. */
function at(data: Float64Array, stride: readonly number[], offset: number, idx: readonly number[]): number {
  let p = offset;
  for (let d = 0; d < idx.length; d++) p += idx[d]! * stride[d]!;
  return data[p]!;
}

/** Row-major values of a strided view, by enumerating multi-indices (the specification). */
function expected(data: Float64Array, shape: readonly number[], stride: readonly number[], offset: number): number[] {
  const out: number[] = [];
  const idx = shape.map(() => 0);
  const total = shape.reduce((a, b) => a * b, 1);
  for (let k = 0; k < total; k++) {
    out.push(at(data, stride, offset, idx));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

describe("copyData of strided views", () => {
  it("equals element-by-element reading for any rank, strides (incl. 0 and negative) and offset", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ n: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: -3, max: 5 }) }), { minLength: 0, maxLength: 4 }),
        (axes) => {
          const shape = axes.map((a) => a.n);
          const stride = axes.map((a) => a.s);
          // Place the offset so every index lands inside the buffer.
          let lo = 0;
          let hi = 0;
          axes.forEach((a) => (a.s < 0 ? (lo += a.s * (a.n - 1)) : (hi += a.s * (a.n - 1))));
          const offset = -lo;
          const data = Float64Array.from({ length: hi - lo + 1 }, (_, i) => i + 0.5);
          const base = ConcreteTensor.fromData(data, [data.length], "float64");
          const view = ConcreteTensor.view(base, shape, stride, offset);
          expect(Array.from(view.copyData())).toEqual(expected(data, shape, stride, offset));
        },
      ),
    );
  });
});
