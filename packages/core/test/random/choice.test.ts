import { describe, expect, it } from "vitest";
import { AxisError, ShapeError, ValueError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import { choice } from "../../src/random/choice.js";
import { key } from "../../src/random/key.js";
import { chiSquare, chiSquareBound, fixtures, flat, histogram } from "./test_support.js";

describe("random.choice", () => {
  it("matches the reference script exactly in all four modes and for arrays", () => {
    for (const c of fixtures.choice as { seed: number; a: number | number[][]; shape: number[]; replace: boolean; p: number[] | null; axis?: number; values: number[] }[]) {
      const a = typeof c.a === "number" ? c.a : np.array(c.a);
      const out = choice(key(c.seed), a, c.shape, { replace: c.replace, p: c.p ? np.array(c.p, { dtype: "float32" }) : null, axis: c.axis ?? 0 });
      expect(out.toArray(), `seed ${c.seed}`).toEqual(c.values);
    }
  });

  it("without replacement gives distinct items", () => {
    const xs = flat(choice(key(9), 20, [20], { replace: false }));
    expect(new Set(xs).size).toBe(20);
    const weighted = flat(choice(key(9), 6, [6], { replace: false, p: np.array([0.3, 0.3, 0.1, 0.1, 0.1, 0.1], { dtype: "float32" }) }));
    expect([...weighted].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("with p draws i with probability p_i (chi-square, 8000 draws)", () => {
    const p = [0.5, 0.25, 0.125, 0.125];
    const xs = flat(choice(key(2), 4, [8000], { p: np.array(p, { dtype: "float32" }) }));
    expect(chiSquare(histogram(xs, 4), p.map((q) => q * 8000))).toBeLessThan(chiSquareBound(3));
    // zero-probability entries are never drawn, with or without replacement
    const q = np.array([0, 0.5, 0.5, 0], { dtype: "float32" });
    expect(flat(choice(key(3), 4, [500], { p: q })).every((i) => i === 1 || i === 2)).toBe(true);
    expect(flat(choice(key(3), 4, [2], { p: q, replace: false })).sort()).toEqual([1, 2]);
  });

  it("uniform with replacement covers all items evenly (chi-square, 5000 draws)", () => {
    const xs = flat(choice(key(4), 5, [5000]));
    expect(chiSquare(histogram(xs, 5), new Array(5).fill(1000))).toBeLessThan(chiSquareBound(4));
  });

  it("returns the shape with a's other axes around it; zero draws give zeros", () => {
    const a = np.arange(24, { dtype: "int32" }).reshape([2, 3, 4]);
    expect(choice(key(0), a, [5], { axis: 1 }).shape).toEqual([2, 5, 4]);
    expect(choice(key(0), 3, [0]).shape).toEqual([0]);
    expect(choice(key(0), 0, [0]).shape).toEqual([0]);
  });

  it("rejects too many draws without replacement, empty populations, bad p and bad axes", () => {
    expect(() => choice(key(0), 3, [4], { replace: false })).toThrow(ValueError);
    expect(() => choice(key(0), 3, [4], { replace: false })).toThrow(/cannot take a larger sample \(size 4\) than the population \(size 3\)/);
    expect(() => choice(key(0), 0, [1])).toThrow(/a must be greater than 0/);
    expect(() => choice(key(0), 3, [1], { p: np.array([0.5, 0.5], { dtype: "float32" }) })).toThrow(ShapeError);
    expect(() => choice(key(0), np.zeros([2, 2]), [1], { axis: -3 })).toThrow(AxisError);
  });
});
