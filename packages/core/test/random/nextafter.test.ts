import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { nextafter, nextafterP } from "../../src/random/nextafter.js";
import { flat } from "./test_support.js";

describe("nextafter", () => {
  it("steps one float32 ulp in either direction, across zero and from infinities", () => {
    const x = np.array([1, 1, 0, 0, -1, Infinity, -Infinity, 3], { dtype: "float32" });
    const to = np.array([2, 0, 1, -1, -2, 0, 0, 3], { dtype: "float32" });
    expect(flat(nextafter(x, to))).toEqual([
      Math.fround(1 + 2 ** -23),
      Math.fround(1 - 2 ** -24),
      2 ** -149,
      -(2 ** -149),
      Math.fround(-1 - 2 ** -23),
      3.4028234663852886e38,
      -3.4028234663852886e38,
      3,
    ]);
  });

  it("steps one float64 ulp and propagates NaN", () => {
    const x = np.array([1, 0, NaN], { dtype: "float64" });
    expect(flat(nextafter(x, Infinity))).toEqual([1 + 2 ** -52, Number.MIN_VALUE, NaN]);
  });

  it("is not differentiable and batches elementwise", () => {
    const x = np.array([1, 2], { dtype: "float32" });
    const [, tangents] = nextafterP.jvp!([x, x], [x, null], {});
    expect(tangents).toEqual([null]);
    const xs = np.array([[1, 2], [3, 4]], { dtype: "float32" });
    const [outs, dims] = nextafterP.batch!([xs, np.array([0, 0], { dtype: "float32" })], [1, null], {});
    // The batch axis stays where the batched operand has it (axis 1).
    expect(dims).toEqual([1]);
    expect(np.moveaxis(outs[0]!, 1, 0).toArray()).toEqual([
      flat(nextafter(np.array([1, 3], { dtype: "float32" }), 0)),
      flat(nextafter(np.array([2, 4], { dtype: "float32" }), 0)),
    ]);
  });

  it("rejects integer operands and mismatched shapes", () => {
    const i = ConcreteTensor.fromData(Int32Array.of(1), [1], "int32");
    expect(() => bind1(nextafterP, [i, i])).toThrow(DTypeError);
    const f = np.array([1, 2], { dtype: "float32" });
    expect(() => bind1(nextafterP, [f, np.array([1], { dtype: "float32" })])).toThrow(ShapeError);
  });
});
