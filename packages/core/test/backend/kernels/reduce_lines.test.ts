import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { extremumLines, linesOf, sumLines } from "../../../src/backend/kernels/reduce_lines.js";
import { contiguousStrides } from "../../../src/backend/kernels/layout.js";
import { np, type Tensor } from "../../../src/index.js";
import { sumLinesWasm, wasmSumPays } from "../../../src/backend/kernels/wasm/reduce_wasm.js";
import { allocateResident, releaseResident } from "../../../src/backend/resident_storage.js";

/** Every index of `shape` in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const size = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < size; i++) {
    const idx: number[] = [];
    for (let a = shape.length - 1, r = i; a >= 0; a--) {
      idx.unshift(r % shape[a]!);
      r = Math.floor(r / shape[a]!);
    }
    yield idx;
  }
}

/** The generic reduction of a view: one accumulator per output, elements in row-major order of the view. */
function reference(data: Float32Array, shape: readonly number[], stride: readonly number[], offset: number, axes: readonly number[], init: number, combine: (a: number, v: number) => number): Float32Array {
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = kept.map((i) => shape[i]!);
  const outStride = contiguousStrides(outShape);
  const acc = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(init);
  for (const idx of indices(shape)) {
    const o = kept.reduce((s, a, j) => s + idx[a]! * outStride[j]!, 0);
    acc[o] = combine(acc[o]!, data[idx.reduce((s, v, a) => s + v * stride[a]!, offset)]!);
  }
  return Float32Array.from(acc);
}

const maxRule = (a: number, v: number) => (v > a || Number.isNaN(v) ? v : a);
const minRule = (a: number, v: number) => (v < a || Number.isNaN(v) ? v : a);

/** Same bits, element by element (NaN equals NaN, +0 differs from -0). */
function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(Object.is(actual[i], e), `element ${i}: ${actual[i]} vs ${e}`).toBe(true));
}

/** A view over random storage: a shape, a permutation of its row-major strides (a transpose), an offset. */
const views = fc
  .array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      perm: fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length }),
      axes: fc.subarray(shape.map((_, i) => i), { minLength: 1 }),
      offset: fc.integer({ min: 0, max: 3 }),
      values: fc.array(fc.oneof(fc.float({ noDefaultInfinity: false }), fc.constantFrom(0, -0, NaN, 1e30, -1e30, 3e-8)), { minLength: 200, maxLength: 200 }),
    }),
  );

/** A generated view's strides (its shape's row-major strides, permuted) and storage (the values repeated over its span). */
function viewData(shape: readonly number[], perm: readonly number[], offset: number, values: readonly number[]): { stride: number[]; data: Float32Array } {
  const base = contiguousStrides(perm.map((a) => shape[a]!));
  const stride = shape.map((_, a) => base[perm.indexOf(a)]!);
  const size = shape.reduce((x, y) => x * y, 1);
  return { stride, data: Float32Array.from({ length: size + offset }, (_, i) => values[i % values.length]!) };
}

describe("linesOf", () => {
  it("merges a contiguous array's trailing or leading block, and a transposed view", () => {
    expect(linesOf([300, 100], [100, 1], 0, [1])).toEqual({ offset: 0, count: 300, stride: 100, length: 100, step: 1 });
    expect(linesOf([100, 300], [300, 1], 0, [0])).toEqual({ offset: 0, count: 300, stride: 1, length: 100, step: 300 });
    expect(linesOf([2, 3, 4], [12, 4, 1], 5, [1, 2])).toEqual({ offset: 5, count: 2, stride: 12, length: 12, step: 1 });
    // The transpose of a [10, 100] array, reduced over its last axis: lines 1 apart, elements 100 apart.
    expect(linesOf([100, 10], [1, 100], 0, [1])).toEqual({ offset: 0, count: 100, stride: 1, length: 10, step: 100 });
  });

  it("skips axes of length 1 and says null when axes do not merge", () => {
    expect(linesOf([4, 1, 5], [5, 7, 1], 0, [1, 2])).toEqual({ offset: 0, count: 4, stride: 5, length: 5, step: 1 });
    expect(linesOf([2, 3, 4], [12, 4, 1], 0, [0, 2])).toBeNull();
    expect(linesOf([2, 3, 4], [1, 2, 8], 0, [0])).toBeNull();
  });
});

describe("sumLines and extremumLines", () => {
  it("give the generic loop's bits on every view whose axes merge (sums in float64, in order)", () => {
    let merged = 0;
    fc.assert(
      fc.property(views, ({ shape, perm, axes, offset, values }) => {
        const { stride, data } = viewData(shape, perm, offset, values);
        const lines = linesOf(shape, stride, offset, axes);
        if (lines === null) return;
        merged++;
        const sum = new Float32Array(lines.count);
        sumLines(data, lines, sum);
        expectSameBits(sum, reference(data, shape, stride, offset, axes, 0, (a, v) => a + v));
        const max = new Float32Array(lines.count);
        extremumLines("max", data, lines, -Infinity, max);
        expectSameBits(max, reference(data, shape, stride, offset, axes, -Infinity, maxRule));
        const min = new Float32Array(lines.count);
        extremumLines("min", data, lines, Infinity, min);
        expectSameBits(min, reference(data, shape, stride, offset, axes, Infinity, minRule));
      }),
      { numRuns: 300 },
    );
    expect(merged).toBeGreaterThan(100);
  });

  it("keep the first of equal signed zeros and let a NaN win", () => {
    const data = Float32Array.from([0, -0, 5, -0, 0, NaN, 1, NaN, NaN, 2, -Infinity, -Infinity]);
    const lines = linesOf([3, 4], [4, 1], 0, [1])!;
    const max = new Float32Array(3);
    extremumLines("max", data, lines, -Infinity, max);
    expectSameBits(max, Float32Array.from([5, NaN, NaN]));
    const zeros = linesOf([2, 2], [2, 1], 0, [1])!;
    const zmax = new Float32Array(2);
    extremumLines("max", Float32Array.from([0, -0, -0, 0]), zeros, -Infinity, zmax);
    expectSameBits(zmax, Float32Array.from([0, -0]));
    const zmin = new Float32Array(2);
    extremumLines("min", Float32Array.from([0, -0, -0, 0]), zeros, Infinity, zmin);
    expectSameBits(zmin, Float32Array.from([0, -0]));
  });

  it("reduce int32 lines with int32 wrap-around on store, as the generic path does", () => {
    const data = Int32Array.from([2147483647, 1, -5, 7]);
    const out = new Int32Array(2);
    sumLines(data, linesOf([2, 2], [2, 1], 0, [1])!, out);
    expect(Array.from(out)).toEqual([-2147483648, 2]);
  });
});

describe("sumLinesWasm", () => {
  it("gives sumLines' bits on any float32 lines, read in place (kernel memory) or copied (property)", () => {
    fc.assert(
      fc.property(views, ({ shape, perm, axes, offset, values }) => {
        const { stride, data } = viewData(shape, perm, offset, values);
        const lines = linesOf(shape, stride, offset, axes);
        if (lines === null) return;
        const want = new Float32Array(lines.count);
        sumLines(data, lines, want);
        const copied = new Float32Array(lines.count).fill(7);
        expect(sumLinesWasm(data, lines, copied)).toBe(true);
        expectSameBits(copied, want);
        const resident = allocateResident(Float32Array, data.length + 1);
        if (resident === undefined) return;
        resident.set(data);
        const inPlace = new Float32Array(lines.count).fill(7);
        expect(sumLinesWasm(resident, lines, inPlace)).toBe(true);
        expectSameBits(inPlace, want);
        releaseResident(resident);
      }),
      { numRuns: 300 },
    );
  });

  it("contiguous lines, four at a time in vectors and the rest alone: sumLines' bits, in place and copied", () => {
    // Line counts and lengths around the groups of four (the bias gradient's 300 lines of 100 among them).
    for (const [count, length] of [[300, 100], [7, 13], [4, 4], [5, 3], [9, 6], [3, 50]] as const) {
      const data = new Float32Array(count * length + 5);
      // Magnitudes from 2^-30 to 2^30: their float64 sums round, so the order of the additions shows.
      for (let i = 0; i < data.length; i++) data[i] = Math.fround(Math.sin(i * 1.7) * 2 ** (((i * 7) % 61) - 30));
      // The lines start 5 elements in and are length + 0 apart: contiguous, unaligned.
      const lines = linesOf([count, length], [length, 1], 5, [1])!;
      expect(lines.step).toBe(1);
      const want = new Float32Array(count);
      sumLines(data, lines, want);
      const copied = new Float32Array(count);
      expect(sumLinesWasm(data, lines, copied)).toBe(true);
      expectSameBits(copied, want);
      const resident = allocateResident(Float32Array, data.length)!;
      resident.set(data);
      const inPlace = new Float32Array(count);
      expect(sumLinesWasm(resident, lines, inPlace)).toBe(true);
      expectSameBits(inPlace, want);
      releaseResident(resident);
    }
    // Values whose order decides the sum: 2^60, then 1 (lost in the rounding), then -2^60 give 0;
    // added in another order, 1. Eight lines of 11, the three at every offset within a group of four.
    const data = new Float32Array(8 * 11);
    for (let l = 0; l < 8; l++) data.set([2 ** 60, 1, -(2 ** 60)], l * 11 + (l % 8));
    const want = new Float32Array(8);
    const lines = linesOf([8, 11], [11, 1], 0, [1])!;
    sumLines(data, lines, want);
    expect(Array.from(want)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const out = new Float32Array(8).fill(7);
    expect(sumLinesWasm(data, lines, out)).toBe(true);
    expectSameBits(out, want);
  });

  it("wasmSumPays: Wasm for resident or strided lines, and for four or more contiguous lines of four or more; JavaScript for small or long single lines", () => {
    const plain = new Float32Array(30000);
    expect(wasmSumPays(plain, linesOf([300, 100], [100, 1], 0, [1])!)).toBe(true);
    const strided = linesOf([300, 100], [100, 1], 0, [0])!;
    expect(strided.step).toBe(100);
    expect(wasmSumPays(plain, strided)).toBe(true);
    expect(wasmSumPays(plain, linesOf([30000], [1], 0, [0])!)).toBe(false);
    expect(wasmSumPays(plain, linesOf([10000, 3], [3, 1], 0, [1])!)).toBe(false);
    expect(wasmSumPays(plain, linesOf([20, 100], [100, 1], 0, [1])!)).toBe(false);
    const resident = allocateResident(Float32Array, 30000)!;
    expect(wasmSumPays(resident, linesOf([10000, 3], [3, 1], 0, [1])!)).toBe(true);
    releaseResident(resident);
  });

  it("sums more lines than a group and long lines with the float64 accumulator's rounding", () => {
    // 1e8 + 1 + ... : float32 accumulation would lose the ones; float64 keeps them until the final rounding.
    const count = 19;
    const length = 1000;
    const data = new Float32Array(count * length).fill(1);
    for (let l = 0; l < count; l++) data[l * length] = 1e8;
    const lines = linesOf([count, length], [length, 1], 0, [1])!;
    const out = new Float32Array(count);
    expect(sumLinesWasm(data, lines, out)).toBe(true);
    expect(Array.from(out)).toEqual(Array.from({ length: count }, () => Math.fround(1e8 + 999)));
  });
});

describe("reductions of views through np", () => {
  const bits = (t: Tensor) => Array.from(t.toTypedArray() as Float32Array, (v) => (Object.is(v, -0) ? "-0" : String(v)));

  it("sum, max and min of a transposed view equal those of its contiguous copy, bit for bit", () => {
    const values = Float32Array.from({ length: 10 * 100 }, (_, i) => Math.sin(i * 1.7) * 10 ** ((i % 7) - 3));
    values[17] = NaN;
    values[230] = -0;
    const x = np.array(values).reshape([10, 100]);
    const view = np.transpose(x);
    const copy = np.array(view.toTypedArray()).reshape([100, 10]);
    for (const axis of [0, 1]) {
      expect(bits(np.sum(view, axis))).toEqual(bits(np.sum(copy, axis)));
      expect(bits(np.max(view, axis))).toEqual(bits(np.max(copy, axis)));
      expect(bits(np.min(view, axis))).toEqual(bits(np.min(copy, axis)));
    }
  });
});
