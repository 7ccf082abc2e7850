import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { np, type ConcreteTensor, type Tensor } from "../../src/index.js";
import { allocateUninitialized, recycle } from "../../src/backend/buffers.js";
import { SLAB_BYTES } from "../../src/backend/slab_allocator.js";
import { residentAddress, setResidentPolicy } from "../../src/backend/resident_storage.js";
import { heapAvailable } from "../../src/backend/threads/kernel_heap.js";

// Reductions and gather take their outputs from the allocator, as every other primitive does:
// small ones are views into a slab (a typed array with a backing store of its own costs
// microseconds), large ones recycled or (reductions) kernel memory, written whole though not
// zeroed.

/** Row-major values of a `[a, b, c]` float64 array whose element (i, j, k) is `f(i, j, k)`. */
function cube(a: number, b: number, c: number, f: (i: number, j: number, k: number) => number): Tensor {
  const values: number[] = [];
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < c; k++) values.push(f(i, j, k));
  return np.reshape(np.array(values, { dtype: "float64" }), [a, b, c]);
}

const value = (i: number, j: number, k: number) => ((i * 7 + j * 13 + k * 5) % 17) - 8.5;

/** The operations under test on `x` (`[a, b, c]`), with what each must give, element (j) or (i, k) of the result. */
function cases(a: number, b: number, c: number, x: Tensor): { name: string; out: Tensor; expected: number[] }[] {
  const over = (f: (vals: number[]) => number, axis: 0 | 1 | 2) => {
    const out: number[] = [];
    const dims = [a, b, c];
    const kept = [0, 1, 2].filter((d) => d !== axis);
    for (let p = 0; p < dims[kept[0]!]!; p++) {
      for (let q = 0; q < dims[kept[1]!]!; q++) {
        const vals: number[] = [];
        for (let r = 0; r < dims[axis]!; r++) {
          const idx = [0, 0, 0];
          idx[kept[0]!] = p;
          idx[kept[1]!] = q;
          idx[axis] = r;
          vals.push(value(idx[0]!, idx[1]!, idx[2]!));
        }
        out.push(f(vals));
      }
    }
    return out;
  };
  const sum = (v: number[]) => v.reduce((s, t) => s + t, 0);
  const prod = (v: number[]) => v.reduce((s, t) => s * t, 1);
  const sumOver02: number[] = [];
  for (let j = 0; j < b; j++) {
    let s = 0;
    for (let i = 0; i < a; i++) for (let k = 0; k < c; k++) s += value(i, j, k);
    sumOver02.push(s);
  }
  const rows = [a - 1, 0, a - 1];
  const taken: number[] = [];
  for (const i of rows) for (let j = 0; j < b; j++) for (let k = 0; k < c; k++) taken.push(value(i, j, k));
  return [
    { name: "reduce_sum over lines", out: np.sum(x, 2), expected: over(sum, 2) },
    { name: "reduce_sum over two axes that do not merge", out: np.sum(x, [0, 2]), expected: sumOver02 },
    { name: "reduce_max", out: np.max(x, 1), expected: over((v) => Math.max(...v), 1) },
    { name: "reduce_min", out: np.min(x, 0), expected: over((v) => Math.min(...v), 0) },
    { name: "reduce_prod", out: np.prod(x, 2), expected: over(prod, 2) },
    { name: "gather", out: np.take(x, np.array(rows, { dtype: "int32" }), 0), expected: taken },
  ];
}

describe("reductions and gather take their outputs from the allocator", () => {
  it("outputs of 65 to 4,096 bytes are views into a slab", () => {
    // [3, 30, 4] float64: every output here is 96 to 2,880 bytes.
    for (const { name, out } of cases(3, 30, 4, cube(3, 30, 4, value))) {
      const data = (out as ConcreteTensor).data;
      expect(data.byteLength, name).toBeGreaterThan(64);
      expect(data.byteLength, name).toBeLessThanOrEqual(4096);
      expect(data.buffer.byteLength, name).toBe(SLAB_BYTES);
    }
  });

  it("gather's large output is an ordinary array even where large results go to the kernel memory (its rows are copied from JavaScript, slower into shared memory)", () => {
    const x = np.reshape(np.arange(4000 * 8, { dtype: "float32" }), [4000, 8]);
    const rows = np.array(Array.from({ length: 2400 }, (_, i) => [3, 3999, 0, 17][i % 4]!), { dtype: "int32" });
    const saved = setResidentPolicy("grow");
    try {
      const sum = np.sum(np.reshape(x, [8, 4000]), 0) as ConcreteTensor;
      const taken = np.take(x, rows, 0) as ConcreteTensor;
      // The reduction's result does go to the kernel memory where it is shared (so the test would see the difference).
      expect(residentAddress(sum.data) >= 0).toBe(heapAvailable());
      expect(taken.data.byteLength).toBe(2400 * 8 * 4);
      expect(residentAddress(taken.data)).toBe(-1);
      expect(Array.from(taken.toTypedArray().subarray(8, 16))).toEqual(Array.from({ length: 8 }, (_, k) => 3999 * 8 + k));
    } finally {
      setResidentPolicy(saved);
    }
  });

  it("write every element, also into recycled memory that holds other values", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 700 }), fc.integer({ min: 1, max: 3 }), (a, b, c) => {
        const x = cube(a, b, c, value);
        // Recycled arrays of the outputs' sizes, filled with NaN: an element left unwritten shows.
        for (const n of [b * c, a * c, a * b, 3 * b * c, b]) {
          const junk = allocateUninitialized("float64", n);
          junk.fill(Number.NaN);
          recycle(junk);
        }
        for (const { name, out, expected } of cases(a, b, c, x)) {
          const got = Array.from(out.toTypedArray());
          expect(got.length, name).toBe(expected.length);
          got.forEach((v, i) => expect(v, `${name} [${i}]`).toBeCloseTo(expected[i]!, 9));
        }
      }),
      { numRuns: 40 },
    );
  });
});
