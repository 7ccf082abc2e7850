import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../../src/errors.js";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { addP, addTangents, atan2P, divP, maxP, minP, mulP, subP } from "../../src/primitives/arithmetic.js";
import { powP, remP } from "../../src/primitives/pow_rem.js";
import { broadcastInDimP, transposeP } from "../../src/primitives/shape.js";

const f32 = (v: number[], shape = [v.length], weak = false) => ConcreteTensor.fromData(Float32Array.from(v), shape, "float32", weak);
const f64 = (v: number[], shape = [v.length]) => ConcreteTensor.fromData(Float64Array.from(v), shape, "float64");
const i32 = (v: number[], shape = [v.length]) => ConcreteTensor.fromData(Int32Array.from(v), shape, "int32");
const u32 = (v: number[]) => ConcreteTensor.fromData(Uint32Array.from(v), [v.length], "uint32");
const bool = (v: number[]) => ConcreteTensor.fromData(Uint8Array.from(v), [v.length], "bool");

describe("binary arithmetic primitives", () => {
  it("round float32 results to float32", () => {
    expect(bind1(addP, [f32([0.1]), f32([0.2])]).item()).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(bind1(divP, [f32([1]), f32([3])]).item()).toBe(Math.fround(1 / 3));
  });

  it("integers: wrap-around, truncating division and C remainder (XLA semantics at 0)", () => {
    expect(bind1(mulP, [i32([65536, 2 ** 31 - 1]), i32([65536, 2])]).toArray()).toEqual([0, -2]);
    expect(bind1(addP, [i32([2 ** 31 - 1]), i32([1])]).toArray()).toEqual([-(2 ** 31)]);
    expect(bind1(divP, [i32([-7, 7, 5, -(2 ** 31)]), i32([2, -2, 0, -1])]).toArray()).toEqual([-3, -3, -1, -(2 ** 31)]);
    expect(bind1(remP, [i32([-7, 7, 5, -(2 ** 31)]), i32([2, -2, 0, -1])]).toArray()).toEqual([-1, 1, 5, 0]);
    expect(bind1(divP, [u32([7, 7]), u32([2, 0])]).toArray()).toEqual([3, 2 ** 32 - 1]);
    expect(bind1(subP, [u32([0]), u32([1])]).toArray()).toEqual([2 ** 32 - 1]);
    expect(bind1(powP, [i32([3, 2, -1, 5, 1]), i32([4, 31, -3, -1, -5])]).toArray()).toEqual([81, -(2 ** 31), -1, 0, 1]);
  });

  it("float rem is fmod (sign of the dividend); pow and atan2 follow IEEE", () => {
    expect(bind1(remP, [f64([-7, 7, 5.5]), f64([2, -2, 2])]).toArray()).toEqual([-1, 1, 1.5]);
    expect(bind1(powP, [f64([2, 0, -8]), f64([-1, 0, 1 / 3])]).toTypedArray()).toEqual(Float64Array.from([0.5, 1, NaN]));
    expect(bind1(atan2P, [f64([1, 0]), f64([0, -1])]).toArray()).toEqual([Math.PI / 2, Math.PI]);
  });

  it("max and min propagate NaN from either side and accept bool", () => {
    const r = bind1(maxP, [f32([NaN, 1, 2]), f32([1, NaN, 1])]).toTypedArray();
    expect(Number.isNaN(r[0]!) && Number.isNaN(r[1]!)).toBe(true);
    expect(r[2]).toBe(2);
    const m = bind1(minP, [f32([NaN, 1]), f32([1, NaN])]).toTypedArray();
    expect(Number.isNaN(m[0]!) && Number.isNaN(m[1]!)).toBe(true);
    expect(bind1(maxP, [bool([0, 1, 0]), bool([0, 0, 1])]).toArray()).toEqual([0, 1, 1]);
  });

  it("read broadcast and transposed views", () => {
    const x = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const col = bind1(broadcastInDimP, [f32([10, 20])], { shape: [2, 3], broadcastDimensions: [0] });
    expect(bind1(mulP, [x, col]).toArray()).toEqual([[10, 20, 30], [80, 100, 120]]);
    const xt = bind1(transposeP, [x], { permutation: [1, 0] });
    expect(bind1(subP, [xt, xt]).toArray()).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect(bind1(addP, [xt, f32([1, 1, 1, 1, 1, 1], [3, 2])]).toArray()).toEqual([[2, 5], [3, 6], [4, 7]]);
  });

  it("0-d and empty operands", () => {
    expect(bind1(mulP, [ConcreteTensor.scalar(3, "float64"), ConcreteTensor.scalar(4, "float64")]).item()).toBe(12);
    const e = bind1(addP, [f32([], [2, 0]), f32([], [2, 0])]);
    expect(e.shape).toEqual([2, 0]);
  });

  it("the result is weakly typed only when both operands are", () => {
    expect(bind1(addP, [f32([1], [1], true), f32([1], [1], true)]).weakType).toBe(true);
    expect(bind1(addP, [f32([1], [1], true), f32([1], [1], false)]).weakType).toBe(false);
  });

  it("reject mismatched dtypes and shapes and unsupported dtypes, naming op and culprits", () => {
    expect(() => bind1(addP, [f32([1]), f64([1])])).toThrow(DTypeError);
    expect(() => bind1(addP, [f32([1]), f64([1])])).toThrow("add: operand dtypes differ (float32 and float64)");
    expect(() => bind1(mulP, [f32([1, 2]), f32([1, 2, 3])])).toThrow(ShapeError);
    expect(() => bind1(mulP, [f32([1, 2]), f32([1, 2, 3])])).toThrow("mul: operand shapes differ ([2] and [3])");
    expect(() => bind1(subP, [bool([1]), bool([1])])).toThrow("sub: does not accept dtype bool");
    expect(() => bind1(atan2P, [i32([1]), i32([1])])).toThrow("atan2: does not accept dtype int32");
  });

  it("addTangents treats null as zero", () => {
    const t = f32([1, 2]);
    expect(addTangents(null, null)).toBeNull();
    expect(addTangents(t, null)).toBe(t);
    expect(addTangents(null, t)).toBe(t);
    expect(addTangents(t, t)!.toArray()).toEqual([2, 4]);
  });
});
