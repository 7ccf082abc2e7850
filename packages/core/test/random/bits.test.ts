import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import { bits, counters } from "../../src/random/bits.js";
import { key } from "../../src/random/key.js";
import { split } from "../../src/random/split.js";
import { chiSquare, chiSquareBound, fixtures, flat, histogram } from "./test_support.js";

describe("random.bits", () => {
  it("matches the reference script (exact uint32 words)", () => {
    for (const c of fixtures.bits as { seed: number; shape: number[]; bits: number[] }[]) {
      const b = bits(key(c.seed), c.shape);
      expect(b.dtype).toBe("uint32");
      expect(b.shape).toEqual(c.shape);
      expect(flat(b), `seed ${c.seed}`).toEqual(c.bits);
    }
  });

  it("is counter-indexed: a prefix of a longer draw, independent of the shape it is reshaped into", () => {
    const k = key(11);
    expect(flat(bits(k, [10])).slice(0, 4)).toEqual(flat(bits(k, [4])));
    expect(flat(bits(k, [2, 5]))).toEqual(flat(bits(k, [10])));
  });

  it("xors the two words that split stacks", () => {
    const k = key(9);
    const keys = split(k, 5).toArray() as number[][];
    expect(flat(bits(k, [5]))).toEqual(keys.map(([a, b]) => (a! ^ b!) >>> 0));
  });

  it("has uniformly distributed bytes (chi-square over the low byte of 4096 words)", () => {
    const words = flat(bits(key(2024), [4096]));
    const counts = histogram(
      words.map((w) => w & 0xff),
      256,
    );
    expect(chiSquare(counts, new Array(256).fill(4096 / 256))).toBeLessThan(chiSquareBound(255));
    // and each of the 32 bit positions is set about half the time
    for (let bit = 0; bit < 32; bit++) {
      const ones = words.filter((w) => (w >>> bit) & 1).length;
      expect(Math.abs(ones - 2048)).toBeLessThan(4 * Math.sqrt(1024)); // 4 sigma
    }
  });

  it("builds counters as the row-major index", () => {
    const [hi, lo] = counters([2, 3]);
    expect(hi.toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(lo.toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it("rejects bad shapes", () => {
    expect(() => bits(key(0), [-1])).toThrow(ValueError);
    expect(() => bits(key(0), [2.5])).toThrow(/random.bits: shape must be an array of non-negative integers, got \[2.5\]/);
  });
});
