import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import { bernoulli } from "../../src/random/bernoulli.js";
import { key } from "../../src/random/key.js";
import { chiSquare, chiSquareBound, fixtures, flat } from "./test_support.js";

describe("random.bernoulli", () => {
  it("matches the reference script exactly", () => {
    for (const c of fixtures.bernoulli as { seed: number; p: number; shape: number[]; values: number[] }[]) {
      const b = bernoulli(key(c.seed), c.p, c.shape);
      expect(b.dtype).toBe("bool");
      expect(b.shape).toEqual(c.shape);
      expect(flat(b)).toEqual([c.values].flat(3));
    }
  });

  it("is true with probability p (chi-square over 10000 draws for several p)", () => {
    for (const p of [0.1, 0.5, 0.9]) {
      const ones = flat(bernoulli(key(Math.round(p * 100)), p, [10000])).reduce((a, b) => a + b, 0);
      expect(chiSquare([ones, 10000 - ones], [10000 * p, 10000 * (1 - p)])).toBeLessThan(chiSquareBound(1));
    }
  });

  it("takes a float tensor of probabilities; shape defaults to its shape", () => {
    const p = np.array([0, 1, 0.5], { dtype: "float32" });
    const b = bernoulli(key(1), p);
    expect(b.shape).toEqual([3]);
    const many = bernoulli(key(1), p, [200, 3]).toArray() as number[][];
    expect(many.every((row) => row[0] === 0 && row[1] === 1)).toBe(true);
  });

  it("p outside [0, 1] just compares, as JAX: all false below 0, all true above 1", () => {
    expect(flat(bernoulli(key(0), -0.5, [20])).every((v) => v === 0)).toBe(true);
    expect(flat(bernoulli(key(0), 1.5, [20])).every((v) => v === 1)).toBe(true);
  });

  it("rejects integer probabilities and incompatible shapes", () => {
    expect(() => bernoulli(key(0), np.array([1, 0]))).toThrow(DTypeError);
    expect(() => bernoulli(key(0), np.array([1, 0]))).toThrow(/random.bernoulli: probability p must have a float dtype, got int32/);
    expect(() => bernoulli(key(0), np.array([0.5, 0.5], { dtype: "float32" }), [3])).toThrow(ShapeError);
  });
});
