import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import { key } from "../../src/random/key.js";
import { foldIn, split } from "../../src/random/split.js";
import { keyWords } from "../../src/random/key.js";
import { threefryBlocks } from "../../src/random/bits.js";
import { threefry2x32P } from "../../src/primitives/threefry.js";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind } from "../../src/trace.js";
import { fixtures, flat } from "./test_support.js";

describe("split and foldIn on a concrete key (one loop) against their operations", () => {
  it("split gives the stacked threefry blocks, every shape; foldIn the block of (0, data)", () => {
    for (const seed of [0, 1, 12345, 2 ** 31 - 1]) {
      const k = key(seed);
      for (const shape of [[], [0], [1], [3], [2, 3]]) {
        const [y1, y2] = threefryBlocks(k, shape);
        const want = np.stack([y1, y2], shape.length);
        const got = split(k, shape);
        expect([got.shape, got.dtype, got.weakType], `seed ${seed} shape [${shape}]`).toEqual([want.shape, want.dtype, want.weakType]);
        expect(Array.from(got.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
      }
      for (const data of [0, 1, 7, 2 ** 32 - 1, -1, -(2 ** 31)]) {
        const [k1, k2] = keyWords(k);
        const [z1, z2] = bind(threefry2x32P, [k1, k2, ConcreteTensor.scalar(0, "uint32"), ConcreteTensor.scalar(data >>> 0, "uint32")]);
        const got = foldIn(k, data);
        expect([got.shape, got.dtype, got.weakType]).toEqual([[2], "uint32", false]);
        expect(Array.from(got.toTypedArray()), `seed ${seed} data ${data}`).toEqual([z1!.item(), z2!.item()]);
        expect(Array.from(foldIn(k, np.array(data >>> 0, { dtype: "uint32" })).toTypedArray())).toEqual([z1!.item(), z2!.item()]);
      }
    }
  });
});

describe("random.split", () => {
  it("matches JAX: split(key(0)) = [[1797259609, 2579123966], [928981903, 3453687069]]", () => {
    const keys = split(key(0));
    expect(keys.dtype).toBe("uint32");
    expect(keys.toArray()).toEqual([
      [1797259609, 2579123966],
      [928981903, 3453687069],
    ]);
  });

  it("matches the reference script for several seeds and counts", () => {
    for (const c of fixtures.split as { seed: number; num: number; keys: number[][] }[]) {
      expect(split(key(c.seed), c.num).toArray(), `seed ${c.seed} num ${c.num}`).toEqual(c.keys);
    }
  });

  it("is destructurable into keys of shape [2]", () => {
    const [a, b] = split(key(0));
    expect(a!.shape).toEqual([2]);
    expect(flat(a!)).toEqual([1797259609, 2579123966]);
    expect(flat(b!)).toEqual([928981903, 3453687069]);
  });

  it("accepts a shape for num, and 0 keys", () => {
    const grid = split(key(1701), [2, 4]);
    expect(grid.shape).toEqual([2, 4, 2]);
    expect(np.reshape(grid, [8, 2]).toArray()).toEqual(split(key(1701), 8).toArray());
    expect(split(key(0), 0).shape).toEqual([0, 2]);
  });

  it("does not modify its input key", () => {
    const k = key(5);
    split(k, 3);
    expect(flat(k)).toEqual([0, 5]);
  });

  it("rejects bad num and bad keys", () => {
    expect(() => split(key(0), -1)).toThrow(ValueError);
    expect(() => split(key(0), 1.5)).toThrow(/random.split: shape must be an array of non-negative integers/);
    expect(() => split(split(key(0)))).toThrow(ShapeError);
  });
});

describe("random.foldIn", () => {
  it("matches the reference script (negative data wraps to uint32)", () => {
    for (const c of fixtures.foldIn as { seed: number; data: number; key: number[] }[]) {
      expect(flat(foldIn(key(c.seed), c.data)), `seed ${c.seed} data ${c.data}`).toEqual(c.key);
    }
  });

  it("takes integer scalar tensors as data, equal to the number", () => {
    expect(flat(foldIn(key(1), np.array(7)))).toEqual(flat(foldIn(key(1), 7)));
    expect(flat(foldIn(key(3), np.array(-1)))).toEqual(flat(foldIn(key(3), 2 ** 32 - 1)));
    expect(flat(foldIn(key(3), np.array(9, { dtype: "uint32" })))).toEqual(flat(foldIn(key(3), 9)));
  });

  it("gives different keys for different data; foldIn(k, i) is split(k, n)[i] (both encipher counter (0, i))", () => {
    const k = key(42);
    const folded = [0, 1, 2, 3].map((d) => flat(foldIn(k, d)));
    expect(new Set(folded.map((f) => f.join(","))).size).toBe(4);
    expect(folded).toEqual(split(k, 4).toArray());
  });

  it("rejects non-integer, out-of-range, non-scalar and float data", () => {
    expect(() => foldIn(key(0), 0.5)).toThrow(/random.foldIn: data 0.5 is not an integer/);
    expect(() => foldIn(key(0), 2 ** 32)).toThrow(ValueError);
    expect(() => foldIn(key(0), np.array([1, 2]))).toThrow(ShapeError);
    expect(() => foldIn(key(0), np.array(1.5))).toThrow(DTypeError);
  });
});
