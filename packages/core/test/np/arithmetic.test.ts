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

describe("np arithmetic: broadcasting and promotion", () => {
  it("broadcasts by NumPy rules", () => {
    const r = np.add(array([[1], [2]]), array([10, 20, 30]));
    expect(r.shape).toEqual([2, 3]);
    expect(r.toArray()).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(np.multiply(array([[1, 2]]), 3).toArray()).toEqual([[3, 6]]);
  });

  it("weak JS numbers adopt the tensor's dtype; int meets float gives float", () => {
    expect(np.add(array([1, 2], { dtype: "float32" }), 1).dtype).toBe("float32");
    expect(np.add(array([1, 2]), 1).dtype).toBe("int32");
    expect(np.add(array([1, 2], { dtype: "uint32" }), 1).dtype).toBe("uint32");
    const f = np.multiply(array([1, 2]), 2.5);
    expect(f.dtype).toBe("float32");
    expect(f.toArray()).toEqual([2.5, 5]);
    expect(np.add(array([1]), array([1.5], { dtype: "float64" })).dtype).toBe("float64");
    // A weak float keeps its exact value when it meets float64.
    expect(np.multiply(array([3], { dtype: "float64" }), 0.1).item()).toBe(3 * 0.1);
    const both = np.add(1, 2);
    expect([both.dtype, both.weakType, both.item()]).toEqual(["int32", true, 3]);
  });

  it("bool: add is or, multiply is and; subtract and negative reject bool", () => {
    const a = array([true, false, true]);
    const b = array([true, false, false]);
    expect(np.add(a, b).dtype).toBe("bool");
    expect(np.add(a, b).toArray()).toEqual([1, 0, 1]);
    expect(np.multiply(a, b).toArray()).toEqual([1, 0, 0]);
    expect(np.add(a, 1).toArray()).toEqual([2, 1, 2]); // weak int meets bool: int32
    expect(() => np.subtract(a, b)).toThrow(DTypeError);
    expect(() => np.subtract(a, b)).toThrow("subtract: does not accept dtype bool");
    expect(() => np.negative(a)).toThrow("negative: does not accept dtype bool");
  });

  it("divide is true division (ints give float32); floorDivide and remainder round toward -∞", () => {
    const q = np.divide(array([1, 3]), array([2, 4]));
    expect(q.dtype).toBe("float32");
    expect(q.toArray()).toEqual([0.5, 0.75]);
    expect(np.divide(1, 4).weakType).toBe(true);
    expect(np.floorDivide(array([-7, 7, 7]), array([2, 2, -2])).toArray()).toEqual([-4, 3, -4]);
    expect(np.remainder(array([-7, 7, 7]), array([3, 3, -3])).toArray()).toEqual([2, 1, -2]);
    expect(np.floorDivide(array([7], { dtype: "uint32" }), 2).toArray()).toEqual([3]);
  });

  for (const name of ["floorDivide", "remainder", "log2", "log10"] as const) {
    for (const [dtype, c] of Object.entries(fixtures.np[name] as Record<string, { dtype: "float64" | "int32"; inputs: Encoded[][]; expected: Encoded[] }>)) {
      it(`${name} ${dtype} matches NumPy`, () => {
        const args = c.inputs.map((xs) => array(xs.map(decode), { dtype: c.dtype }));
        const fn = np[name] as (...a: Tensor[]) => Tensor;
        const got = vals(fn(...args));
        c.expected.map(decode).forEach((want, i) => {
          if (Number.isNaN(want)) expect(got[i]).toBeNaN();
          else expect(got[i]).toBeCloseTo(want, 12);
        });
      });
    }
  }

  it("power keeps integers integral and bool becomes int32", () => {
    expect(np.power(array([2, 3]), 3).toArray()).toEqual([8, 27]);
    expect(np.power(array([2, 3]), 3).dtype).toBe("int32");
    expect(np.power(array([4], { dtype: "float32" }), 0.5).toArray()).toEqual([2]);
    expect(np.power(array([true]), array([true])).dtype).toBe("int32");
  });

  it("float-only functions promote int and bool to float32, keeping weakness", () => {
    const e = np.exp(array([0, 1]));
    expect(e.dtype).toBe("float32");
    expect(e.toArray()).toEqual([1, Math.fround(Math.E)]);
    expect(np.sqrt(array([true, false])).toArray()).toEqual([1, 0]);
    expect(np.log(1).weakType).toBe(true);
    expect(np.sqrt(array([4], { dtype: "float64" })).dtype).toBe("float64");
    expect(np.reciprocal(array([4])).toArray()).toEqual([0.25]);
    expect(np.rsqrt(array([4])).toArray()).toEqual([0.5]);
    expect(np.arctan2(1, -1).item()).toBeCloseTo((3 * Math.PI) / 4, 6);
    expect(vals(np.expm1(array([1e-10], { dtype: "float64" })))[0]).toBeCloseTo(1e-10, 20);
    expect(vals(np.log1p(array([1e-10], { dtype: "float64" })))[0]).toBeCloseTo(1e-10, 20);
  });

  it("rounding functions: half to even; identity on integers", () => {
    expect(np.round(array([0.5, 1.5, 2.5, -0.5, -1.5])).toArray()).toEqual([0, 2, 2, -0, -2]);
    expect(np.floor(array([-1.5, 1.5])).toArray()).toEqual([-2, 1]);
    expect(np.ceil(array([-1.5, 1.5])).toArray()).toEqual([-1, 2]);
    const ints = array([3, -4]);
    expect(np.floor(ints)).toBe(ints);
    expect(np.abs(ints).toArray()).toEqual([3, 4]);
    expect(np.sign(array([-2.5, 0, 3])).toArray()).toEqual([-1, 0, 1]);
    const flags = array([true, false]);
    expect(np.abs(flags)).toBe(flags);
  });

  it("maximum, minimum and clip (null bounds leave that side open)", () => {
    expect(np.maximum(array([1, 5]), 3).toArray()).toEqual([3, 5]);
    expect(np.minimum(array([1, 5]), 3).toArray()).toEqual([1, 3]);
    const x = array([-2, 0.5, 4]);
    expect(np.clip(x, 0, 1).toArray()).toEqual([0, 0.5, 1]);
    expect(np.clip(x, null, 1).toArray()).toEqual([-2, 0.5, 1]);
    expect(np.clip(x, 0, null).toArray()).toEqual([0, 0.5, 4]);
    expect(np.clip(x, null, null)).toBe(x);
    expect(np.clip(array([1, 9]), array([[2], [0]]), 5).toArray()).toEqual([[2, 5], [1, 5]]);
  });

  it("where broadcasts all three operands and reads non-bool predicates as != 0", () => {
    const r = np.where(array([[1], [0]]), array([1, 2, 3]), 0);
    expect(r.shape).toEqual([2, 3]);
    expect(r.toArray()).toEqual([[1, 2, 3], [0, 0, 0]]);
    expect(np.where(true, 1.5, array([1, 2])).toArray()).toEqual([1.5, 1.5]);
    expect(() => np.where(array([1, 0, 1]), array([1, 2]), 0)).toThrow(ShapeError);
  });

  it("reads transposed operands", () => {
    const x = array([[1, 2, 3], [4, 5, 6]], { dtype: "float32" });
    const xt = bind1(transposeP, [x], { permutation: [1, 0] });
    expect(np.subtract(xt, array([1, 2])).toArray()).toEqual([[0, 2], [1, 3], [2, 4]]);
  });

  it("0-d and empty operands", () => {
    expect(np.add(array(2), array(3)).shape).toEqual([]);
    expect(np.multiply(array([]), array([[]])).shape).toEqual([1, 0]);
    expect(np.exp(array([])).shape).toEqual([0]);
  });

  it("never mutates its inputs", () => {
    const data = Float32Array.from([1, -2, 3]);
    const x = ConcreteTensor.fromData(data, [3], "float32");
    np.negative(x);
    np.clip(x, 0, 1);
    np.where(np.greater(x, 0), x, 0);
    expect(Array.from(data)).toEqual([1, -2, 3]);
  });

  it("errors name the np function and the shapes", () => {
    expect(() => np.add(array([1, 2]), array([1, 2, 3]))).toThrow("add: shapes [2] and [3] cannot be broadcast together");
    expect(() => np.divide(array([[1, 2]]), array([1, 2, 3]))).toThrow(ShapeError);
  });
});

describe("np transformation helpers", () => {
  it("stopGradient is the identity on values; bitcastConvertType reinterprets bits", () => {
    expect(np.stopGradient(array([1, 2])).toArray()).toEqual([1, 2]);
    expect(np.bitcastConvertType(array([1], { dtype: "float32" }), "uint32").toArray()).toEqual([1065353216]);
    expect(() => np.bitcastConvertType(array([1], { dtype: "float64" }), "uint32")).toThrow(DTypeError);
  });
});