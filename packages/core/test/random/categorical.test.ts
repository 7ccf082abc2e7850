import { describe, expect, it } from "vitest";
import { AxisError, ShapeError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import { categorical } from "../../src/random/categorical.js";
import { key } from "../../src/random/key.js";
import { chiSquare, chiSquareBound, fixtures, flat, histogram } from "./test_support.js";

describe("random.categorical", () => {
  it("matches the reference script exactly (axes, batch and prefix shapes)", () => {
    for (const c of fixtures.categorical as { seed: number; logits: number[]; axis: number; shape: number[] | null; values: number | number[] }[]) {
      const logits = np.array(c.logits, { dtype: "float32" });
      const out = categorical(key(c.seed), logits, { axis: c.axis, ...(c.shape ? { shape: c.shape } : {}) });
      expect(out.dtype).toBe("int32");
      expect(flat(out), `seed ${c.seed}`).toEqual([c.values].flat(3));
    }
  });

  it("draws category i with probability softmax(logits)_i (chi-square, 8000 draws)", () => {
    const probs = [0.1, 0.2, 0.3, 0.4];
    const logits = np.log(np.array(probs, { dtype: "float32" }));
    const draws = flat(categorical(key(4), logits, { shape: [8000] }));
    expect(chiSquare(histogram(draws, 4), probs.map((p) => p * 8000))).toBeLessThan(chiSquareBound(3));
  });

  it("promotes integer logits and checks axis and shape", () => {
    expect(categorical(key(0), [0, 0, 50]).item()).toBe(2);
    expect(() => categorical(key(0), np.zeros([2, 3]), { axis: 2 })).toThrow(AxisError);
    expect(() => categorical(key(0), np.zeros([2, 3]), { shape: [3] })).toThrow(ShapeError);
  });
});
