import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import { key } from "../../src/random/key.js";
import { chiSquare, chiSquareBound, fixtures, flat, moments } from "./test_support.js";
import { uniform } from "../../src/random/uniform.js";

describe("random.uniform", () => {
  it("matches the reference script exactly in float32 (mantissa trick)", () => {
    for (const c of fixtures.uniform as { seed: number; shape: number[]; minval: number; maxval: number; values: number[] }[]) {
      const u = uniform(key(c.seed), c.shape, { minval: c.minval, maxval: c.maxval });
      expect(u.dtype).toBe("float32");
      expect(u.shape).toEqual(c.shape);
      expect(flat(u), `seed ${c.seed}`).toEqual(c.values);
    }
  });

  it("matches the reference script exactly in float64 (two words per element)", () => {
    for (const c of fixtures.uniform64 as { seed: number; shape: number[]; values: number[] }[]) {
      const u = uniform(key(c.seed), c.shape, { dtype: "float64" });
      expect(u.dtype).toBe("float64");
      expect(flat(u)).toEqual(c.values);
      // float64 draws carry more than float32's 23 random mantissa bits
      expect(flat(u).some((v) => Math.fround(v) !== v)).toBe(true);
    }
  });

  it("is uniform on [0, 1): range, moments and a 20-bin chi-square over 20000 draws", () => {
    const xs = flat(uniform(key(7), [20000]));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / 20000));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.003);
    const counts = new Array(20).fill(0);
    for (const x of xs) counts[Math.floor(x * 20)]++;
    expect(chiSquare(counts, new Array(20).fill(1000))).toBeLessThan(chiSquareBound(19));
  });

  it("broadcasts tensor bounds against the shape", () => {
    const lo = np.array([0, 10, 100], { dtype: "float32" });
    const u = uniform(key(1), [1000, 3], { minval: lo, maxval: np.add(lo, 1) });
    const cols = [0, 1, 2].map((j) => (u.toArray() as number[][]).map((row) => row[j]!));
    cols.forEach((col, j) => {
      const base = [0, 10, 100][j]!;
      expect(Math.min(...col)).toBeGreaterThanOrEqual(base);
      expect(Math.max(...col)).toBeLessThan(base + 1);
    });
  });

  it("is a pure function of the key: same key, same values; different keys differ", () => {
    expect(flat(uniform(key(3), [5]))).toEqual(flat(uniform(key(3), [5])));
    expect(flat(uniform(key(3), [5]))).not.toEqual(flat(uniform(key(4), [5])));
  });

  it("rejects non-float dtypes and bounds that would change the shape", () => {
    expect(() => uniform(key(0), [2], { dtype: "int32" as "float32" })).toThrow(DTypeError);
    expect(() => uniform(key(0), [2], { dtype: "int32" as "float32" })).toThrow(/random.uniform: dtype must be float32 or float64, got int32/);
    expect(() => uniform(key(0), [3], { minval: np.zeros([2, 3]) })).toThrow(ShapeError);
    expect(() => uniform(key(0), [3], { minval: np.zeros([2]) })).toThrow(/random.uniform: parameter shapes \[2\]/);
  });
});
