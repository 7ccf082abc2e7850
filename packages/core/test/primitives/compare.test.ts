import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../../src/errors.js";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { eqP, geP, gtP, leP, ltP, neP } from "../../src/primitives/compare.js";

const f32 = (v: number[], weak = false) => ConcreteTensor.fromData(Float32Array.from(v), [v.length], "float32", weak);
const u32 = (v: number[]) => ConcreteTensor.fromData(Uint32Array.from(v), [v.length], "uint32");
const bool = (v: number[]) => ConcreteTensor.fromData(Uint8Array.from(v), [v.length], "bool");

describe("comparison primitives", () => {
  const x = f32([1, 2, 3, NaN]);
  const y = f32([2, 2, 2, NaN]);
  it.each([
    [eqP, [0, 1, 0, 0]],
    [neP, [1, 0, 1, 1]],
    [ltP, [1, 0, 0, 0]],
    [leP, [1, 1, 0, 0]],
    [gtP, [0, 0, 1, 0]],
    [geP, [0, 1, 1, 0]],
  ])("%s gives strong bool, NaN unordered", (prim, want) => {
    const r = bind1(prim, [x, y]);
    expect(r.dtype).toBe("bool");
    expect(r.weakType).toBe(false);
    expect(r.toArray()).toEqual(want);
  });

  it("compare uint32 above 2^31 as unsigned and bools as 0/1", () => {
    expect(bind1(ltP, [u32([2 ** 31, 1]), u32([1, 2 ** 32 - 1])]).toArray()).toEqual([0, 1]);
    expect(bind1(eqP, [bool([1, 0]), bool([1, 1])]).toArray()).toEqual([1, 0]);
    expect(bind1(eqP, [f32([1], true), f32([1], true)]).weakType).toBe(false);
  });

  it("reject mismatched operands, naming the primitive", () => {
    expect(() => bind1(ltP, [f32([1]), u32([1])])).toThrow(DTypeError);
    expect(() => bind1(ltP, [f32([1]), u32([1])])).toThrow("lt: operand dtypes differ (float32 and uint32)");
    expect(() => bind1(eqP, [f32([1]), f32([1, 2])])).toThrow(ShapeError);
  });
});
