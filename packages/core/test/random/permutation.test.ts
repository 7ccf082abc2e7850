import { describe, expect, it } from "vitest";
import { AxisError, DTypeError, ValueError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import { key } from "../../src/random/key.js";
import { permutation, shuffleRounds } from "../../src/random/permutation.js";
import { chiSquare, chiSquareBound, fixtures, flat } from "./test_support.js";

describe("random.permutation", () => {
  it("matches the reference script exactly for arange(n)", () => {
    for (const c of fixtures.permutation as { seed: number; n: number; values: number[] }[]) {
      const p = permutation(key(c.seed), c.n);
      expect(p.dtype).toBe("int32");
      expect(flat(p), `seed ${c.seed} n ${c.n}`).toEqual(c.values);
    }
  });

  it("uses two sort rounds above 1625 elements and still matches (n = 2000)", () => {
    expect(shuffleRounds(1)).toBe(0);
    expect(shuffleRounds(1625)).toBe(1);
    expect(shuffleRounds(1626)).toBe(2);
    const c = fixtures.permutationLarge as { seed: number; n: number; values: number[] };
    const p = flat(permutation(key(c.seed), c.n));
    expect(p).toEqual(c.values);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: c.n }, (_, i) => i));
  });

  it("permutes slices of an array along an axis, or each slice independently (reference script)", () => {
    const mat = np.arange(12, { dtype: "int32" }).reshape([3, 4]);
    for (const c of fixtures.permutationArray as { seed: number; axis: number; independent: boolean; values: number[][] }[]) {
      expect(permutation(key(c.seed), mat, { axis: c.axis, independent: c.independent }).toArray()).toEqual(c.values);
    }
    expect(permutation(key(0), mat, { axis: -1 }).toArray()).toEqual(permutation(key(0), mat, { axis: 1 }).toArray());
  });

  it("is uniform over the 6 permutations of 3 items (chi-square over 3000 keys)", () => {
    const counts = new Map<string, number>();
    for (let s = 0; s < 3000; s++) {
      const p = flat(permutation(key(s), 3)).join("");
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    expect(chiSquare([...counts.values()], new Array(6).fill(500))).toBeLessThan(chiSquareBound(5));
  });

  it("keeps values and dtype of a float array", () => {
    const x = np.array([0.5, 1.5, 2.5, 3.5], { dtype: "float32" });
    const p = permutation(key(1), x);
    expect(p.dtype).toBe("float32");
    expect(flat(p).sort()).toEqual([0.5, 1.5, 2.5, 3.5]);
  });

  it("rejects negative or non-integer sizes, float scalars and bad axes", () => {
    expect(() => permutation(key(0), -1)).toThrow(ValueError);
    expect(() => permutation(key(0), 2.5)).toThrow(/random.permutation: x must be a non-negative integer, got 2.5/);
    expect(() => permutation(key(0), np.array(2.5))).toThrow(DTypeError);
    expect(() => permutation(key(0), np.zeros([2, 2]), { axis: 2 })).toThrow(AxisError);
  });
});
