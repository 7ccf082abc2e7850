import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { key } from "../../src/random/key.js";
import { normal, normalOps } from "../../src/random/normal.js";
import { uniform, uniformOps } from "../../src/random/uniform.js";
import type { Tensor } from "../../src/tensor.js";

/** A tensor's values as bytes, so that the comparison is bit for bit (-0 against 0, NaN payloads). */
const bytes = (t: Tensor): number[] => Array.from(new Uint8Array(t.toTypedArray().buffer));

describe("random's one-loop path for concrete keys", () => {
  // Sizes across the elementwise kernels' WebAssembly threshold (1,024), which the operations
  // of the general path cross and the loop does not.
  const sizes = fc.constantFrom<number[]>([], [0], [1], [7], [3, 5], [100], [1500], [40, 70]);
  const dtypes = fc.constantFrom<"float32" | "float64">("float32", "float64");
  const bound = fc.oneof(fc.constantFrom(0, -0, 1, -1, 2 ** -24, 1e30, -1e-30), fc.double({ noNaN: true, min: -1e6, max: 1e6 }));

  it("uniform gives the bits of its array operations, whatever the bounds (even reversed or equal) (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), sizes, dtypes, bound, bound, (seed, shape, dtype, lo, hi) => {
        const k = key(seed);
        const fast = uniform(k, shape, { minval: lo, maxval: hi, dtype });
        const ops = uniformOps("test", k, shape, dtype, lo, hi);
        expect(fast.shape).toEqual(ops.shape);
        expect([fast.dtype, fast.weakType]).toEqual([ops.dtype, ops.weakType]);
        expect(bytes(fast)).toEqual(bytes(ops));
      }),
      { numRuns: 60 },
    );
  });

  it("takes a bound of -0 as np.astype does (JavaScript's -0 is an integer: int32 0)", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const [lo, hi] of [
        [-0, -7.006492321624087e-46],
        [-0, 1],
        [-1e-30, -0],
        [-0, -0],
      ] as const) {
        for (const seed of [0, 1, 2, 3]) {
          const fast = uniform(key(seed), [5], { minval: lo, maxval: hi, dtype });
          expect(bytes(fast), `${dtype} [${lo}, ${hi}) seed ${seed}`).toEqual(bytes(uniformOps("test", key(seed), [5], dtype, lo, hi)));
        }
      }
    }
  });

  it("normal gives the bits of its array operations (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), sizes, dtypes, (seed, shape, dtype) => {
        const k = key(seed);
        const fast = normal(k, shape, { dtype });
        const ops = normalOps(k, shape, dtype);
        expect([fast.shape, fast.dtype, fast.weakType]).toEqual([ops.shape, ops.dtype, ops.weakType]);
        expect(bytes(fast)).toEqual(bytes(ops));
      }),
      { numRuns: 40 },
    );
  });
});
