import type { TypedArray } from "../../dtype.js";

/**
 * Reductions read as *lines*: a reduction whose kept axes merge into one strided axis and whose
 * reduced axes merge into another (every reduction of a contiguous array over a leading or a
 * trailing block of axes, and of views such as a transpose) reduces `count` lines of `length`
 * elements, line `l`'s element `k` at `offset + l·stride + k·step` of the storage. The kernels
 * here read such a view where it is (no copy) and combine each line's elements in row-major
 * order of the reduced axes, the order of the generic loop, so they give the same bits. They
 * walk four lines at once: four independent chains of additions instead of one (a chain of
 * float64 additions waits on each sum's latency).
 */
export interface Lines {
  /** Index in the storage of line 0's element 0. */
  readonly offset: number;
  /** Lines (the product of the kept axes' lengths), in row-major order of the kept axes. */
  readonly count: number;
  /** Storage step from one line to the next. */
  readonly stride: number;
  /** Elements per line (the product of the reduced axes' lengths). */
  readonly length: number;
  /** Storage step from one element of a line to the next. */
  readonly step: number;
}

/**
 * The axes `axes` of a view (`shape`, element `stride`s) as one strided axis: `[length, step]`,
 * or `null` when they do not merge (an axis's step is not the next one's step times its length).
 * Axes of length 1 are skipped; no axis (or only such axes) is `[1, 0]`.
 */
function merged(shape: readonly number[], stride: readonly number[], axes: readonly number[]): [number, number] | null {
  let length = 1;
  let step = 0;
  for (let i = axes.length - 1; i >= 0; i--) {
    const a = axes[i]!;
    const n = shape[a]!;
    if (n === 1) continue;
    if (length === 1) [length, step] = [n, stride[a]!];
    else if (stride[a] === step * length) length *= n;
    else return null;
  }
  return [length, step];
}

/**
 * The reduction of a view over `axes` as {@link Lines}, or `null` when its kept or reduced axes
 * do not merge into one strided axis each.
 * Example: `linesOf([300, 100], [100, 1], 0, [1])` is 300 lines of 100 contiguous elements.
 */
export function linesOf(shape: readonly number[], stride: readonly number[], offset: number, axes: readonly number[]): Lines | null {
  const kept: number[] = [];
  const reduced = [...axes].sort((a, b) => a - b);
  for (let i = 0; i < shape.length; i++) if (!reduced.includes(i)) kept.push(i);
  const lines = merged(shape, stride, kept);
  const within = merged(shape, stride, reduced);
  if (lines === null || within === null) return null;
  return { offset, count: lines[0], stride: lines[1], length: within[0], step: within[1] };
}

/**
 * `out[l] = Σ_k data[offset + l·stride + k·step]`, each sum accumulated from 0 in float64 in
 * order of `k`, stored once into `out` (of the result's type).
 * Example: `sumLines(x, linesOf([300, 100], [100, 1], 0, [1])!, new Float32Array(300))`.
 */
export function sumLines(data: TypedArray, { offset, count, stride, length, step }: Lines, out: TypedArray): void {
  let l = 0;
  for (; l + 4 <= count; l += 4) {
    let p0 = offset + l * stride;
    let p1 = p0 + stride;
    let p2 = p1 + stride;
    let p3 = p2 + stride;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < length; k++, p0 += step, p1 += step, p2 += step, p3 += step) {
      s0 += data[p0]!;
      s1 += data[p1]!;
      s2 += data[p2]!;
      s3 += data[p3]!;
    }
    out[l] = s0;
    out[l + 1] = s1;
    out[l + 2] = s2;
    out[l + 3] = s3;
  }
  for (; l < count; l++) {
    let s = 0;
    for (let k = 0, p = offset + l * stride; k < length; k++, p += step) s += data[p]!;
    out[l] = s;
  }
}

/**
 * The extremum of each line: `out[l]` starts at `init` and takes each element `v` in order of `k`
 * where `v > acc` (`"max"`; `v < acc` for `"min"`) or `v` is NaN, the rule of reduce_max and
 * reduce_min (among equal values the first stays, so max(+0, -0) is +0; a NaN wins and stays
 * unless a later NaN replaces it). The minimum is computed as the maximum of the negated values,
 * negated back: negation is exact, keeps NaN and turns `<` into `>`.
 * Example: `extremumLines("max", x, lines, -Infinity, new Float32Array(lines.count))`.
 */
export function extremumLines(kind: "max" | "min", data: TypedArray, { offset, count, stride, length, step }: Lines, init: number, out: TypedArray): void {
  const sign = kind === "max" ? 1 : -1;
  const start = sign * init;
  let l = 0;
  for (; l + 4 <= count; l += 4) {
    let p0 = offset + l * stride;
    let p1 = p0 + stride;
    let p2 = p1 + stride;
    let p3 = p2 + stride;
    let m0 = start;
    let m1 = start;
    let m2 = start;
    let m3 = start;
    for (let k = 0; k < length; k++, p0 += step, p1 += step, p2 += step, p3 += step) {
      const v0 = sign * data[p0]!;
      const v1 = sign * data[p1]!;
      const v2 = sign * data[p2]!;
      const v3 = sign * data[p3]!;
      if (v0 > m0 || v0 !== v0) m0 = v0;
      if (v1 > m1 || v1 !== v1) m1 = v1;
      if (v2 > m2 || v2 !== v2) m2 = v2;
      if (v3 > m3 || v3 !== v3) m3 = v3;
    }
    out[l] = sign * m0;
    out[l + 1] = sign * m1;
    out[l + 2] = sign * m2;
    out[l + 3] = sign * m3;
  }
  for (; l < count; l++) {
    let m = start;
    for (let k = 0, p = offset + l * stride; k < length; k++, p += step) {
      const v = sign * data[p]!;
      if (v > m || v !== v) m = v;
    }
    out[l] = sign * m;
  }
}
