import { describe, expect, it } from "vitest";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { stopGradientP } from "../../src/primitives/stop_gradient.js";

describe("stop_gradient", () => {
  it("is the identity on values of every dtype and weak type", () => {
    const x = ConcreteTensor.fromData(Float32Array.from([1, 2]), [2], "float32", true);
    const y = bind1(stopGradientP, [x]);
    expect(y.toArray()).toEqual([1, 2]);
    expect(y.weakType).toBe(true);
    const i = ConcreteTensor.fromData(Int32Array.from([3]), [1], "int32");
    expect(bind1(stopGradientP, [i]).dtype).toBe("int32");
  });

  it("has symbolic-zero tangent and cotangent, and keeps the batch axis", () => {
    const x = ConcreteTensor.fromData(Float64Array.from([1, 2]), [2], "float64");
    const [[out], [t]] = stopGradientP.jvp!([x], [x], {});
    expect(out!.toArray()).toEqual([1, 2]);
    expect(t).toBeNull();
    expect(stopGradientP.vjp!([x], [x], [x], {}, [true])).toEqual([null]);
    expect(stopGradientP.batch!([x], [0], {})[1]).toEqual([0]);
  });
});
