import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { np, type ConcreteTensor } from "../../src/index.js";
import { reshapeStrides } from "../../src/primitives/shape.js";

describe("reshape of strided views", () => {
  it("is a view (no copy) when the strides allow it, with the values of a copy", () => {
    const base = np.reshape(np.arange(24, { dtype: "float32" }), [2, 3, 4]);
    const t = np.transpose(base, [2, 0, 1]) as ConcreteTensor; // [4, 2, 3], last two axes still contiguous
    const r = np.reshape(t, [4, 6]) as ConcreteTensor;
    expect(r.data).toBe((base as ConcreteTensor).data);
    expect(r.toArray()).toEqual(np.reshape(np.array(t.toArray() as number[][][], { dtype: "float32" }), [4, 6]).toArray());
  });

  it("copies when the layout does not allow a view", () => {
    const t = np.transpose(np.reshape(np.arange(6), [2, 3])) as ConcreteTensor; // [3, 2]
    expect(reshapeStrides(t.shape, t.stride, [6])).toBeNull();
    expect(np.reshape(t, [6]).toArray()).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it("agrees with reshaping a contiguous copy, on random transposes and shapes (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 1000 }), (dims, seed) => {
        const size = dims.reduce((a, b) => a * b, 1);
        const x = np.reshape(np.arange(size), dims);
        const perm = dims.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
        const t = np.transpose(x, perm);
        const copy = np.array(t.toArray() as number[], { dtype: "int32" });
        // Split the flat size into a random new shape.
        const newShape: number[] = [];
        let rest = size;
        for (let f = 2; f <= rest; ) {
          if (rest % f === 0 && (seed + rest) % 2 === 0) {
            newShape.push(f);
            rest /= f;
          } else f++;
          if (f > 3) break;
        }
        newShape.push(rest);
        expect(np.reshape(t, newShape).toArray()).toEqual(np.reshape(copy, newShape).toArray());
      }),
      { numRuns: 300 },
    );
  });
});
