import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { padP } from "../../src/primitives/slicing.js";

/** lax.pad by its definition: element i of each axis lands at lo + i * (interior + 1). */
function padReference(values: number[], shape: number[], lo: number[], hi: number[], interior: number[], fill: number): { shape: number[]; data: number[] } {
  const outShape = shape.map((n, d) => lo[d]! + hi[d]! + n + Math.max(0, n - 1) * interior[d]!);
  const size = outShape.reduce((a, b) => a * b, 1);
  const data = new Array<number>(size).fill(fill);
  const count = shape.reduce((a, b) => a * b, 1);
  for (let k = 0; k < count; k++) {
    let r = k;
    let o = 0;
    let mul = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = r % shape[d]!;
      r = Math.floor(r / shape[d]!);
      o += (lo[d]! + i * (interior[d]! + 1)) * mul;
      mul *= outShape[d]!;
    }
    data[o] = values[k]!;
  }
  return { shape: outShape, data };
}

describe("pad", () => {
  it("places every element where lax.pad puts it, for any rank, padding and input layout (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ n: fc.integer({ min: 0, max: 4 }), lo: fc.integer({ min: 0, max: 2 }), hi: fc.integer({ min: 0, max: 2 }), gap: fc.integer({ min: 0, max: 2 }) }), { minLength: 0, maxLength: 3 }),
        fc.boolean(),
        (axes, reversed) => {
          const shape = axes.map((a) => a.n);
          const count = shape.reduce((a, b) => a * b, 1);
          const values = Array.from({ length: count }, (_, i) => i + 1);
          // The same logical values, stored contiguously or column-major (a transposed layout).
          let x = ConcreteTensor.fromData(Float64Array.from(values), shape, "float64");
          if (reversed && shape.length > 1) {
            const colMajor = new Float64Array(count);
            const stride = new Array<number>(shape.length);
            for (let d = 0, acc = 1; d < shape.length; d++) {
              stride[d] = acc;
              acc *= shape[d]!;
            }
            for (let k = 0; k < count; k++) {
              let r = k;
              let p = 0;
              for (let d = shape.length - 1; d >= 0; d--) {
                p += (r % shape[d]!) * stride[d]!;
                r = Math.floor(r / shape[d]!);
              }
              colMajor[p] = values[k]!;
            }
            x = ConcreteTensor.view(ConcreteTensor.fromData(colMajor, [count], "float64"), shape, stride, 0);
          }
          const lo = axes.map((a) => a.lo);
          const hi = axes.map((a) => a.hi);
          const interior = axes.map((a) => a.gap);
          const out = bind1(padP, [x, ConcreteTensor.scalar(-7, "float64")], { lo, hi, interior });
          const want = padReference(values, shape, lo, hi, interior, -7);
          expect(out.shape).toEqual(want.shape);
          expect(Array.from(out.toTypedArray())).toEqual(want.data);
        },
      ),
    );
  });
});
