import { describe, expect, it } from "vitest";
import { DTypeError } from "../../src/errors.js";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { bitcastConvertTypeP } from "../../src/primitives/bitcast.js";
import { transposeP } from "../../src/primitives/shape.js";

const f32 = (v: number[], shape = [v.length]) => ConcreteTensor.fromData(Float32Array.from(v), shape, "float32");
const u32 = (v: number[], shape = [v.length]) => ConcreteTensor.fromData(Uint32Array.from(v), shape, "uint32");

describe("bitcast_convert_type", () => {
  it("reinterprets the IEEE bits of float32 as uint32 / int32 and back", () => {
    expect(bind1(bitcastConvertTypeP, [f32([1, -2, 0.5])], { newDtype: "uint32" }).toArray()).toEqual([0x3f800000, 0xc0000000, 0x3f000000]);
    expect(bind1(bitcastConvertTypeP, [f32([-2])], { newDtype: "int32" }).toArray()).toEqual([0xc0000000 | 0]);
    // random's trick: mantissa bits | exponent of 1.0 gives a float in [1, 2).
    expect(bind1(bitcastConvertTypeP, [u32([0x3f800000 | 0x400000])], { newDtype: "float32" }).item()).toBe(1.5);
    const nan = bind1(bitcastConvertTypeP, [u32([0x7fc00000])], { newDtype: "float32" });
    expect(nan.item()).toBeNaN();
  });

  it("reads views in row-major order, copies the data, and round-trips", () => {
    const x = u32([1, 2, 3, 4, 5, 6], [2, 3]);
    const xt = bind1(transposeP, [x], { permutation: [1, 0] });
    const asFloat = bind1(bitcastConvertTypeP, [xt], { newDtype: "float32" });
    expect(asFloat.shape).toEqual([3, 2]);
    expect(bind1(bitcastConvertTypeP, [asFloat], { newDtype: "uint32" }).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(bind1(bitcastConvertTypeP, [f32([], [0])], { newDtype: "int32" }).shape).toEqual([0]);
  });

  it("rejects non-32-bit dtypes on either side", () => {
    const f64 = ConcreteTensor.fromData(Float64Array.from([1]), [1], "float64");
    expect(() => bind1(bitcastConvertTypeP, [f64], { newDtype: "uint32" })).toThrow(DTypeError);
    expect(() => bind1(bitcastConvertTypeP, [f64], { newDtype: "uint32" })).toThrow("bitcast_convert_type: cannot reinterpret float64 as uint32");
    expect(() => bind1(bitcastConvertTypeP, [f32([1])], { newDtype: "bool" })).toThrow("cannot reinterpret float32 as bool");
  });
});
