import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConcreteTensor } from "../../../src/tensor.js";
import { fusedKernel } from "../../../src/backend/kernels/fusion.js";

const mulAdd = (a: number, b: number, c: number) => a * b + c;
const neg = (a: number) => -a;

/** A [shape] float64 view over a fresh buffer: contiguous, broadcast along `broadcastAxes`, or transposed. */
function makeView(shape: number[], layout: "contiguous" | "broadcast" | "reversed", broadcastAxes: boolean[], seed: number): ConcreteTensor {
  if (layout === "contiguous") {
    const n = shape.reduce((a, b) => a * b, 1);
    return ConcreteTensor.fromData(Float64Array.from({ length: n }, (_, i) => seed + i * 0.25), shape, "float64");
  }
  if (layout === "broadcast") {
    // Axes marked in broadcastAxes have stride 0; the rest are row-major over the kept axes.
    const kept = shape.map((n, d) => (broadcastAxes[d] ? 1 : n));
    const n = kept.reduce((a, b) => a * b, 1);
    const base = ConcreteTensor.fromData(Float64Array.from({ length: n }, (_, i) => seed - i), kept, "float64");
    const stride = base.stride.map((s, d) => (broadcastAxes[d] ? 0 : s));
    return ConcreteTensor.view(base, shape, stride, 0);
  }
  // Column-major: a transposed layout of the same values.
  const n = shape.reduce((a, b) => a * b, 1);
  const stride = new Array<number>(shape.length);
  for (let d = 0, acc = 1; d < shape.length; d++) {
    stride[d] = acc;
    acc *= shape[d]!;
  }
  const base = ConcreteTensor.fromData(Float64Array.from({ length: n }, (_, i) => seed * 2 + i), [n], "float64");
  return ConcreteTensor.view(base, shape, stride, 0);
}

describe("fusedKernel", () => {
  it("computes every element as the scalar chain applied to the inputs' elements, for any layout and loop order", () => {
    const kernel = fusedKernel({
      inputs: ["float64", "float64", "float64"],
      ops: [
        { kernel: mulAdd, args: [0, 1, 2], dtype: "float64" },
        { kernel: neg, args: [3], dtype: "float64" },
      ],
      outputs: [3, 4],
    });
    const layout = fc.constantFrom("contiguous" as const, "broadcast" as const, "reversed" as const);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }),
        fc.tuple(layout, layout, layout),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        (shape, layouts, broadcastAxes) => {
          const inputs = layouts.map((l, k) => makeView(shape, l, broadcastAxes, k + 1));
          const [y, z] = kernel.run(inputs, shape, ["float64", "float64"]);
          const [a, b, c] = inputs.map((t) => t.copyData());
          const n = a!.length;
          const expectedY = Array.from({ length: n }, (_, i) => a![i]! * b![i]! + c![i]!);
          expect(Array.from(y!.toTypedArray())).toEqual(expectedY);
          expect(Array.from(z!.toTypedArray())).toEqual(expectedY.map((v) => -v));
          expect(y!.shape).toEqual(shape);
        },
      ),
    );
  });

  it("runs a [250, 2] block with a broadcast row (the loop order that puts the long axis inside)", () => {
    const kernel = fusedKernel({ inputs: ["float32", "float32", "float32"], ops: [{ kernel: mulAdd, args: [0, 1, 2], dtype: "float32" }], outputs: [3] });
    const x = makeView([250, 2], "contiguous", [false, false], 1);
    const bias = ConcreteTensor.view(ConcreteTensor.fromData(Float64Array.of(0.5, -2), [2], "float64"), [250, 2], [0, 1], 0);
    const two = ConcreteTensor.view(ConcreteTensor.fromData(Float64Array.of(2), [], "float64"), [250, 2], [0, 0], 0);
    const [y] = kernel.run([x, two, bias], [250, 2], ["float32"]);
    const xs = x.copyData();
    expect(Array.from(y!.toTypedArray())).toEqual(Array.from(xs, (v, i) => Math.fround(Math.fround(v) * 2 + (i % 2 === 0 ? 0.5 : -2))));
  });
});
