import { describe, expect, it } from "vitest";
import { DTypeError } from "../../src/errors.js";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { andP, orP, shiftLeftP, shiftRightArithmeticP, shiftRightLogicalP, xorP } from "../../src/primitives/bitwise.js";

const i32 = (v: number[]) => ConcreteTensor.fromData(Int32Array.from(v), [v.length], "int32");
const u32 = (v: number[]) => ConcreteTensor.fromData(Uint32Array.from(v), [v.length], "uint32");
const bool = (v: number[]) => ConcreteTensor.fromData(Uint8Array.from(v), [v.length], "bool");
const f32 = (v: number[]) => ConcreteTensor.fromData(Float32Array.from(v), [v.length], "float32");

describe("bitwise primitives", () => {
  it("and/or/xor are logical on bool and bitwise on integers (uint32 above 2^31 kept)", () => {
    expect(bind1(andP, [bool([1, 1, 0]), bool([1, 0, 0])]).toArray()).toEqual([1, 0, 0]);
    expect(bind1(orP, [bool([1, 0, 0]), bool([0, 0, 1])]).toArray()).toEqual([1, 0, 1]);
    expect(bind1(xorP, [bool([1, 0, 1]), bool([1, 0, 0])]).toArray()).toEqual([0, 0, 1]);
    expect(bind1(andP, [i32([12, -1]), i32([10, 7])]).toArray()).toEqual([8, 7]);
    expect(bind1(orP, [u32([2 ** 31]), u32([1])]).toArray()).toEqual([2 ** 31 + 1]);
    expect(bind1(xorP, [u32([2 ** 32 - 1]), u32([1])]).toArray()).toEqual([2 ** 32 - 2]);
  });

  it("shifts: out-of-range amounts give 0 (logical) or the sign fill (arithmetic), as XLA", () => {
    expect(bind1(shiftLeftP, [u32([1, 1, 3]), u32([31, 32, 2 ** 32 - 1])]).toArray()).toEqual([2 ** 31, 0, 0]);
    expect(bind1(shiftLeftP, [i32([1, 1]), i32([31, -1])]).toArray()).toEqual([-(2 ** 31), 0]);
    expect(bind1(shiftRightLogicalP, [i32([-1, -1, 16]), i32([28, 32, 2])]).toArray()).toEqual([15, 0, 4]);
    expect(bind1(shiftRightLogicalP, [u32([2 ** 32 - 1]), u32([4])]).toArray()).toEqual([2 ** 28 - 1]);
    expect(bind1(shiftRightArithmeticP, [i32([-8, -8, 8, 8]), i32([1, 40, 40, 3])]).toArray()).toEqual([-4, -1, 0, 1]);
    // uint32 arithmetic shifts read the bits as signed, as XLA.
    expect(bind1(shiftRightArithmeticP, [u32([2 ** 31, 2 ** 31]), u32([1, 33])]).toArray()).toEqual([2 ** 31 + 2 ** 30, 2 ** 32 - 1]);
  });

  it("reject floats (and bool for shifts), naming the primitive", () => {
    expect(() => bind1(andP, [f32([1]), f32([1])])).toThrow(DTypeError);
    expect(() => bind1(andP, [f32([1]), f32([1])])).toThrow("and: does not accept dtype float32");
    expect(() => bind1(shiftLeftP, [bool([1]), bool([1])])).toThrow("shift_left: does not accept dtype bool");
    expect(() => bind1(orP, [i32([1]), u32([1])])).toThrow("or: operand dtypes differ (int32 and uint32)");
  });
});
