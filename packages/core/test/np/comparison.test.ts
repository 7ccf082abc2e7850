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

describe("np comparisons", () => {
  it("comparisons promote and broadcast, giving bool", () => {
    const x = array([1, 2, 3]);
    expect(np.equal(x, 2).toArray()).toEqual([0, 1, 0]);
    expect(np.notEqual(x, 2).toArray()).toEqual([1, 0, 1]);
    expect(np.less(x, 2.5).toArray()).toEqual([1, 1, 0]);
    expect(np.lessEqual(x, 2).toArray()).toEqual([1, 1, 0]);
    expect(np.greater(x, array([[0], [3]])).toArray()).toEqual([[1, 1, 1], [0, 0, 0]]);
    expect(np.greaterEqual(x, 2).dtype).toBe("bool");
  });

});

describe("np floating-point classes and allclose", () => {
  it("isfinite, isnan, isinf (constant answers for integers)", () => {
    const x = array([1, Infinity, -Infinity, NaN]);
    expect(np.isfinite(x).toArray()).toEqual([1, 0, 0, 0]);
    expect(np.isnan(x).toArray()).toEqual([0, 0, 0, 1]);
    expect(np.isinf(x).toArray()).toEqual([0, 1, 1, 0]);
    const i = array([[1, 2]]);
    expect(np.isfinite(i).toArray()).toEqual([[1, 1]]);
    expect(np.isnan(i).toArray()).toEqual([[0, 0]]);
    expect(np.isinf(i).dtype).toBe("bool");
  });

  it("allclose: tolerances, broadcasting, NaN and infinities", () => {
    expect(np.allclose(array([1, 2]), array([1, 2.000001]))).toBe(true);
    expect(np.allclose(array([1, 2]), array([1, 2.001]))).toBe(false);
    expect(np.allclose(array([1, 2]), array([1, 2.001]), { rtol: 1e-2 })).toBe(true);
    expect(np.allclose(array([0]), array([1e-9]))).toBe(true);
    expect(np.allclose(array([0]), array([1e-6]), { atol: 0 })).toBe(false);
    expect(np.allclose(array([[1, 1]]), 1)).toBe(true);
    expect(np.allclose(array([NaN]), array([NaN]))).toBe(false);
    expect(np.allclose(array([NaN]), array([NaN]), { equalNan: true })).toBe(true);
    expect(np.allclose(array([Infinity]), array([Infinity]))).toBe(true);
    expect(np.allclose(array([Infinity]), array([-Infinity]))).toBe(false);
    expect(() => np.allclose(array([1, 2]), array([1, 2, 3]))).toThrow(ShapeError);
  });
});
