import { describe, expect, it } from "vitest";
import { gumbel } from "../../src/random/gumbel.js";
import { key } from "../../src/random/key.js";
import { fixtures, flat, moments } from "./test_support.js";

describe("random.gumbel", () => {
  it("matches the reference script to float32 rounding", () => {
    for (const c of fixtures.gumbel as { seed: number; shape: number[]; values: number[] }[]) {
      const g = gumbel(key(c.seed), c.shape);
      expect(g.shape).toEqual(c.shape);
      flat(g).forEach((v, i) => expect(Math.abs(v - c.values[i]!)).toBeLessThanOrEqual(4 * 2 ** -23 * Math.max(1, Math.abs(c.values[i]!))));
    }
  });

  it("has the standard Gumbel mean (Euler's gamma) and variance (pi^2 / 6)", () => {
    const xs = flat(gumbel(key(3), [20000]));
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean - 0.5772156649)).toBeLessThan(0.04);
    expect(Math.abs(variance - Math.PI ** 2 / 6)).toBeLessThan(0.1);
    expect(xs.every(Number.isFinite)).toBe(true);
  });
});
