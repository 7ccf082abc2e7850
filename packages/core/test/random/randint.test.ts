import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import { key } from "../../src/random/key.js";
import { randint } from "../../src/random/randint.js";
import { chiSquare, chiSquareBound, fixtures, flat, histogram } from "./test_support.js";

describe("random.randint", () => {
  it("matches the reference script exactly (incl. full int32 span, empty and reversed ranges)", () => {
    for (const c of fixtures.randint as { seed: number; shape: number[]; minval: number; maxval: number; values: number | number[] }[]) {
      const r = randint(key(c.seed), c.shape, c.minval, c.maxval);
      expect(r.dtype).toBe("int32");
      expect(r.shape).toEqual(c.shape);
      expect(flat(r), `seed ${c.seed} [${c.minval}, ${c.maxval})`).toEqual([c.values].flat(2));
    }
  });

  it("is uniform over [minval, maxval) (chi-square, 7 values, 14000 draws)", () => {
    const xs = flat(randint(key(3), [14000], -3, 4));
    expect(Math.min(...xs)).toBe(-3);
    expect(Math.max(...xs)).toBe(3);
    expect(chiSquare(histogram(xs.map((x) => x + 3), 7), new Array(7).fill(2000))).toBeLessThan(chiSquareBound(6));
  });

  it("maxval above the dtype's maximum widens the span, so the maximum is reachable", () => {
    const xs = flat(randint(key(0), [2000], 2 ** 31 - 2, 2 ** 31));
    expect(new Set(xs)).toEqual(new Set([2 ** 31 - 2, 2 ** 31 - 1]));
  });

  it("takes tensor bounds (broadcast against the shape) and produces uint32", () => {
    const r = randint(key(4), [500, 2], np.array([0, 100]), np.array([10, 110]));
    (r.toArray() as number[][]).forEach(([a, b]) => {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThan(10);
      expect(b).toBeGreaterThanOrEqual(100);
      expect(b).toBeLessThan(110);
    });
    const u = randint(key(5), [100], 2 ** 32 - 10, 2 ** 32 - 1, { dtype: "uint32" });
    expect(u.dtype).toBe("uint32");
    expect(flat(u).every((v) => v >= 2 ** 32 - 10 && v < 2 ** 32 - 1)).toBe(true);
    const fromInt = randint(key(6), [100], np.array(-5), np.array(5), { dtype: "uint32" });
    expect(flat(fromInt).every((v) => v >= 0 && v < 5)).toBe(true); // negative minval clips to 0
  });

  it("rejects non-integer bounds, float dtypes and incompatible shapes", () => {
    expect(() => randint(key(0), [2], 0.5, 3)).toThrow(ValueError);
    expect(() => randint(key(0), [2], 0, 3, { dtype: "float32" as "int32" })).toThrow(DTypeError);
    expect(() => randint(key(0), [2], np.zeros([3], { dtype: "int32" }), 4)).toThrow(ShapeError);
  });
});
