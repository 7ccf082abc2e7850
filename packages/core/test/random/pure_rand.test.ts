import { describe, expect, it } from "vitest";
import prand from "pure-rand";
import { bits } from "../../src/random/bits.js";
import { key } from "../../src/random/key.js";
import { toPureRandGenerator } from "../../src/random/pure_rand.js";
import { split } from "../../src/random/split.js";
import { chiSquare, chiSquareBound, flat, histogram } from "./test_support.js";

describe("random.toPureRandGenerator", () => {
  it("streams the key's bits as int32: output i is bits(key, [n])[i]", () => {
    const k = key(17);
    const [values] = prand.generateN(toPureRandGenerator(k), 8);
    expect(values).toEqual(flat(bits(k, [8])).map((v) => v | 0));
  });

  it("is pure: next() leaves the generator unchanged; the unsafe forms advance in place", () => {
    const g = toPureRandGenerator(key(1));
    const [a, g2] = g.next();
    expect(g.next()[0]).toBe(a);
    expect(g2.next()[0]).not.toBe(a);
    const u = g.clone();
    expect(u.unsafeNext()).toBe(a);
    expect(u.unsafeNext()).toBe(g2.next()[0]);
    expect(g.getState!()).toEqual([0, 1, 0, 0]);
  });

  it("drives pure-rand's distributions uniformly (chi-square, 6000 dice rolls)", () => {
    const [first] = split(key(0));
    const rng = toPureRandGenerator(first!);
    const rolls: number[] = [];
    for (let i = 0; i < 6000; i++) rolls.push(prand.unsafeUniformIntDistribution(0, 5, rng));
    expect(chiSquare(histogram(rolls, 6), new Array(6).fill(1000))).toBeLessThan(chiSquareBound(5));
  });

  it("jump() skips 2^32 outputs", () => {
    const g = toPureRandGenerator(key(2));
    expect(g.jump!().getState!()).toEqual([0, 2, 1, 0]);
  });

  it("rejects values that are not keys", () => {
    expect(() => toPureRandGenerator(split(key(0)))).toThrow(/random.toPureRandGenerator: expects a single PRNG key/);
  });
});
