import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../../src/errors.js";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { selectP } from "../../src/primitives/select.js";
import { broadcastInDimP, transposeP } from "../../src/primitives/shape.js";

const f32 = (v: number[], shape = [v.length], weak = false) => ConcreteTensor.fromData(Float32Array.from(v), shape, "float32", weak);
const i32 = (v: number[]) => ConcreteTensor.fromData(Int32Array.from(v), [v.length], "int32");
const bool = (v: number[], shape = [v.length]) => ConcreteTensor.fromData(Uint8Array.from(v), shape, "bool");

describe("select", () => {
  it("chooses elementwise by a bool predicate, for any value dtype", () => {
    expect(bind1(selectP, [bool([1, 0, 1]), f32([1, 2, 3]), f32([-1, -2, -3])]).toArray()).toEqual([1, -2, 3]);
    expect(bind1(selectP, [bool([0, 1]), i32([5, 6]), i32([7, 8])]).toArray()).toEqual([7, 6]);
    expect(bind1(selectP, [bool([0, 1]), bool([1, 1]), bool([0, 0])]).toArray()).toEqual([0, 1]);
  });

  it("reads views and keeps weak types only if both branches are weak", () => {
    const pred = bind1(transposeP, [bool([1, 0, 0, 1], [2, 2])], { permutation: [1, 0] });
    const onTrue = bind1(broadcastInDimP, [f32([1, 2])], { shape: [2, 2], broadcastDimensions: [1] });
    const r = bind1(selectP, [pred, onTrue, f32([0, 0, 0, 0], [2, 2], true)]);
    expect(r.toArray()).toEqual([[1, 0], [0, 2]]);
    expect(r.weakType).toBe(false);
    expect(bind1(selectP, [bool([1]), f32([1], [1], true), f32([2], [1], true)]).weakType).toBe(true);
  });

  it("0-d and empty", () => {
    const s = bind1(selectP, [ConcreteTensor.scalar(0, "bool"), ConcreteTensor.scalar(1, "float32"), ConcreteTensor.scalar(2, "float32")]);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(2);
    expect(bind1(selectP, [bool([], [0]), f32([]), f32([])]).shape).toEqual([0]);
  });

  it("rejects a non-bool predicate, different branch dtypes and unequal shapes", () => {
    expect(() => bind1(selectP, [i32([1]), f32([1]), f32([1])])).toThrow(DTypeError);
    expect(() => bind1(selectP, [i32([1]), f32([1]), f32([1])])).toThrow("select: predicate must be bool, got int32");
    expect(() => bind1(selectP, [bool([1]), f32([1]), i32([1])])).toThrow("select: branch dtypes differ (float32 and int32)");
    expect(() => bind1(selectP, [bool([1, 0]), f32([1]), f32([1])])).toThrow(ShapeError);
    expect(() => bind1(selectP, [bool([1, 0]), f32([1]), f32([1])])).toThrow("select: operand shapes differ ([2] and [1] and [1])");
  });
});
