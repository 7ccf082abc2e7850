import { describe, expect, it } from "vitest";
import { DTypeError } from "../../src/errors.js";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { transposeP, broadcastInDimP } from "../../src/primitives/shape.js";
import * as u from "../../src/primitives/unary.js";
import { negP } from "../../src/primitives/arithmetic.js";

const f32 = (v: number[], shape = [v.length]) => ConcreteTensor.fromData(Float32Array.from(v), shape, "float32");
const i32 = (v: number[], shape = [v.length]) => ConcreteTensor.fromData(Int32Array.from(v), shape, "int32");
const u32 = (v: number[]) => ConcreteTensor.fromData(Uint32Array.from(v), [v.length], "uint32");

describe("unary primitives", () => {
  it("read non-contiguous views (transposes, broadcasts) in row-major order", () => {
    const x = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const xt = bind1(transposeP, [x], { permutation: [1, 0] });
    expect(bind1(negP, [xt]).toArray()).toEqual([[-1, -4], [-2, -5], [-3, -6]]);
    const row = bind1(broadcastInDimP, [f32([0, 1])], { shape: [3, 2], broadcastDimensions: [1] });
    expect(bind1(u.expP, [row]).toArray()).toEqual([[1, Math.fround(Math.E)], [1, Math.fround(Math.E)], [1, Math.fround(Math.E)]]);
  });

  it("handle 0-d and empty tensors", () => {
    const scalar = ConcreteTensor.scalar(4, "float64");
    const r = bind1(u.sqrtP, [scalar]);
    expect(r.shape).toEqual([]);
    expect(r.item()).toBe(2);
    const empty = f32([], [0, 3]);
    const e = bind1(u.tanhP, [empty]);
    expect(e.shape).toEqual([0, 3]);
    expect(e.dtype).toBe("float32");
  });

  it("keep the dtype and the weak type of the operand; never write to it", () => {
    const data = Float32Array.from([1, -2]);
    const x = ConcreteTensor.fromData(data, [2], "float32", true);
    const y = bind1(u.absP, [x]);
    expect(y.dtype).toBe("float32");
    expect(y.weakType).toBe(true);
    expect(Array.from(data)).toEqual([1, -2]);
  });

  it("round float32 results of weak float64-cell scalars (exact JS values) to float32", () => {
    const weak = ConcreteTensor.fromData(Float64Array.of(0.1), [], "float32", true);
    expect(bind1(negP, [weak]).item()).toBe(-Math.fround(0.1));
  });

  it("wrap integers: neg and abs of INT_MIN, neg of uint32", () => {
    expect(bind1(negP, [i32([-(2 ** 31), 5])]).toArray()).toEqual([-(2 ** 31), -5]);
    expect(bind1(u.absP, [i32([-(2 ** 31), -5])]).toArray()).toEqual([-(2 ** 31), 5]);
    expect(bind1(negP, [u32([1, 0])]).toArray()).toEqual([2 ** 32 - 1, 0]);
    expect(bind1(u.signP, [i32([-7, 0, 9])]).toArray()).toEqual([-1, 0, 1]);
    expect(bind1(u.signP, [u32([0, 9])]).toArray()).toEqual([0, 1]);
  });

  it("not: logical on bool, bitwise on integers", () => {
    const b = ConcreteTensor.fromData(Uint8Array.from([1, 0]), [2], "bool");
    expect(bind1(u.notP, [b]).toArray()).toEqual([0, 1]);
    expect(bind1(u.notP, [i32([0, 5])]).toArray()).toEqual([-1, -6]);
    expect(bind1(u.notP, [u32([0])]).toArray()).toEqual([2 ** 32 - 1]);
  });

  it("is_finite gives bool", () => {
    const r = bind1(u.isFiniteP, [f32([1, Infinity, -Infinity, NaN])]);
    expect(r.dtype).toBe("bool");
    expect(r.weakType).toBe(false);
    expect(r.toArray()).toEqual([1, 0, 0, 0]);
  });

  it("erf_inv: ±1 give ±∞, outside [-1, 1] is NaN, in both precisions", () => {
    for (const x of [f32([1, -1, 1.5]), ConcreteTensor.fromData(Float64Array.from([1, -1, 1.5]), [3], "float64")]) {
      const [a, b, c] = Array.from(bind1(u.erfInvP, [x]).toTypedArray());
      expect([a, b]).toEqual([Infinity, -Infinity]);
      expect(c).toBeNaN();
    }
  });

  it("reject dtypes they do not define, naming the primitive and the dtype", () => {
    expect(() => bind1(u.expP, [i32([1])])).toThrow(DTypeError);
    expect(() => bind1(u.expP, [i32([1])])).toThrow("exp: does not accept dtype int32");
    expect(() => bind1(u.floorP, [i32([1])])).toThrow("floor: does not accept dtype int32");
    const b = ConcreteTensor.fromData(Uint8Array.from([1]), [1], "bool");
    expect(() => bind1(negP, [b])).toThrow("neg: does not accept dtype bool");
    expect(() => bind1(u.notP, [f32([1])])).toThrow("not: does not accept dtype float32");
    expect(() => bind1(u.isFiniteP, [i32([1])])).toThrow("is_finite: does not accept dtype int32");
  });

  it("batch keeps the operand's batch axis", () => {
    const x = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const [[out], [dim]] = u.sinP.batch!([x], [1], {});
    expect(dim).toBe(1);
    expect(out!.shape).toEqual([2, 3]);
  });
});
