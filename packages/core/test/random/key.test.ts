import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import { checkKey, key } from "../../src/random/key.js";
import { fixtures, flat } from "./test_support.js";

describe("random.key", () => {
  it("is the uint32 pair [hi32, lo32] of the seed as an int64 (reference script)", () => {
    for (const c of fixtures.key as { seed: string; key: number[] }[]) {
      const s = BigInt(c.seed);
      const k = Number.isSafeInteger(Number(s)) && BigInt(Number(s)) === s ? key(Number(s)) : key(s);
      expect(k.dtype).toBe("uint32");
      expect(k.shape).toEqual([2]);
      expect(flat(k), c.seed).toEqual(c.key);
      expect(flat(key(s)), c.seed).toEqual(c.key);
    }
  });

  it("takes negative seeds in two's complement, as JAX with int64 seeds", () => {
    expect(flat(key(-1))).toEqual([0xffffffff, 0xffffffff]);
    expect(flat(key(-(2n ** 63n)))).toEqual([0x80000000, 0]);
    expect(flat(key(2 ** 32 + 5))).toEqual([1, 5]);
  });

  it("rejects non-integers, unsafe numbers, out-of-range bigints and other types, naming the seed", () => {
    expect(() => key(1.5)).toThrow(ValueError);
    expect(() => key(1.5)).toThrow(/seed 1\.5 is not an integer/);
    expect(() => key(NaN)).toThrow(/seed NaN/);
    expect(() => key(2 ** 60)).toThrow(/pass it as a bigint/);
    expect(() => key(2n ** 63n)).toThrow(/seed 9223372036854775808 is outside the int64 range/);
    expect(() => key(-(2n ** 63n) - 1n)).toThrow(ValueError);
    expect(() => key("7" as unknown as number)).toThrow(/got string 7/);
  });
});

describe("checkKey", () => {
  it("accepts a [2] uint32 tensor and names the operation when rejecting others", () => {
    const k = key(3);
    expect(checkKey(k, "op")).toBe(k);
    expect(() => checkKey(np.array([0, 1]), "random.uniform")).toThrow(DTypeError);
    expect(() => checkKey(np.array([0, 1]), "random.uniform")).toThrow(/random.uniform: a PRNG key must be a uint32 tensor, got dtype int32/);
    expect(() => checkKey(np.array([1, 2, 3], { dtype: "uint32" }), "op")).toThrow(ShapeError);
    expect(() => checkKey(np.zeros([4, 2], { dtype: "uint32" }), "random.normal")).toThrow(/shape \[4, 2\]; this is an array of keys: use vmap/);
    expect(() => checkKey(42, "random.split")).toThrow(/random.split: expected a PRNG key/);
    expect(() => checkKey(null, "op")).toThrow(/got null/);
  });
});
