import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { DTypeError, ShapeError } from "../../src/errors.js";
import { ConcreteTensor, type Tensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { transposeP } from "../../src/primitives/shape.js";
import { array } from "../../src/np/asarray.js";
import * as np from "../../src/np/index.js";

type Encoded = number | "nan" | "inf" | "-inf";
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/elementwise.json", import.meta.url), "utf8"));
const decode = (v: Encoded): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);
const vals = (t: Tensor) => Array.from(t.toTypedArray());

describe("np logic and bits", () => {
  it("logical functions read non-zero as true", () => {
    const a = array([0, 1, 2]);
    const b = array([true, true, false]);
    expect(np.logicalAnd(a, b).toArray()).toEqual([0, 1, 0]);
    expect(np.logicalOr(a, b).toArray()).toEqual([1, 1, 1]);
    expect(np.logicalXor(a, b).toArray()).toEqual([1, 0, 1]);
    expect(np.logicalNot(array([0, 0.5])).toArray()).toEqual([1, 0]);
  });

  it("bitwise functions on ints and bool; floats are rejected", () => {
    expect(np.bitwiseAnd(array([12]), 10).toArray()).toEqual([8]);
    expect(np.bitwiseOr(array([12]), 10).toArray()).toEqual([14]);
    expect(np.bitwiseXor(array([12]), 10).toArray()).toEqual([6]);
    expect(np.bitwiseNot(array([0, 5])).toArray()).toEqual([-1, -6]);
    expect(np.bitwiseNot(array([true])).toArray()).toEqual([0]);
    expect(() => np.bitwiseAnd(array([1.5]), 1)).toThrow("bitwiseAnd: does not accept dtype float32");
    expect(() => np.bitwiseNot(array([1.5]))).toThrow(DTypeError);
  });

  it("shifts: right shift is arithmetic for int32 and logical for uint32", () => {
    expect(np.leftShift(array([1]), 4).toArray()).toEqual([16]);
    expect(np.rightShift(array([-8]), 1).toArray()).toEqual([-4]);
    expect(np.rightShift(array([2 ** 31], { dtype: "uint32" }), 1).toArray()).toEqual([2 ** 30]);
    expect(() => np.leftShift(array([1.5]), 1)).toThrow("leftShift: does not accept dtype float32");
  });
});
