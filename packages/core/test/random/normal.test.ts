import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import { key } from "../../src/random/key.js";
import { normal, truncatedNormal } from "../../src/random/normal.js";
import { fixtures, flat, moments } from "./test_support.js";

/** Within `ulps` float32 ulps of `expected` (erf_inv is an approximation in JAX and here). */
function closeF32(actual: number[], expected: number[], ulps = 4): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    const ulp = Math.max(Math.abs(e), 2 ** -126) * 2 ** -23;
    expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(ulps * ulp);
  });
}

describe("random.normal", () => {
  it("matches the reference script to float32 rounding", () => {
    for (const c of fixtures.normal as { seed: number; shape: number[]; values: number[] }[]) {
      const z = normal(key(c.seed), c.shape);
      expect(z.dtype).toBe("float32");
      expect(z.shape).toEqual(c.shape);
      closeF32(flat(z), c.values);
    }
  });

  it("has standard normal moments and tail frequencies over 20000 draws", () => {
    const xs = flat(normal(key(5), [20000]));
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(20000));
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    const skew = xs.reduce((a, x) => a + (x - mean) ** 3, 0) / xs.length / variance ** 1.5;
    const kurtosis = xs.reduce((a, x) => a + (x - mean) ** 4, 0) / xs.length / variance ** 2;
    expect(Math.abs(skew)).toBeLessThan(0.07);
    expect(Math.abs(kurtosis - 3)).toBeLessThan(0.15);
    const beyond2 = xs.filter((x) => Math.abs(x) > 2).length / xs.length; // 0.0455
    expect(Math.abs(beyond2 - 0.0455)).toBeLessThan(0.006);
    expect(xs.every(Number.isFinite)).toBe(true);
  });

  it("supports float64", () => {
    const z = normal(key(0), [1000], { dtype: "float64" });
    expect(z.dtype).toBe("float64");
    expect(Math.abs(moments(flat(z)).mean)).toBeLessThan(0.13);
  });

  it("rejects integer dtypes", () => {
    expect(() => normal(key(0), [2], { dtype: "int32" as "float32" })).toThrow(DTypeError);
  });
});

describe("random.truncatedNormal", () => {
  it("matches the reference script to float32 rounding", () => {
    for (const c of fixtures.truncatedNormal as { seed: number; lower: number; upper: number; shape: number[]; values: number[] }[]) {
      closeF32(flat(truncatedNormal(key(c.seed), c.lower, c.upper, c.shape)), c.values);
    }
  });

  it("stays strictly inside (lower, upper) and has the truncated moments", () => {
    const xs = flat(truncatedNormal(key(8), -1, 1, [20000]));
    expect(xs.every((x) => x > -1 && x < 1)).toBe(true);
    // Var of N(0,1) truncated to [-1, 1]: 1 - 2 phi(1) / (2 Phi(1) - 1) = 0.29113
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 0.29113)).toBeLessThan(0.01);
  });

  it("clamps to the open interval even when the interval is a single float gap", () => {
    const lo = np.array([1], { dtype: "float32" });
    const xs = flat(truncatedNormal(key(0), lo, np.array([1.0000002], { dtype: "float32" }), [50]));
    expect(xs.every((x) => x === Math.fround(1.0000001))).toBe(true);
  });

  it("broadcasts tensor bounds; the shape defaults to their broadcast shape", () => {
    const lower = np.array([[-3], [0]], { dtype: "float32" });
    const upper = np.array([1, 3, 5], { dtype: "float32" });
    const t = truncatedNormal(key(2), lower, upper);
    expect(t.shape).toEqual([2, 3]);
    (t.toArray() as number[][]).forEach((row, i) =>
      row.forEach((x, j) => {
        expect(x).toBeGreaterThan([-3, 0][i]!);
        expect(x).toBeLessThan([1, 3, 5][j]!);
      }),
    );
    expect(() => truncatedNormal(key(0), lower, upper, [3])).toThrow(ShapeError);
  });
});
