import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { copyElements, fillElements } from "../../src/backend/shared_copy.js";

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
const CTORS: readonly Ctor[] = [Float32Array, Float64Array, Int32Array, Uint8Array];

/** A view of `length` elements at element `offset` of a new buffer (shared or not) filled with `fill`. */
function viewOf(C: Ctor, shared: boolean, offset: number, length: number, fill: (i: number) => number) {
  const bytes = (offset + length) * C.BYTES_PER_ELEMENT;
  const buffer = (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)) as ArrayBuffer;
  const whole = new C(buffer);
  for (let i = 0; i < whole.length; i++) whole[i] = fill(i);
  return { whole, view: new C(buffer, offset * C.BYTES_PER_ELEMENT, length) };
}

describe("copyElements", () => {
  it("gives set's result for every pairing of shared and plain buffers, element types and alignments", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CTORS),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 5 }),
        (C, sharedSrc, sharedDst, srcOffset, dstOffset, length, at) => {
          const src = viewOf(C, sharedSrc, srcOffset, length, (i) => (i * 37) % 251);
          const mine = viewOf(C, sharedDst, dstOffset, length + at + 3, (i) => 255 - (i % 200));
          const theirs = viewOf(C, false, dstOffset, length + at + 3, (i) => 255 - (i % 200));
          copyElements(mine.view, src.view, at);
          theirs.view.set(src.view, at);
          expect(Array.from(mine.whole)).toEqual(Array.from(theirs.whole));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("copies misaligned arrays larger than a piece of its plain buffer, and between element types", () => {
    // 1.1 M float32 (4.4 MB) from an odd offset into shared memory: more than one 4 MB piece.
    const n = 1_100_000;
    const src = viewOf(Float32Array, false, 1, n, (i) => i + 0.5);
    const dst = viewOf(Float32Array, true, 0, n + 2, () => -1);
    copyElements(dst.view, src.view, 2);
    expect(dst.view[0]).toBe(-1);
    expect(dst.view[1]).toBe(-1);
    for (const i of [0, 1, 1_048_575, 1_048_576, 1_048_577, n - 1]) expect(dst.view[i + 2]).toBe(src.view[i]);
    let same = true;
    for (let i = 0; i < n; i++) same &&= dst.view[i + 2] === src.view[i];
    expect(same).toBe(true);
    // float64 into a shared float32 view: converted as set converts.
    const f64 = Float64Array.from({ length: 600 }, (_, i) => i / 3);
    const f32 = viewOf(Float32Array, true, 1, 600, () => 0);
    copyElements(f32.view, f64 as never);
    expect(Array.from(f32.view)).toEqual(Array.from(f64, Math.fround));
  });

  it("fillElements gives fill's result on shared and plain buffers, any span, alignment and value", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CTORS),
        fc.boolean(),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 0, max: 900 }),
        fc.constantFrom(0, -0, 1.5, -7, Number.NaN, 300),
        (C, shared, offset, a, b, value) => {
          const [start, end] = a <= b ? [a, b] : [b, a];
          const mine = viewOf(C, shared, offset, 900, (i) => i % 97);
          const theirs = viewOf(C, false, offset, 900, (i) => i % 97);
          fillElements(mine.view, value, start, end);
          theirs.view.fill(value, start, end);
          expect(Array.from(mine.whole)).toEqual(Array.from(theirs.whole));
          // -0 stays -0 (a plain array of zeros would write +0).
          if (C === Float64Array && Object.is(value, -0) && end > start) expect(Object.is(mine.view[start], -0)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    // Past one piece of the plain buffers, zeros and another value, after other values were written there.
    const big = viewOf(Float32Array, true, 1, 1_100_000, () => 5);
    fillElements(big.view, 2.5, 3);
    fillElements(big.view, 0, 10, 1_099_990);
    expect([big.whole[0], big.view[2], big.view[3], big.view[9], big.view[10], big.view[1_099_989], big.view[1_099_990]]).toEqual([5, 5, 2.5, 2.5, 0, 0, 2.5]);
    expect(big.view.subarray(10, 1_099_990).every((v) => v === 0)).toBe(true);
  });
});
