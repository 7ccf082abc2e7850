import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ShapeError, ValueError, data, np, random, type Tensor } from "../../src/index.js";

const rows = (t: Tensor) => t.toArray() as number[];

describe("data.batches", () => {
  const x = np.reshape(np.arange(20, { dtype: "float32" }), [10, 2]);
  const y = np.arange(10);

  it("slices every leaf along axis 0 in the order random.permutation(key, n)", () => {
    const key = random.key(3);
    const order = rows(random.permutation(key, 10));
    const got = [...data.batches(key, { x, y }, 4)];
    expect(got.map((b) => b.y.shape[0])).toEqual([4, 4, 2]);
    expect(got.flatMap((b) => rows(b.y))).toEqual(order);
    for (const b of got) {
      // rows stay paired across leaves: x row i is [2i, 2i + 1]
      expect(b.x.toArray()).toEqual(rows(b.y).map((i) => [2 * i, 2 * i + 1]));
      expect(b.x.dtype).toBe("float32");
    }
  });

  it("keeps the tree's structure (arrays, nested objects) and reports numBatches", () => {
    const pair: [Tensor, { deep: Tensor }] = [x, { deep: y }];
    const it2 = data.batches(random.key(0), pair, 3, { dropLast: true });
    expect(it2.numBatches).toBe(3);
    expect(it2.numRows).toBe(10);
    expect(it2.batchSize).toBe(3);
    const all = [...it2];
    expect(all).toHaveLength(3);
    expect(all.every((b) => b[0].shape[0] === 3 && b[1].deep.shape[0] === 3)).toBe(true);
    expect(data.batches(random.key(0), x, 3).numBatches).toBe(4);
    expect(data.batches(random.key(0), x, 100).numBatches).toBe(1);
    expect(data.batches(random.key(0), x, 100, { dropLast: true }).numBatches).toBe(0);
  });

  it("repeats the same pass when iterated twice; another key gives another order", () => {
    const b = data.batches(random.key(1), y, 5);
    expect([...b].map(rows)).toEqual([...b].map(rows));
    const other = [...data.batches(random.key(2), y, 10)].map(rows);
    expect(other).not.toEqual([...data.batches(random.key(1), y, 10)].map(rows));
  });

  it("property: every row exactly once per pass, batches of batchSize except the last", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), (n, size, seed, dropLast) => {
        const ids = np.arange(n);
        const got = [...data.batches(random.key(seed), ids, size, { dropLast })].map(rows);
        const full = Math.floor(n / size);
        expect(got.length).toBe(dropLast ? full : Math.ceil(n / size));
        got.forEach((b, i) => expect(b.length).toBe(i < full ? size : n - full * size));
        const seen = got.flat();
        expect(new Set(seen).size).toBe(seen.length);
        if (!dropLast) expect(seen.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        else expect(seen.length).toBe(full * size);
      }),
      { numRuns: 60 },
    );
  });

  it("rejects bad batch sizes, mismatched leading sizes, 0-d and non-tensor leaves", () => {
    for (const bad of [0, -3, 2.5, NaN]) expect(() => data.batches(random.key(0), y, bad)).toThrow(ValueError);
    expect(() => data.batches(random.key(0), y, 0)).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => data.batches(random.key(0), y, "4" as never)).toThrow(ValueError);
    const bad = () => data.batches(random.key(0), { images: x, labels: np.arange(9) }, 2);
    expect(bad).toThrow(ShapeError);
    expect(bad).toThrow(/images has 10 rows.*labels has 9/);
    expect(() => data.batches(random.key(0), { s: np.array(1) }, 2)).toThrow(/leaf \.s is 0-d/);
    expect(() => data.batches(random.key(0), { n: 3 }, 2)).toThrow(/leaf \.n is number, not a tensor/);
    expect(() => data.batches(random.key(0), {}, 2)).toThrow(/no leaves/);
    expect(() => data.batches(random.key(0), y, 2, { droplast: true } as never)).toThrow(/unknown option "droplast"/);
    expect(() => data.batches(random.key(0), y, 2, { dropLast: 1 } as never)).toThrow(/dropLast must be a boolean/);
  });

  it("leaves its inputs untouched", () => {
    const before = x.toArray();
    [...data.batches(random.key(0), { x }, 3)];
    expect(x.toArray()).toEqual(before);
  });
});
