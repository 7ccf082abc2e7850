import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { copyStrided } from "../../../src/backend/kernels/layout.js";

/** Element by element, every index tuple in row-major order: the definition `copyStrided` must agree with. */
function copyByIndex(shape: readonly number[], src: ArrayLike<number>, ss: readonly number[], so: number, dst: Float64Array, ds: readonly number[], dOff: number): void {
  const total = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let p = so;
    let o = dOff;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
      p += i * ss[d]!;
      o += i * ds[d]!;
    }
    dst[o] = src[p]!;
  }
}

/**
 * A layout of `shape` inside a larger buffer: the axes nested in a random order, each stride the
 * span of the axes inside it (times a gap, not for the innermost), some reversed (negative
 * strides), and an offset that keeps every index in range.
 */
const layoutOf = (shape: readonly number[]) =>
  fc
    .record({
      order: fc.shuffledSubarray(shape.map((_, d) => d), { minLength: shape.length, maxLength: shape.length }),
      gaps: fc.array(fc.constantFrom(1, 1, 2, 3), { minLength: shape.length, maxLength: shape.length }),
      flips: fc.array(fc.constantFrom(false, false, false, true), { minLength: shape.length, maxLength: shape.length }),
      pad: fc.integer({ min: 0, max: 9 }),
    })
    .map(({ order, gaps, flips, pad }) => {
      const stride = new Array<number>(shape.length).fill(0);
      let span = 1;
      for (let k = order.length - 1; k >= 0; k--) {
        const d = order[k]!;
        stride[d] = span * (k === order.length - 1 ? 1 : gaps[d]!);
        span = stride[d]! * shape[d]!;
      }
      let offset = pad;
      shape.forEach((n, d) => {
        if (flips[d]) {
          offset += (n - 1) * stride[d]!;
          stride[d] = -stride[d]!;
        }
      });
      return { stride, offset, length: pad + span + pad + 1 };
    });

/** A shape (the last axis sometimes long enough for the memory-copy path) and two layouts of it. */
const copies = fc
  .tuple(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 3 }), fc.option(fc.integer({ min: 30, max: 40 })))
  .map(([shape, long]) => (long === null ? shape : [...shape, long]))
  .chain((shape) => fc.record({ shape: fc.constant(shape), s: layoutOf(shape), d: layoutOf(shape) }));

describe("copyStrided", () => {
  it("copies a transposed block into row-major order", () => {
    const src = Float32Array.of(1, 2, 3, 4, 5, 6); // [2, 3] row-major
    const out = new Float32Array(6);
    copyStrided([3, 2], src, [1, 3], 0, out, [2, 1], 0);
    expect([...out]).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it("copies a contiguous block of rows and a padded destination with memory copies, element for element", () => {
    // A [297, 100] block into rows 3..299 of a [300, 100] one (pad's gradient of a slice).
    const src = Float32Array.from({ length: 297 * 100 }, (_, i) => i + 0.5);
    const out = new Float32Array(300 * 100).fill(-1);
    copyStrided([297, 100], src, [100, 1], 0, out, [100, 1], 300);
    expect(out.subarray(0, 300).every((v) => v === -1)).toBe(true);
    expect([...out.subarray(300)]).toEqual([...src]);
    // Columns 3..782 of a [4, 784] batch: rows of 780 elements with gaps between them.
    const batch = Float64Array.from({ length: 4 * 784 }, (_, i) => i);
    const cols = new Float64Array(4 * 780);
    copyStrided([4, 780], batch, [784, 1], 3, cols, [780, 1], 0);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 780; c++) expect(cols[r * 780 + c]).toBe(r * 784 + c + 3);
  });

  it("converts between element types as element assignment does, on the memory-copy path too", () => {
    const src = Float64Array.from({ length: 64 }, (_, i) => 1 / 3 + i);
    const out = new Float32Array(64);
    copyStrided([2, 32], src, [32, 1], 0, out, [32, 1], 0);
    expect([...out]).toEqual([...src].map(Math.fround));
  });

  it("copies a rank-0 view and views with axes of length 1", () => {
    const out = new Float64Array(3);
    copyStrided([], Float64Array.of(7, 8), [], 1, out, [], 2);
    expect([...out]).toEqual([0, 0, 8]);
    copyStrided([1, 1, 1], Float64Array.of(9), [5, 7, 11], 0, out, [1, 1, 1], 0);
    expect(out[0]).toBe(9);
    copyStrided([2, 0, 3], Float64Array.of(1), [0, 0, 0], 0, out, [0, 0, 0], 1);
    expect(out[1]).toBe(0);
  });

  it("agrees with an index-by-index copy for any layouts of both sides", () => {
    fc.assert(
      fc.property(copies, ({ shape, s, d }) => {
        const src = Float64Array.from({ length: s.length }, (_, i) => i * 1.25 - 3);
        const expected = new Float64Array(d.length).fill(Number.NaN);
        const actual = expected.slice();
        copyByIndex(shape, src, s.stride, s.offset, expected, d.stride, d.offset);
        copyStrided(shape, src, s.stride, s.offset, actual, d.stride, d.offset);
        expect([...actual]).toEqual([...expected]);
      }),
      { numRuns: 500 },
    );
  });
});
